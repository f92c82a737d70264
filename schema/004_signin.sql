-- Sign-in (SIGNIN.md): the project's redirect URLs and SSO settings, the built-in IdP's users, the
-- members' SSO registrations and trusted metadata, session factors,
-- single-use SSO tokens (hashed) and the SAML replay cache.

CREATE TABLE signin_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  redirect_urls TEXT NOT NULL DEFAULT '[]',
  allow_loopback_redirect_urls INTEGER NOT NULL DEFAULT 1,
  pkce_required_for_sso INTEGER NOT NULL DEFAULT 0,
  sso_token_lifetime_seconds INTEGER NOT NULL DEFAULT 600,
  idp_users TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE member_signin (
  member_id TEXT PRIMARY KEY REFERENCES members(member_id) ON DELETE CASCADE,
  trusted_metadata TEXT NOT NULL DEFAULT '{}',
  email_address_verified INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sso_registrations (
  registration_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(member_id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL,
  external_id TEXT NOT NULL DEFAULT '',
  sso_attributes TEXT NOT NULL DEFAULT '{}',
  groups TEXT NOT NULL DEFAULT '[]',
  UNIQUE (member_id, connection_id)
);

CREATE TABLE session_factors (
  member_session_id TEXT PRIMARY KEY REFERENCES sessions(member_session_id) ON DELETE CASCADE,
  authentication_factors TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE sso_tokens (
  token_hash TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(member_id) ON DELETE CASCADE,
  organization_id TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  protocol TEXT NOT NULL,
  external_id TEXT NOT NULL DEFAULT '',
  registration_id TEXT NOT NULL DEFAULT '',
  pkce_code_challenge TEXT NOT NULL DEFAULT '',
  is_new_member INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL
);

CREATE TABLE saml_replay (
  connection_id TEXT NOT NULL,
  assertion_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (connection_id, assertion_id)
);
