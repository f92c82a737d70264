'use strict';
// Assertions on the objects of API.md §3: every documented key is present with its type (unset
// strings are "", never null or absent), ids and timestamps have their documented form.

const assert = require('node:assert/strict');
const { X509Certificate } = require('node:crypto');
const { F, RE, UUID4 } = require('./fixtures');

const idRe = (prefix) => new RegExp(`^${prefix}${UUID4}$`);
const RE_VERIFICATION = idRe('saml-verification-key-test-');
const RE_ENCRYPTION = idRe('saml-encryption-key-test-');
const RE_GROUP = idRe('scim-group-test-');

function keys(obj, spec, what) {
  assert.ok(obj && typeof obj === 'object' && !Array.isArray(obj), `${what}: an object, got ${JSON.stringify(obj)}`);
  for (const [k, type] of Object.entries(spec)) {
    const v = obj[k];
    const ctx = `${what}.${k} is a ${type}: ${JSON.stringify(obj)}`;
    if (type === 'array') assert.ok(Array.isArray(v), ctx);
    else if (type === 'object') assert.ok(v && typeof v === 'object' && !Array.isArray(v), ctx);
    else assert.equal(typeof v, type, ctx);
  }
}

function assertCertificate(c, kind) {
  keys(c, {
    certificate_id: 'string', certificate: 'string', issuer: 'string',
    created_at: 'string', expires_at: 'string', updated_at: 'string',
  }, `${kind} certificate`);
  assert.match(c.certificate_id, kind === 'signing' ? RE.signingKey : RE_VERIFICATION);
  const x = new X509Certificate(c.certificate); // a real certificate
  for (const k of ['created_at', 'expires_at', 'updated_at']) assert.match(c[k], RE.timestamp, `${kind} ${k}`);
  const rfc = (d) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
  assert.equal(c.created_at, rfc(x.validFrom), `${kind} created_at = notBefore`);
  assert.equal(c.expires_at, rfc(x.validTo), `${kind} expires_at = notAfter`);
}

function assertEncryptionKey(k) {
  keys(k, { private_key_id: 'string', private_key: 'string', created_at: 'string' }, 'encryption key');
  assert.match(k.private_key_id, RE_ENCRYPTION);
  assert.match(k.created_at, RE.timestamp);
}

/** A SAML connection; sdk: true also requires the SDK's saml_encryption_private_keys copy. */
function assertSaml(c, { org, sdk = false } = {}) {
  keys(c, {
    organization_id: 'string', connection_id: 'string', status: 'string', idp_entity_id: 'string',
    display_name: 'string', idp_sso_url: 'string', acs_url: 'string', audience_uri: 'string',
    signing_certificates: 'array', verification_certificates: 'array', encryption_private_keys: 'array',
    saml_connection_implicit_role_assignments: 'array', saml_group_implicit_role_assignments: 'array',
    alternative_audience_uri: 'string', alternative_acs_url: 'string', identity_provider: 'string',
    nameid_format: 'string', idp_initiated_auth_disabled: 'boolean', allow_gateway_callback: 'boolean',
    attribute_mapping: 'object',
  }, 'SAML connection');
  assert.match(c.connection_id, RE.saml);
  if (org) assert.equal(c.organization_id, org);
  assert.ok(['pending', 'active'].includes(c.status), `status ${c.status}`);
  const callback = `${F.publicBase}/v1/b2b/sso/callback/${c.connection_id}`;
  assert.equal(c.acs_url, callback);
  assert.equal(c.audience_uri, callback);
  assert.equal(c.signing_certificates.length, 1, 'one signing certificate');
  for (const cert of c.signing_certificates) assertCertificate(cert, 'signing');
  for (const cert of c.verification_certificates) assertCertificate(cert, 'verification');
  for (const k of c.encryption_private_keys) assertEncryptionKey(k);
  if (sdk) assert.deepEqual(c.saml_encryption_private_keys, c.encryption_private_keys, 'saml_encryption_private_keys');
  for (const a of c.saml_connection_implicit_role_assignments) keys(a, { role_id: 'string' }, 'role assignment');
  for (const a of c.saml_group_implicit_role_assignments) keys(a, { role_id: 'string', group: 'string' }, 'group role assignment');
  // API.md §3: active exactly when SSO URL, entity id, an email mapping and a certificate are set.
  const complete = c.idp_sso_url !== '' && c.idp_entity_id !== '' && typeof c.attribute_mapping.email === 'string' &&
    c.attribute_mapping.email !== '' && c.verification_certificates.length > 0;
  assert.equal(c.status, complete ? 'active' : 'pending', `status follows completeness: ${JSON.stringify(c)}`);
}

