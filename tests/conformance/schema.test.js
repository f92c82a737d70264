'use strict';
// Every /sdk/v1 answer of the connection, organization, session and Admin Portal calls, success and
// error, checked against Stytch's own published schema of that surface (lib/schema.js:
// ../shared/spec/stytch/sdk-openapi.yml with ajv). The real @stytch/vanilla-js client makes the
// calls; a wrapper around the global fetch it uses checks each answer as it arrives, so what is
// checked is exactly what the SDK received.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { checkSdkAnswer, operationSchema, TYPE_OVERRIDES, load } = require('./lib/schema');

const checked = [];
const failures = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const res = await realFetch(input, init);
  const url = new URL(typeof input === 'string' ? input : input.url);
  if (!url.pathname.startsWith('/sdk/v1/') || url.pathname === '/sdk/v1/events') return res;
  const method = (init.method || 'GET').toUpperCase();
  let body;
  try {
    body = await res.clone().json();
  } catch {
    failures.push(`${method} ${url.pathname}: not JSON`);
    return res;
  }
  const problem = checkSdkAnswer(method, url.pathname, res.status, body);
  checked.push(`${res.status} ${method} ${operationSchema(method, url.pathname) || url.pathname}`);
  if (problem) failures.push(`${res.status} ${method} ${url.pathname}: ${problem}`);
  return res;
};

// Required after the wrapper: the SDK picks up globalThis.fetch when it calls.
const { createFrontend, PUBLIC_TOKEN } = require('./lib/frontend');
const { F } = require('./lib/fixtures');
const D = require('./lib/data');

