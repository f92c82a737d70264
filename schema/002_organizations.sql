-- Organizations as Stytch returns them and the Admin Portal's switches (ORG.md sections 1 to 3).
-- The settings an organization only stores and returns are one JSON object (settings); those that are
-- looked up or point at a connection have columns of their own. Triggers keep the pointers at
-- connections honest whenever a connection goes, whoever deletes it.

ALTER TABLE project ADD COLUMN admin_portal TEXT NOT NULL DEFAULT '{}';
ALTER TABLE project ADD COLUMN project_name TEXT NOT NULL DEFAULT '';

ALTER TABLE organizations ADD COLUMN organization_external_id TEXT;
ALTER TABLE organizations ADD COLUMN organization_logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN sso_default_connection_id TEXT;
ALTER TABLE organizations ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE organizations ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX organizations_external_id ON organizations (organization_external_id)
  WHERE organization_external_id IS NOT NULL;

CREATE TRIGGER saml_connections_forget AFTER DELETE ON saml_connections BEGIN
  UPDATE organizations SET sso_default_connection_id = NULL WHERE sso_default_connection_id = OLD.connection_id;
  UPDATE organizations SET settings = json_set(settings, '$.sso_jit_provisioning_allowed_connections',
      (SELECT json_group_array(value) FROM json_each(settings, '$.sso_jit_provisioning_allowed_connections')
       WHERE value <> OLD.connection_id))
    WHERE organization_id = OLD.organization_id AND EXISTS (SELECT 1 FROM
      json_each(settings, '$.sso_jit_provisioning_allowed_connections') WHERE value = OLD.connection_id);
END;

CREATE TRIGGER oidc_connections_forget AFTER DELETE ON oidc_connections BEGIN
  UPDATE organizations SET sso_default_connection_id = NULL WHERE sso_default_connection_id = OLD.connection_id;
  UPDATE organizations SET settings = json_set(settings, '$.sso_jit_provisioning_allowed_connections',
      (SELECT json_group_array(value) FROM json_each(settings, '$.sso_jit_provisioning_allowed_connections')
       WHERE value <> OLD.connection_id))
    WHERE organization_id = OLD.organization_id AND EXISTS (SELECT 1 FROM
      json_each(settings, '$.sso_jit_provisioning_allowed_connections') WHERE value = OLD.connection_id);
END;

CREATE TRIGGER external_connections_forget AFTER DELETE ON external_connections BEGIN
  UPDATE organizations SET sso_default_connection_id = NULL WHERE sso_default_connection_id = OLD.connection_id;
  UPDATE organizations SET settings = json_set(settings, '$.sso_jit_provisioning_allowed_connections',
      (SELECT json_group_array(value) FROM json_each(settings, '$.sso_jit_provisioning_allowed_connections')
       WHERE value <> OLD.connection_id))
    WHERE organization_id = OLD.organization_id AND EXISTS (SELECT 1 FROM
      json_each(settings, '$.sso_jit_provisioning_allowed_connections') WHERE value = OLD.connection_id);
END;
