'use strict';
// The backend Node client (stytch 14.2.0, B2BClient) against ssoemu (API.md §1, §2, §7).
//
// How the client talks to the server (read from node_modules/stytch/dist/shared and dist/b2b):
// - Base URL is `env` (custom_base_url refuses http); each call is `fetch(new URL('/v1/...', env))`
//   with `Authorization: Basic base64(project_id:secret)`, `Content-Type: application/json`,
//   `User-Agent: Stytch Node v14.2.0`, and `cache: 'no-store'`. Path ids are
//   encodeURIComponent-ed. `{authorization: {session_token}}` as the second argument adds
//   `X-Stytch-Member-Session` (session_jwt: `X-Stytch-Member-SessionJWT`).
// - sso.getConnections({organization_id}) -> GET /v1/b2b/sso/{org}
//   sso.saml.createConnection({organization_id, display_name?, identity_provider?})
//     -> POST /v1/b2b/sso/saml/{org} body {display_name, identity_provider}
//   sso.external.createConnection({organization_id, external_organization_id,
//     external_connection_id, display_name?, connection_implicit_role_assignments?,
//     group_implicit_role_assignments?}) -> POST /v1/b2b/sso/external/{org}
//   sso.external.updateConnection({organization_id, connection_id, ...})
//     -> PUT /v1/b2b/sso/external/{org}/connections/{id}
//   scim.connection.create({organization_id, display_name?, identity_provider?})
//     -> POST /v1/b2b/scim/{org}/connection ; scim.connection.get -> GET same path
//   (undefined fields are dropped by JSON.stringify).
// - Success: resolves the whole (bare) JSON body. Status >= 400: throws the package's
//   `StytchError` (exported as require('stytch').StytchError) with status_code, request_id,
//   error_type, error_message, error_url, error_details copied from the body; its message is the
//   body as JSON. Unparsable JSON or a network failure: `RequestError`.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { makeClient, API_ERR, stytch } = require('./lib/backend');
const { F, RE, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');

describe('backend client (stytch B2BClient)', () => {
  let server;
  let client;
  const made = {};

  before(async () => {
    server = await startServer();
    client = makeClient(server.url);
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('sso.getConnections for Globex shows its seeded connections (bare body)', async () => {
    const resp = await client.sso.getConnections({ organization_id: F.globexOrg });
    assertCommon(resp);
    assert.equal(resp.data, undefined, 'backend bodies are not wrapped');
    const saml = resp.saml_connections.find((c) => c.connection_id === F.globexSaml);
    assert.ok(saml, 'Globex SAML connection listed');
    assert.equal(saml.status, 'active');
    assert.equal(saml.display_name, 'Globex Okta');
    assert.equal(saml.identity_provider, 'okta');
    assert.ok('groups' in saml.attribute_mapping, 'attribute_mapping has a groups key');
    assert.equal(saml.verification_certificates.length, 1);
    const oidc = resp.oidc_connections.find((c) => c.connection_id === F.globexOidc);
    assert.ok(oidc, 'Globex OIDC connection listed');
    assert.equal(oidc.status, 'pending', 'seeded with a display name and a provider only');
    assert.equal(oidc.display_name, 'Globex Google');
    assert.deepEqual(resp.external_connections, []);
  });

  test('the organization slug is accepted in place of the id', async () => {
    const resp = await client.sso.getConnections({ organization_id: 'globex' });
    assert.ok(resp.saml_connections.some((c) => c.connection_id === F.globexSaml));
  });

  test('sso.saml.createConnection', async () => {
    const resp = await client.sso.saml.createConnection({
      organization_id: F.acmeOrg, display_name: 'Backend SAML', identity_provider: 'okta',
    });
    assertCommon(resp);
    const c = resp.connection;
    assert.match(c.connection_id, RE.saml);
    made.saml = c.connection_id;
    assert.equal(c.organization_id, F.acmeOrg);
    assert.equal(c.status, 'pending');
    assert.equal(c.identity_provider, 'okta');
    assert.equal(c.acs_url, `${F.publicBase}/v1/b2b/sso/callback/${c.connection_id}`);
    assert.equal(c.signing_certificates.length, 1);
    assert.equal(c.signing_certificates[0].issuer, 'Stytch');
  });

  test('sso.external.createConnection (backend spelling of role assignments)', async () => {
    const resp = await client.sso.external.createConnection({
      organization_id: F.acmeOrg,
      external_organization_id: F.globexOrg,
      external_connection_id: F.globexSaml,
      display_name: 'Backend External',
      connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
      group_implicit_role_assignments: [{ role_id: 'sso_manager', group: 'eng' }],
    });
    assertCommon(resp);
    const c = resp.connection;
    assert.match(c.connection_id, RE.external);
    made.external = c.connection_id;
    assert.equal(c.organization_id, F.acmeOrg);
    assert.equal(c.external_organization_id, F.globexOrg);
    assert.equal(c.external_connection_id, F.globexSaml);
    assert.equal(c.status, 'active');
    assert.deepEqual(c.external_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
    assert.deepEqual(c.external_group_implicit_role_assignments, [{ role_id: 'sso_manager', group: 'eng' }]);

    const upd = await client.sso.external.updateConnection({
      organization_id: F.acmeOrg, connection_id: made.external, display_name: 'Renamed',
    });
    assert.equal(upd.connection.display_name, 'Renamed');
    assert.deepEqual(upd.connection.external_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
  });

  test('scim.connection.create, then get without the token', async () => {
    const resp = await client.scim.connection.create({
      organization_id: F.acmeOrg, display_name: 'Backend SCIM', identity_provider: 'microsoft-entra',
    });
    assertCommon(resp);
    const c = resp.connection;
    assert.match(c.connection_id, RE.scim);
    assert.match(c.bearer_token, RE.bearer);
    assert.equal(c.base_url, `${F.publicBase}/v1/b2b/scim/${c.connection_id}?aadOptscim062020`);
    const got = await client.scim.connection.get({ organization_id: F.acmeOrg });
    assert.equal(got.connection.connection_id, c.connection_id);
    assert.equal(got.connection.bearer_token, undefined, 'the token is shown only once');
    assert.equal(got.connection.bearer_token_last_four, c.bearer_token.slice(-4));
    await rejectsWithApiError(
      client.scim.connection.create({ organization_id: F.acmeOrg }),
      400, 'active_scim_connection_exists', { ...API_ERR, message: MSG.scimExists });
  });

  test('the backend sees what was created', async () => {
    const resp = await client.sso.getConnections({ organization_id: F.acmeOrg });
    assert.ok(resp.saml_connections.some((c) => c.connection_id === made.saml));
    assert.ok(resp.external_connections.some((c) => c.connection_id === made.external));
  });

  test('member RBAC applies when a member session is passed', async () => {
    await rejectsWithApiError(
      client.sso.saml.createConnection({ organization_id: F.acmeOrg, display_name: 'x' },
        { authorization: { session_token: F.bob } }),
      403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    await rejectsWithApiError(
      client.sso.getConnections({ organization_id: F.acmeOrg }, { authorization: { session_token: F.grace } }),
      403, 'session_authorization_tenancy_error', API_ERR);
    const ok = await client.sso.getConnections({ organization_id: F.acmeOrg },
      { authorization: { session_token: F.alice } });
    assertCommon(ok);
  });

  test('unknown organization -> 404 organization_not_found', async () => {
    await rejectsWithApiError(client.sso.getConnections({ organization_id: F.unknownOrg }),
      404, 'organization_not_found', API_ERR);
  });

  test('a wrong secret -> 401 unauthorized_credentials (StytchError)', async () => {
    const bad = makeClient(server.url, { secret: 'secret-test-wrong-wrong-wrong-wrong-wrong-000' });
    const err = await rejectsWithApiError(bad.sso.getConnections({ organization_id: F.acmeOrg }),
      401, 'unauthorized_credentials', { ...API_ERR, message: MSG.unauthorized });
    assert.ok(err instanceof stytch.StytchError, 'thrown as stytch.StytchError');
  });
});