const OIDC_URLS = ['authorization_url', 'token_url', 'userinfo_url', 'jwks_url'];

function assertOidc(c, { org } = {}) {
  keys(c, {
    organization_id: 'string', connection_id: 'string', status: 'string', display_name: 'string',
    redirect_url: 'string', client_id: 'string', client_secret: 'string', issuer: 'string',
    authorization_url: 'string', token_url: 'string', userinfo_url: 'string', jwks_url: 'string',
    identity_provider: 'string', custom_scopes: 'string', attribute_mapping: 'object',
  }, 'OIDC connection');
  assert.match(c.connection_id, RE.oidc);
  if (org) assert.equal(c.organization_id, org);
  assert.equal(c.redirect_url, `${F.publicBase}/v1/b2b/sso/callback/${c.connection_id}`);
  const complete = ['issuer', 'client_id', 'client_secret', ...OIDC_URLS].every((k) => c[k] !== '');
  assert.equal(c.status, complete ? 'active' : 'pending', `status follows completeness: ${JSON.stringify(c)}`);
}

function assertExternal(c, { org } = {}) {
  keys(c, {
    organization_id: 'string', connection_id: 'string', external_organization_id: 'string',
    external_connection_id: 'string', display_name: 'string', status: 'string',
    external_connection_implicit_role_assignments: 'array', external_group_implicit_role_assignments: 'array',
  }, 'External connection');
  assert.match(c.connection_id, RE.external);
  if (org) assert.equal(c.organization_id, org);
  assert.equal(c.status, 'active');
}

/**
 * A SCIM connection. token: 'bearer' (create: full bearer_token instead of the last four),
 * 'next' (rotate start: full next_bearer_token instead of its last four), or none.
 */
function assertScim(c, { org, token } = {}) {
  keys(c, {
    organization_id: 'string', connection_id: 'string', status: 'string', display_name: 'string',
    identity_provider: 'string', base_url: 'string', bearer_token_expires_at: 'string',
    scim_group_implicit_role_assignments: 'array',
  }, 'SCIM connection');
  assert.match(c.connection_id, RE.scim);
  if (org) assert.equal(c.organization_id, org);
  assert.equal(c.status, 'active');
  const entra = c.identity_provider === 'microsoft-entra' ? '?aadOptscim062020' : '';
  assert.equal(c.base_url, `${F.publicBase}/v1/b2b/scim/${c.connection_id}${entra}`);
  assert.match(c.bearer_token_expires_at, RE.timestamp);
  if (token === 'bearer') {
    assert.match(c.bearer_token, RE.bearer, 'the full bearer_token');
  } else {
    assert.equal(c.bearer_token, undefined, 'the token is shown only once');
    assert.match(c.bearer_token_last_four, /^[A-Za-z0-9]{4}$/);
  }
  if (token === 'next') {
    assert.match(c.next_bearer_token, RE.bearer, 'the full next_bearer_token');
    assert.match(c.next_bearer_token_expires_at, RE.timestamp);
  } else {
    assert.equal(c.next_bearer_token, undefined, 'the next token is shown only once');
    assert.equal(typeof c.next_bearer_token_last_four, 'string');
    // An unset time is null, never "" (the typed clients parse it as a date); a rotation gives one.
    if (c.next_bearer_token_last_four === '') assert.equal(c.next_bearer_token_expires_at, null);
    else assert.match(c.next_bearer_token_expires_at, RE.timestamp);
  }
  for (const a of c.scim_group_implicit_role_assignments) {
    keys(a, { role_id: 'string', group_id: 'string', group_name: 'string' }, 'SCIM group role assignment');
  }
}

function assertScimGroup(g, { org, connection } = {}) {
  keys(g, { group_id: 'string', group_name: 'string', organization_id: 'string', connection_id: 'string' }, 'SCIM group');
  assert.match(g.group_id, RE_GROUP);
  if (org) assert.equal(g.organization_id, org);
  if (connection) assert.equal(g.connection_id, connection);
}

module.exports = {
  assertSaml, assertOidc, assertExternal, assertScim, assertScimGroup, assertCertificate,
  assertEncryptionKey, OIDC_URLS, RE_VERIFICATION, RE_ENCRYPTION, RE_GROUP,
};
