'use strict';
// Member sessions across both clients (API.md §1, §6; EMULATOR.md "Control API"): a session
// minted with POST /_emulator/sessions works in the frontend SDK and in the backend client's
// {authorization: {session_token}} and {authorization: {session_jwt}}; the backend client verifies
// the session JWT locally against the emulator's JWKS; a revoked session stops working everywhere.
//
// Requests:
//   control: POST /_emulator/sessions {"email"} -> {session_token, session_jwt, expires_at, member_id,
//            organization_id}; DELETE /_emulator/sessions/{session_token}  (plain fetch, no client)
//   backend: {authorization: {session_token}} adds X-Stytch-Member-Session: <token>;
//            {authorization: {session_jwt}} adds X-Stytch-Member-SessionJWT: <jwt>;
//            sessions.authenticateJwtLocal({session_jwt}) fetches GET /v1/b2b/sessions/jwks/{project_id}
//            (no Authorization header) once and verifies the JWT with jose: RS256 signature, typ JWT,
//            aud containing the project id, iss "stytch.com/{project_id}", then reads the
//            "https://stytch.com/session" and "https://stytch.com/organization" claims.
//   frontend: as in frontend_seed.test.js; a stytch_session cookie makes the SDK POST
//            /sdk/v1/b2b/sessions/authenticate {} at start-up and keep session_jwt as a cookie.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend } = require('./lib/frontend');
const { makeClient, asMember, API_ERR } = require('./lib/backend');
const { F, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');

const ACME = { organization_id: F.acmeOrg };
const SDK_ERR = { name: 'StytchAPIError' };
const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

async function control(server, method, path, body) {
  const res = await fetch(`${server.url}/_emulator/${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.equal(res.status, 200, `${method} /_emulator/${path}: ${JSON.stringify(json)}`);
  return json;
}

describe('member sessions and session JWTs on both clients', () => {
  let server;
  let fe;
  let api;
  let carol; // a session minted through the control API
  let bobJwt;
  let graceJwt;

  before(async () => {
    server = await startServer();
    api = makeClient(server.url);
    fe = createFrontend(server.url);
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  test('POST /_emulator/sessions mints a session with a JWT', async () => {
    carol = await control(server, 'POST', 'sessions', { email: 'carol@acme.test' });
    assert.equal(typeof carol.session_token, 'string');
    assert.ok(carol.session_token.length >= 32, 'an unguessable token');
    assert.match(carol.session_jwt, JWT_RE);
    assert.match(carol.member_id, /^member-test-/);
    assert.equal(carol.organization_id, F.acmeOrg);
    bobJwt = (await control(server, 'POST', 'sessions', { email: 'bob@acme.test' })).session_jwt;
    graceJwt = (await control(server, 'POST', 'sessions', { email: 'grace@globex.test' })).session_jwt;
  });

  test('the SDK works with the minted session and the member\'s roles', async () => {
    const client = fe.useSession(carol.session_token, carol.session_jwt);
    const { connection } = await client.sso.saml.createConnection({ display_name: 'Minted carol' });
    assert.equal(connection.organization_id, F.acmeOrg);
    await rejectsWithApiError(client.scim.createConnection({}), 403, 'session_authorization_error',
      { ...SDK_ERR, message: MSG.forbidden });
  });

  test('the backend client verifies the JWT locally against GET /v1/b2b/sessions/jwks/{project_id}', async () => {
    const s = await api.sessions.authenticateJwtLocal({ session_jwt: carol.session_jwt });
    assert.equal(s.member_id, carol.member_id);
    assert.equal(s.organization_id, F.acmeOrg);
    assert.equal(s.organization_slug, 'acme');
    assert.match(String(s.member_session_id), /^member-session-test-/);
    assert.ok(!Number.isNaN(Date.parse(s.expires_at)));
    // A JWT signed by someone else is refused by the client itself.
    const [h, p] = carol.session_jwt.split('.');
    await assert.rejects(api.sessions.authenticateJwtLocal({ session_jwt: `${h}.${p}.c2lnbmF0dXJl` }),
      (err) => err.error_type === 'jwt_invalid' || /JWT/.test(String(err.message)));
  });

  test('the session claim carries the member\'s roles (the client returns them as `roles`)', async () => {
    // stytch 14.2.0 reads roles from the "https://stytch.com/session" claim and feeds them to its
    // local RBAC check (authenticateJwtLocal with authorization_check).
    const s = await api.sessions.authenticateJwtLocal({ session_jwt: carol.session_jwt });
    assert.ok(Array.isArray(s.roles), `roles: ${JSON.stringify(s.roles)}`);
    assert.deepEqual([...s.roles].sort(), ['sso_manager', 'stytch_member']);
  });

  test('the JWKS needs the project id', async () => {
    const ok = await fetch(`${server.url}/v1/b2b/sessions/jwks/${F.projectId}`);
    assert.equal(ok.status, 200);
    const { keys } = await ok.json();
    assert.ok(Array.isArray(keys) && keys.length >= 1);
    for (const k of ['kty', 'kid', 'n', 'e']) assert.equal(typeof keys[0][k], 'string', k);
    const other = await fetch(`${server.url}/v1/b2b/sessions/jwks/project-test-00000000-0000-4000-8000-000000000000`);
    assert.ok(other.status >= 400 && other.status < 500, `another project: ${other.status}`);
    const body = await other.json();
    assert.equal(body.status_code, other.status);
    assert.equal(typeof body.error_type, 'string');
  });

  test('backend {authorization: {session_jwt}} applies the member\'s RBAC', async () => {
    const ok = await api.sso.getConnections(ACME, { authorization: { session_jwt: carol.session_jwt } });
    assertCommon(ok);
    const { connection } = await api.sso.oidc.createConnection({ ...ACME, display_name: 'carol by JWT' },
      { authorization: { session_jwt: carol.session_jwt } });
    assert.equal(connection.organization_id, F.acmeOrg);
    await rejectsWithApiError(api.sso.deleteConnection({ ...ACME, connection_id: connection.connection_id },
      { authorization: { session_jwt: carol.session_jwt } }),
    403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    await rejectsWithApiError(api.sso.getConnections(ACME, { authorization: { session_jwt: bobJwt } }),
      403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    await rejectsWithApiError(api.scim.connection.get(ACME, { authorization: { session_jwt: graceJwt } }),
      403, 'session_authorization_tenancy_error', API_ERR);
  });

  test('a forged or malformed JWT -> 401 jwt_invalid', async () => {
    const [h, p] = carol.session_jwt.split('.');
    await rejectsWithApiError(api.sso.getConnections(ACME, { authorization: { session_jwt: `${h}.${p}.c2lnbmF0dXJl` } }),
      401, 'jwt_invalid', API_ERR);
    await rejectsWithApiError(api.sso.getConnections(ACME, { authorization: { session_jwt: 'not-a-jwt' } }),
      401, 'jwt_invalid', API_ERR);
  });

  test('the SDK\'s own session JWT (from sessions/authenticate) works on the backend', async () => {
    fe.close();
    fe = createFrontend(server.url, { session: F.alice, via: 'cookie' });
    const until = Date.now() + 5000;
    let tokens;
    while (!(tokens = fe.client.session.getTokens())?.session_jwt || !fe.client.session.getSync()) {
      if (Date.now() > until) assert.fail('the SDK did not load its session');
      await new Promise((r) => setTimeout(r, 20));
    }
    const s = await api.sessions.authenticateJwtLocal({ session_jwt: tokens.session_jwt });
    assert.equal(s.member_id, fe.client.session.getSync().member_id);
    const resp = await api.sso.getConnections(ACME, { authorization: { session_jwt: tokens.session_jwt } });
    assertCommon(resp);
  });

  test('DELETE /_emulator/sessions/{token}: the session stops working on both clients', async () => {
    await control(server, 'DELETE', `sessions/${encodeURIComponent(carol.session_token)}`);
    const client = fe.useSession(carol.session_token, carol.session_jwt);
    await rejectsWithApiError(client.sso.getConnections(), 404, 'session_not_found',
      { ...SDK_ERR, message: MSG.sessionNotFound });
    await rejectsWithApiError(api.sso.getConnections(ACME, asMember(carol.session_token)),
      404, 'session_not_found', { ...API_ERR, message: MSG.sessionNotFound });
    await rejectsWithApiError(api.sso.getConnections(ACME, { authorization: { session_jwt: carol.session_jwt } }),
      404, 'session_not_found', API_ERR);
  });
});
