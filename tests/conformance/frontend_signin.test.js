'use strict';
// The frontend SDK (@stytch/vanilla-js 6.3.0, StytchB2BClient) signing in through ssoemu (SIGNIN.md):
// sso.start as the SDK builds it, the built-in IdP driven headlessly (login_hint from provider_params),
// then sso.authenticate, after which the SDK's own session state is populated. SAML and OIDC, with
// and without PKCE (bootstrap's pkce_required_for_sso), and the SDK's view of a refused token.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend } = require('./lib/frontend');

const SAML = 'saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001';
const OIDC = 'oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c003';

/* Follows the emulator's redirects (path-only ones stay on the server) until one leaves it. */
async function followToApp(base, url) {
  for (let i = 0; i < 5; i++) {
    const abs = new URL(url, base);
    if (abs.origin !== new URL(base).origin) return abs;
    const resp = await fetch(abs, { redirect: 'manual' });
    const loc = resp.headers.get('location');
    assert.equal(resp.status, 302, `${abs.pathname}: ${resp.status} ${await resp.text()}`);
    url = loc;
  }
  throw new Error('too many redirects');
}

describe('frontend SDK: sso.start and sso.authenticate', () => {
  let server;
  let fe;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  async function signIn(client, connection_id, email) {
    globalThis.location.href = 'http://localhost:3000/';
    await client.sso.start({
      connection_id,
      login_redirect_url: 'http://localhost:3000/authenticate',
      signup_redirect_url: 'http://localhost:3000/authenticate',
      provider_params: { login_hint: email },
    });
    const start = new URL(globalThis.location.href);
    assert.equal(start.pathname, '/v1/public/sso/start');
    const app = await followToApp(server.url, start.href);
    assert.equal(app.origin + app.pathname, 'http://localhost:3000/authenticate');
    assert.equal(app.searchParams.get('stytch_token_type'), 'sso');
    return { token: app.searchParams.get('token'), start };
  }

  for (const [name, conn] of [['SAML', SAML], ['OIDC', OIDC]]) {
    test(`${name}: sso.authenticate populates the SDK session`, async () => {
      fe = createFrontend(server.url);
      const client = fe.client;
      const { token } = await signIn(client, conn, 'grace@globex.test');
      const resp = await client.sso.authenticate({ sso_token: token, session_duration_minutes: 60 });
      assert.equal(resp.member.email_address, 'grace@globex.test');
      assert.ok(resp.session_token.startsWith('session-test-'));
      assert.ok(resp.session_jwt.split('.').length === 3);
      const session = client.session.getSync();
      assert.ok(session, 'the SDK stored no session');
      assert.equal(session.member_id, resp.member.member_id);
      assert.equal(client.self.getSync()?.email_address, 'grace@globex.test');
      assert.ok(client.organization.getSync()?.organization_id);
      const f = session.authentication_factors[0];
      assert.equal(f.delivery_method, name === 'SAML' ? 'sso_saml' : 'sso_oidc');
      // A used token: the SDK surfaces Stytch's error.
      await assert.rejects(client.sso.authenticate({ sso_token: token, session_duration_minutes: 60 }),
        (e) => e.name === 'StytchAPIError' && e.error_type === 'sso_token_not_found');
      fe.close();
      fe = null;
    });
  }

  test('with pkce_required_for_sso the SDK sends a challenge and its verifier', async () => {
    const r = await fetch(new URL('/_emulator/config', server.url), {
      method: 'PATCH', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pkce_required_for_sso: true }),
    });
    assert.equal(r.status, 200);
    fe = createFrontend(server.url);
    const client = fe.client;
    // The SDK reads bootstrap once at start-up; give it that round trip.
    await new Promise((res) => setTimeout(res, 300));
    const { token, start } = await signIn(client, SAML, 'heidi@globex.test');
    assert.match(start.searchParams.get('pkce_code_challenge') || '', /^[A-Za-z0-9_-]{43}$/);
    const resp = await client.sso.authenticate({ sso_token: token, session_duration_minutes: 60 });
    assert.equal(resp.member.email_address, 'heidi@globex.test');
    assert.ok(client.session.getSync());
  });
});
