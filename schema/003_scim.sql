-- SCIM provisioning (SCIM.md): a member's status, the SCIM users of each connection (the stored User
-- document, without id, meta and groups) and the members and bookkeeping of SCIM groups.

ALTER TABLE members ADD COLUMN status TEXT NOT NULL DEFAULT 'active';

CREATE TABLE scim_users (
  member_id TEXT PRIMARY KEY REFERENCES members(member_id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL REFERENCES scim_connections(connection_id) ON DELETE CASCADE,
  registration_id TEXT NOT NULL UNIQUE,
  user_name_key TEXT NOT NULL,
  resource TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (connection_id, user_name_key)
);
CREATE INDEX scim_users_connection ON scim_users (connection_id);

ALTER TABLE scim_groups ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE scim_groups ADD COLUMN members TEXT NOT NULL DEFAULT '[]';
ALTER TABLE scim_groups ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE scim_groups ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
