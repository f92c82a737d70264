'use strict';
// Stytch's own validation errors (ORG.md section 6) and what the real clients send (section 1.7, 5)
// with both clients: the error types the clients receive, and that a refused update changes nothing.
//
// Requests: as in frontend_saml.test.js, frontend_oidc.test.js, frontend_scim.test.js (frontend) and
// backend_sso.test.js, backend_scim.test.js (backend); the plural encryption-key delete path of the
// frontend surface and both session headers at once are sent with fetch.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend, PUBLIC_TOKEN } = require('./lib/frontend');
const { makeClient, API_ERR } = require('./lib/backend');
const { F, rejectsWithApiError } = require('./lib/fixtures');
const D = require('./lib/data');

const SDK_ERR = { name: 'StytchAPIError' };
const ACME = { organization_id: F.acmeOrg };
const oneLine = (pem) => pem.trim().replace(/\n/g, ' ');
const basic = (u, p) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe("Stytch's own validation errors on both clients", () => {
  let server;
  let fe;
  let api;
  let saml;

  before(async () => {
    server = await startServer();
    fe = createFrontend(server.url, { session: F.alice });
    api = makeClient(server.url);
    ({ connection: saml } = await fe.client.sso.saml.createConnection({ display_name: 'errors' }));
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  test('idp_sso_url: not a URL, not https; http for a loopback IdP', async () => {
    const c = fe.useSession(F.alice);
    await rejectsWithApiError(c.sso.saml.updateConnection({ connection_id: saml.connection_id, idp_sso_url: 'nope' }),
      400, 'saml_connection_idp_sso_url_invalid_format', SDK_ERR);
    await rejectsWithApiError(api.sso.saml.updateConnection({ ...ACME, connection_id: saml.connection_id, idp_sso_url: 'http://idp.acme.test/sso' }),
      400, 'saml_connection_idp_sso_url_not_https', API_ERR);
    const { connection } = await api.sso.saml.updateConnection({ ...ACME, connection_id: saml.connection_id, idp_sso_url: 'http://127.0.0.1:7000/sso' });
    assert.equal(connection.idp_sso_url, 'http://127.0.0.1:7000/sso');
  });

  test('attribute_mapping: nested values; email and name when the connection would become active', async () => {
    const c = fe.useSession(F.alice);
    await rejectsWithApiError(c.sso.saml.updateConnection({ connection_id: saml.connection_id, attribute_mapping: { email: { a: 'b' } } }),
      400, 'saml_connection_no_nested_keys_in_attribute_mapping', SDK_ERR);
    const complete = { idp_entity_id: 'https://idp.acme.test', x509_certificate: D.certs[0].pem };
    await rejectsWithApiError(c.sso.saml.updateConnection({ connection_id: saml.connection_id, ...complete, attribute_mapping: { full_name: 'cn' } }),
      400, 'saml_connection_email_mapping_required', SDK_ERR);
    await rejectsWithApiError(api.sso.saml.updateConnection({ ...ACME, connection_id: saml.connection_id, ...complete, attribute_mapping: { email: 'mail' } }),
      400, 'saml_connection_name_mapping_required', API_ERR);
    const { connections } = { connections: (await api.sso.getConnections(ACME)).saml_connections };
    assert.equal(connections[0].idp_entity_id, '', 'the refused updates changed nothing');
    // The wizard's one-line PEM, on the backend client too.
    const { connection } = await api.sso.saml.updateConnection({
      ...ACME, connection_id: saml.connection_id, idp_entity_id: 'https://idp.acme.test', x509_certificate: oneLine(D.certs[0].pem),
    });
    assert.equal(connection.status, 'active');
    assert.equal(connection.verification_certificates[0].issuer, D.certs[0].issuerCN);
  });

  test('signing keys: not a key, not PKCS#1 or PKCS#8; a one-line PKCS#8 key is taken', async () => {
    const c = fe.useSession(F.alice);
    await rejectsWithApiError(c.sso.saml.updateConnection({
      connection_id: saml.connection_id, signing_private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    }), 400, 'saml_signing_private_key_invalid', SDK_ERR);
    await rejectsWithApiError(api.sso.saml.updateConnection({ ...ACME, connection_id: saml.connection_id, signing_private_key: 'MIIEvQIBADAN' }),
      400, 'saml_signing_private_key_format_not_supported', API_ERR);
    const { createPrivateKey } = require('node:crypto');
    const pkcs8 = createPrivateKey(D.signingKey).export({ type: 'pkcs8', format: 'pem' });
    const { connection } = await c.sso.saml.updateConnection({ connection_id: saml.connection_id, signing_private_key: oneLine(pkcs8) });
    assert.equal(D.spki(connection.signing_certificates[0].certificate), D.spki(D.signingKey));
  });

  test('encryption keys: a sixth is too_many_encryption_certificates; the plural delete path on the frontend', async () => {
    const c = fe.useSession(F.alice);
    let last;
    for (let i = 0; i < 5; i++) {
      ({ connection: last } = await c.sso.saml.updateConnection({ connection_id: saml.connection_id, saml_encryption_private_key: D.encryptionKeys[i % 2] }));
    }
    await rejectsWithApiError(api.sso.saml.updateConnection({ ...ACME, connection_id: saml.connection_id, saml_encryption_private_key: D.encryptionKeys[0] }),
      400, 'too_many_encryption_certificates', API_ERR);
    await rejectsWithApiError(c.sso.saml.updateConnection({ connection_id: saml.connection_id, saml_encryption_private_key: D.encryptionKeys[1] }),
      400, 'too_many_encryption_certificates', SDK_ERR);
    const key = last.encryption_private_keys[0].private_key_id;
    const res = await fetch(`${server.url}/sdk/v1/b2b/sso/saml/${saml.connection_id}/encryption_private_keys/${key}`, {
      method: 'DELETE', headers: { Authorization: basic(PUBLIC_TOKEN, F.alice) },
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).data.private_key_id, key);
  });

  test('OIDC: endpoint URLs that are not URLs; active without userinfo_url', async () => {
    const c = fe.useSession(F.alice);
    const { connection: o } = await c.sso.oidc.createConnection({ display_name: 'errors oidc' });
    const cases = [['authorization_url', 'oidc_connection_authorization_url_invalid_format'], ['token_url', 'oidc_connection_token_url_invalid_format'],
      ['userinfo_url', 'oidc_connection_userinfo_url_invalid_format'], ['jwks_url', 'oidc_connection_jwks_url_invalid_format']];
    for (const [field, type] of cases) {
      await rejectsWithApiError(c.sso.oidc.updateConnection({ connection_id: o.connection_id, [field]: 'not a url' }), 400, type, SDK_ERR);
      await rejectsWithApiError(api.sso.oidc.updateConnection({ ...ACME, connection_id: o.connection_id, [field]: 'nope' }), 400, type, API_ERR);
    }
    const { connection } = await api.sso.oidc.updateConnection({
      ...ACME, connection_id: o.connection_id, client_id: 'c', client_secret: 's', issuer: 'https://idp.acme.test',
      authorization_url: 'https://idp.acme.test/a', token_url: 'https://idp.acme.test/t', jwks_url: 'https://idp.acme.test/j',
    });
    assert.equal(connection.status, 'active');
    assert.equal(connection.userinfo_url, '');
  });

  test('External: only an active connection can be shared', async () => {
    const { connection: pending } = await api.sso.saml.createConnection({ organization_id: F.globexOrg, display_name: 'pending' });
    await rejectsWithApiError(fe.useSession(F.alice).sso.external.createConnection({
      external_organization_id: F.globexOrg, external_connection_id: pending.connection_id,
    }), 400, 'external_connection_not_active', SDK_ERR);
    await rejectsWithApiError(api.sso.external.createConnection({
      ...ACME, external_organization_id: F.globexOrg, external_connection_id: pending.connection_id,
    }), 400, 'external_connection_not_active', API_ERR);
  });

  test('SCIM group role assignments: unknown group, no group_id', async () => {
    const c = fe.useSession(F.alice);
    const { connection } = await c.scim.createConnection({ display_name: 'errors scim' });
    await rejectsWithApiError(c.scim.updateConnection({
      connection_id: connection.connection_id, scim_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group_id: 'scim-group-test-nope' }],
    }), 400, 'scim_group_role_assignment_group_does_not_exist', SDK_ERR);
    await rejectsWithApiError(api.scim.connection.update({
      ...ACME, connection_id: connection.connection_id, scim_group_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
    }), 400, 'scim_group_role_assignment_does_not_contain_group_id', API_ERR);
    // Outside a rotation the next token's expiry is null, never "".
    const { connection: got } = await api.scim.connection.get(ACME);
    assert.equal(got.next_bearer_token_expires_at, null);
  });

  test('both session headers at once -> too_many_session_arguments', async () => {
    const res = await fetch(`${server.url}/v1/b2b/sso/${F.acmeOrg}`, {
      headers: {
        Authorization: basic(F.projectId, F.secret), 'X-Stytch-Member-Session': F.alice, 'X-Stytch-Member-SessionJWT': 'a.b.c',
      },
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error_type, 'too_many_session_arguments');
  });
});