/** Runs p and ignores an API error: here only the answer's shape matters. */
const settle = (p) => p.then((v) => v, (e) => {
  if (e && e.name !== 'StytchAPIError') throw e;
  return e;
});
const basic = (u, p) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('every /sdk/v1 answer against Stytch\'s published schema', () => {
  let server;
  let fe;

  before(async () => {
    load();
    server = await startServer();
    fe = createFrontend(server.url, { session: F.alice, via: 'cookie' });
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
    globalThis.fetch = realFetch;
  });

  test('the document is read in place and the type overrides apply', () => {
    const { applied } = load();
    assert.equal(applied.length, TYPE_OVERRIDES.length, `overrides that found their field: ${applied.join(', ')}`);
  });

  test('sessions, bootstrap, Admin Portal configuration, organizations', async () => {
    const c = fe.useSession(F.alice);
    await c.session.authenticate();
    await realFetchless(`${server.url}/sdk/v1/projects/bootstrap/${PUBLIC_TOKEN}`);
    await realFetchless(`${server.url}/sdk/v1/projects/bootstrap/public-token-test-nope`);
    await realFetchless(`${server.url}/sdk/v1/b2b/admin_portal_config`, { headers: { Authorization: basic(PUBLIC_TOKEN, F.alice) } });
    await realFetchless(`${server.url}/sdk/v1/b2b/admin_portal_config`, { headers: { Authorization: basic(PUBLIC_TOKEN, 'session-nope') } });
    await c.organization.get();
    await c.organization.update({ organization_name: 'Acme Schema', email_invites: 'RESTRICTED' });
    await settle(c.organization.update({ organization_slug: 'globex' }));
    await settle(fe.useSession(F.bob).organization.update({ organization_name: 'nope' }));
    await settle(fe.useSession('session-nope').session.authenticate());
  });

  test('SSO connections: SAML, OIDC, External, delete', async () => {
    const c = fe.useSession(F.alice);
    await c.sso.getConnections();
    const { connection: saml } = await c.sso.saml.createConnection({ display_name: 'schema', identity_provider: 'okta' });
    const up = await c.sso.saml.updateConnection({
      connection_id: saml.connection_id, idp_sso_url: 'https://idp.acme.test/sso', idp_entity_id: 'https://idp.acme.test',
      x509_certificate: D.certs[0].pem, saml_encryption_private_key: D.encryptionKeys[0],
    });
    await c.sso.saml.updateConnection({ connection_id: saml.connection_id, x509_certificate: D.certs[1].pem });
    await settle(c.sso.saml.updateConnection({ connection_id: saml.connection_id, x509_certificate: 'not a certificate' }));
    await settle(c.sso.saml.updateConnection({ connection_id: saml.connection_id, idp_sso_url: 'http://idp.acme.test/sso' }));
    await settle(c.sso.saml.updateConnection({ connection_id: F.unknownSaml, display_name: 'x' }));
    // The frontend surface refuses file:// metadata: the error answer is checked like any other.
    await settle(c.sso.saml.updateConnectionByURL({ connection_id: saml.connection_id, metadata_url: D.metadata.url }));
    await c.sso.saml.deleteVerificationCertificate({
      connection_id: saml.connection_id, certificate_id: up.connection.verification_certificates[0].certificate_id,
    });
    await c.sso.saml.deleteEncryptionPrivateKey({
      connection_id: saml.connection_id, private_key_id: up.connection.encryption_private_keys[0].private_key_id,
    });
    await realFetchless(`${server.url}/sdk/v1/b2b/sso/saml/${saml.connection_id}/encryption_private_keys/saml-encryption-key-test-nope`,
      { method: 'DELETE', headers: { Authorization: basic(PUBLIC_TOKEN, F.alice) } });
    const { connection: oidc } = await c.sso.oidc.createConnection({ display_name: 'schema oidc' });
    await c.sso.oidc.updateConnection({
      connection_id: oidc.connection_id, client_id: 'c', client_secret: 's', issuer: 'http://127.0.0.1:1/never',
      authorization_url: 'https://idp.acme.test/a', token_url: 'https://idp.acme.test/t', jwks_url: 'https://idp.acme.test/j',
    });
    await settle(c.sso.oidc.updateConnection({ connection_id: oidc.connection_id, jwks_url: 'jwks' }));
    const { connection: ext } = await c.sso.external.createConnection({
      external_organization_id: F.globexOrg, external_connection_id: F.globexSaml, display_name: 'schema ext',
    });
    await c.sso.external.updateConnection({ connection_id: ext.connection_id, display_name: 'schema ext 2' });
    await settle(c.sso.external.createConnection({ external_organization_id: F.acmeOrg, external_connection_id: F.globexSaml }));
    await c.organization.update({ sso_default_connection_id: saml.connection_id });
    await c.organization.get();
    await c.sso.getConnections();
    await settle(fe.useSession(F.bob).sso.getConnections());
    await settle(fe.useSession(null).sso.getConnections());
    fe.useSession(F.alice);
    await c.sso.deleteConnection(ext.connection_id);
    await c.sso.deleteConnection(oidc.connection_id);
    await settle(c.sso.deleteConnection(oidc.connection_id));
  });

  test('SCIM connections: create, get, update, groups, rotation, delete', async () => {
    const c = fe.useSession(F.alice);
    await c.scim.getConnection();
    const { connection } = await c.scim.createConnection({ display_name: 'schema scim', identity_provider: 'okta' });
    await settle(c.scim.createConnection({ display_name: 'second' }));
    await c.scim.getConnection();
    await c.organization.get();
    await c.scim.updateConnection({ connection_id: connection.connection_id, display_name: 'schema scim 2' });
    await settle(c.scim.updateConnection({
      connection_id: connection.connection_id, scim_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group_id: 'nope' }],
    }));
    await c.scim.getConnectionGroups({ limit: 10 });
    await c.scim.rotateStart(connection.connection_id);
    await c.scim.getConnection();
    await c.scim.rotateCancel(connection.connection_id);
    await c.scim.rotateStart(connection.connection_id);
    await c.scim.rotateComplete(connection.connection_id);
    await settle(c.scim.rotateComplete(connection.connection_id));
    await settle(fe.useSession(F.carol).scim.getConnection());
    fe.useSession(F.alice);
    await c.scim.deleteConnection(connection.connection_id);
    await settle(c.scim.deleteConnection(connection.connection_id));
  });

  test('every answer conforms', () => {
    const kinds = new Set(checked);
    for (const must of ['200 GET BootstrapResponse', '200 GET B2BAdminPortalConfigResponse', '200 POST B2BSessionsAuthenticateResponse',
      '200 GET B2BOrganizationsGetResponse', '200 PUT B2BOrganizationsUpdateResponse', '200 GET B2BGetSSOConnectionsResponse',
      '200 GET B2BGetSCIMConnectionResponse', '200 POST SCIMRotateTokenStartResponse', '403 PUT B2BOrganizationsUpdateResponse',
      '404 POST B2BSessionsAuthenticateResponse', '401 GET B2BGetSSOConnectionsResponse']) {
      assert.ok(kinds.has(must), `${must} was checked (checked: ${[...kinds].join(', ')})`);
    }
    assert.ok(checked.length >= 50, `${checked.length} answers checked`);
    assert.deepEqual(failures, []);
  });
});

/** fetch through the checking wrapper for the calls the SDK has no method for. */
function realFetchless(url, init = {}) {
  return globalThis.fetch(url, { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers || {}) } });
}
