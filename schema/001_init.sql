-- Initial schema: project, RBAC policy, organizations, members, sessions and the four connection kinds.
-- Lists and maps inside a connection (certificates, role assignments, attribute mappings) are JSON text:
-- they are always read and written whole, together with their connection. Rows list in rowid (creation) order.

CREATE TABLE project (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  project_id TEXT NOT NULL,
  secret TEXT NOT NULL,
  public_token TEXT NOT NULL,
  sdk_member_actions_enabled INTEGER NOT NULL DEFAULT 1,
  rbac_policy TEXT NOT NULL DEFAULT '{"roles":[],"resources":[]}'
);

CREATE TABLE organizations (
  organization_id TEXT PRIMARY KEY,
  organization_slug TEXT NOT NULL UNIQUE,
  organization_name TEXT NOT NULL DEFAULT '',
  email_allowed_domains TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL
);

CREATE TABLE members (
  member_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(organization_id) ON DELETE CASCADE,
  email_address TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  roles TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  UNIQUE (organization_id, email_address)
);

CREATE TABLE sessions (
  session_token TEXT PRIMARY KEY,
  member_session_id TEXT NOT NULL UNIQUE,
  member_id TEXT NOT NULL REFERENCES members(member_id) ON DELETE CASCADE,
  started_at TEXT NOT NULL,
  expires_at TEXT
);

CREATE TABLE saml_connections (
  connection_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(organization_id) ON DELETE CASCADE,
  display_name TEXT NOT NULL DEFAULT '',
  identity_provider TEXT NOT NULL DEFAULT 'generic',
  idp_entity_id TEXT NOT NULL DEFAULT '',
  idp_sso_url TEXT NOT NULL DEFAULT '',
  alternative_audience_uri TEXT NOT NULL DEFAULT '',
  alternative_acs_url TEXT NOT NULL DEFAULT '',
  nameid_format TEXT NOT NULL DEFAULT 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  idp_initiated_auth_disabled INTEGER NOT NULL DEFAULT 0,
  allow_gateway_callback INTEGER NOT NULL DEFAULT 0,
  attribute_mapping TEXT NOT NULL DEFAULT '{}',
  signing_certificates TEXT NOT NULL DEFAULT '[]',
  verification_certificates TEXT NOT NULL DEFAULT '[]',
  encryption_private_keys TEXT NOT NULL DEFAULT '[]',
  connection_role_assignments TEXT NOT NULL DEFAULT '[]',
  group_role_assignments TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX saml_connections_org ON saml_connections (organization_id);

CREATE TABLE oidc_connections (
  connection_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(organization_id) ON DELETE CASCADE,
  display_name TEXT NOT NULL DEFAULT '',
  identity_provider TEXT NOT NULL DEFAULT 'generic',
  client_id TEXT NOT NULL DEFAULT '',
  client_secret TEXT NOT NULL DEFAULT '',
  issuer TEXT NOT NULL DEFAULT '',
  authorization_url TEXT NOT NULL DEFAULT '',
  token_url TEXT NOT NULL DEFAULT '',
  userinfo_url TEXT NOT NULL DEFAULT '',
  jwks_url TEXT NOT NULL DEFAULT '',
  custom_scopes TEXT NOT NULL DEFAULT '',
  attribute_mapping TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX oidc_connections_org ON oidc_connections (organization_id);

CREATE TABLE external_connections (
  connection_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(organization_id) ON DELETE CASCADE,
  external_organization_id TEXT NOT NULL,
  external_connection_id TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  connection_role_assignments TEXT NOT NULL DEFAULT '[]',
  group_role_assignments TEXT NOT NULL DEFAULT '[]',
  UNIQUE (organization_id, external_connection_id)
);
CREATE INDEX external_connections_org ON external_connections (organization_id);
CREATE INDEX external_connections_target ON external_connections (external_connection_id);

CREATE TABLE scim_connections (
  connection_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL UNIQUE REFERENCES organizations(organization_id) ON DELETE CASCADE,
  display_name TEXT NOT NULL DEFAULT '',
  identity_provider TEXT NOT NULL DEFAULT 'generic',
  bearer_token_hash TEXT NOT NULL,
  bearer_token_last_four TEXT NOT NULL,
  bearer_token_expires_at TEXT NOT NULL,
  next_bearer_token_hash TEXT NOT NULL DEFAULT '',
  next_bearer_token_last_four TEXT NOT NULL DEFAULT '',
  next_bearer_token_expires_at TEXT NOT NULL DEFAULT '',
  group_role_assignments TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE scim_groups (
  group_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(organization_id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL REFERENCES scim_connections(connection_id) ON DELETE CASCADE,
  group_name TEXT NOT NULL
);
CREATE INDEX scim_groups_connection ON scim_groups (connection_id, group_id);
