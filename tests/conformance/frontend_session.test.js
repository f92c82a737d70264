'use strict';
// What the frontend SDK needs besides the connection calls (API.md §6): a session given as a
// `stytch_session` cookie is checked at start-up with POST /sdk/v1/b2b/sessions/authenticate,
// the bootstrap call feeds the SDK's own RBAC checks.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend } = require('./lib/frontend');
const { F, RE, rejectsWithApiError } = require('./lib/fixtures');

async function waitFor(what, fn, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('frontend SDK: session cookie and bootstrap', () => {
  let server;
  const clients = [];

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    for (const fe of clients) fe.close();
    if (server) await server.stop();
  });

  test('bootstrap answers with the documented keys', async () => {
    const res = await fetch(`${server.url}/sdk/v1/projects/bootstrap/${F.publicToken}`);
    assert.equal(res.status, 200);
    const { data } = await res.json();
    assert.ok(data, 'wrapped in data');
    assert.deepEqual(data.captcha_settings, { enabled: false });
    assert.equal(data.password_config, null);
    assert.equal(data.dfp_protected_auth_enabled, false);
    assert.equal(data.pkce_required_for_sso, false);
    assert.equal(data.vertical, 'B2B');
    assert.ok(Array.isArray(data.rbac_policy?.roles), 'rbac_policy.roles');
    const ids = data.rbac_policy.roles.map((r) => r.role_id);
    for (const r of ['stytch_member', 'stytch_admin', 'sso_manager']) assert.ok(ids.includes(r), `role ${r}`);

    const bad = await fetch(`${server.url}/sdk/v1/projects/bootstrap/public-token-test-00000000-0000-4000-8000-000000000000`);
    assert.equal(bad.status, 401);
    assert.equal((await bad.json()).error_type, 'unauthorized_credentials');
  });

  test('CORS: the page origin the SDK runs on is allowed with credentials', async () => {
    const origin = 'http://localhost:3000';
    const pre = await fetch(`${server.url}/sdk/v1/b2b/sso/saml`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,x-sdk-client,x-sdk-parent-host',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), origin);
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.match(pre.headers.get('vary') || '', /origin/i);
    const allowHeaders = (pre.headers.get('access-control-allow-headers') || '').toLowerCase();
    for (const h of ['authorization', 'content-type', 'x-sdk-client', 'x-sdk-parent-host']) {
      assert.ok(allowHeaders.includes(h), `Access-Control-Allow-Headers has ${h}: ${allowHeaders}`);
    }
    const allowMethods = (pre.headers.get('access-control-allow-methods') || '').toUpperCase();
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      assert.ok(allowMethods.includes(m), `Access-Control-Allow-Methods has ${m}: ${allowMethods}`);
    }
    const get = await fetch(`${server.url}/sdk/v1/b2b/sso`, {
      headers: {
        Origin: origin,
        Authorization: 'Basic ' + Buffer.from(`${F.publicToken}:${F.alice}`).toString('base64'),
      },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), origin);
    assert.equal(get.headers.get('access-control-allow-credentials'), 'true');
  });

  test('an unknown session cookie is dropped by the SDK after sessions/authenticate', async () => {
    const fe = createFrontend(server.url, { session: 'session-unknown-cookie', via: 'cookie' });
    clients.push(fe);
    await waitFor('the SDK to drop the session cookie', () => !/stytch_session=/.test(fe.cookies()));
    assert.equal(fe.client.session.getSync(), null);
    assert.equal(fe.client.session.getTokens(), null);
  });

  test("a valid stytch_session cookie: the SDK loads alice's member session", async () => {
    const fe = createFrontend(server.url, { session: F.alice, via: 'cookie' });
    clients.push(fe);
    const session = await waitFor('the member session', () => fe.client.session.getSync());
    assert.equal(session.organization_id, F.acmeOrg);
    assert.match(String(session.member_id), /^member-test-/);
    const member = fe.client.self.getSync();
    assert.equal(member?.email_address, 'alice@acme.test');
    assert.equal(fe.client.organization.getSync()?.organization_id, F.acmeOrg);
    const tokens = fe.client.session.getTokens();
    assert.ok(tokens, 'tokens kept as cookies');
    assert.equal(tokens.session_token, F.alice);
    assert.equal(typeof tokens.session_jwt, 'string');

    // The SDK's local RBAC check agrees with the server (bootstrap policy + session roles).
    assert.equal(await fe.client.rbac.isAuthorized('stytch.sso', 'create'), true);
    assert.equal(await fe.client.rbac.isAuthorized('stytch.scim', 'delete'), true);

    const resp = await fe.client.sso.getConnections();
    assert.match(resp.request_id, RE.requestId);
  });

  test("carol's roles: the SDK's RBAC says what the server enforces", async () => {
    const fe = createFrontend(server.url, { session: F.carol, via: 'cookie' });
    clients.push(fe);
    const session = await waitFor('the member session', () => {
      const s = fe.client.session.getSync();
      return s && s.member_id && fe.client.self.getSync()?.email_address === 'carol@acme.test' ? s : null;
    });
    assert.ok(session);
    assert.equal(await fe.client.rbac.isAuthorized('stytch.sso', 'create'), true);
    assert.equal(await fe.client.rbac.isAuthorized('stytch.sso', 'delete'), false);
    assert.equal(await fe.client.rbac.isAuthorized('stytch.scim', 'create'), false);
    await rejectsWithApiError(fe.client.scim.createConnection({}), 403, 'session_authorization_error');
  });
});
