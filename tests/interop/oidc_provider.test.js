'use strict';
// OIDC interoperability the other way round (SIGNIN.md 3): ssoemu as the relying party of `oidc-provider`,
// a certified OpenID Provider no one here wrote, on 127.0.0.1. The connection learns the endpoints by
// issuer discovery on update (the fetch worker); a plain HTTP client drives sso.start, the provider's own
// login and consent forms (devInteractions), the callback (code exchange with client_secret_basic, the RS256
// ID token checked through jwks_url, nonce) and sso.authenticate. A wrong client secret gives the
// documented oidc_auth_code_error, a JWKS without the provider's key id_token_invalid.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { startServer } = require('./lib/server');

const PROJECT = 'project-test-11111111-1111-4111-8111-111111111111';
const API_AUTH = 'Basic ' + Buffer.from(`${PROJECT}:secret-test-ssoemu-local-secret-0000000000000`).toString('base64');
const PT = 'public-token-test-11111111-1111-4111-8111-111111111111';
const SDK_AUTH = 'Basic ' + Buffer.from(`${PT}:${PT}`).toString('base64');
const GLOBEX = 'organization-test-bbbbbbbb-0000-4000-8000-000000000002';
const CLIENT_ID = 'ssoemu-interop-client';
const CLIENT_SECRET = 'interop-provider-secret-0123456789';
const EMAIL = 'grace@globex.test';
const STEPS = 12; // redirects and forms followed at most in one sign-in

async function api(base, method, p, body) {
  const r = await fetch(new URL(p, base), {
    method, headers: { Authorization: API_AUTH, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

// The provider: listens first so that its issuer can name the bound port.
async function startProvider(redirectUri) {
  const { default: Provider } = await import('oidc-provider');
  let handler = (req, res) => { res.statusCode = 503; res.end(); };
  const srv = http.createServer((req, res) => handler(req, res));
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${srv.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [redirectUri],
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    // Any login is an account whose email is the login.
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: `acct-${id}`, email: id, email_verified: true, name: 'Grace Interop' }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    pkce: { required: () => false },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['interop-cookie-signing-key-0000'] },
  });
  handler = provider.callback();
  return { issuer, stop: () => new Promise((resolve) => { srv.closeAllConnections(); srv.close(resolve); }) };
}

// Form fields of the first <form>: its action and its inputs (hidden ones and those with a value).
function parseForm(html) {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  assert.ok(form, `no form in ${html.slice(0, 300)}`);
  const fields = {};
  for (const m of form[2].matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(m[0]);
    const value = /value="([^"]*)"/.exec(m[0]);
    if (name) fields[name[1]] = value ? value[1].replace(/&amp;/g, '&').replace(/&#x2F;/g, '/') : '';
  }
  return { action: form[1].replace(/&amp;/g, '&'), fields };
}

// A headless browser: follows redirects by hand, keeps the provider's cookies, submits its login and consent
// forms, and stops at the first redirect to ssoemu's app URL (or at the first non-redirect answer of ssoemu).
async function signIn(ssoemu, providerIssuer, connectionId) {
  const jar = new Map();
  const forms = [];
  let url = new URL(`/v1/public/sso/start?public_token=${PT}&connection_id=${connectionId}`, ssoemu);
  let method = 'GET';
  let body;
  for (let i = 0; i < STEPS; i++) {
    const toProvider = url.origin === providerIssuer;
    const headers = {};
    if (toProvider && jar.size) headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const r = await fetch(url, { method, headers, body, redirect: 'manual' });
    if (toProvider) {
      for (const c of r.headers.getSetCookie()) {
        const [kv] = c.split(';');
        const eq = kv.indexOf('=');
        jar.set(kv.slice(0, eq), kv.slice(eq + 1));
      }
    }
    const loc = r.headers.get('location');
    if (r.status >= 300 && r.status < 400 && loc) {
      // Path-only Locations are the emulator's (SIGNIN.md Rule A) or the provider's own.
      const next = new URL(loc, url);
      if (!toProvider && next.origin !== providerIssuer && next.pathname === '/authenticate') {
        return { status: r.status, location: next, forms };
      }
      if (next.origin !== providerIssuer && next.origin !== ssoemu.origin) {
        // A self URL in ssoemu's public form: the path goes to the bound origin.
        url = new URL(next.pathname + next.search, ssoemu);
      } else {
        url = next;
      }
      method = 'GET';
      body = undefined;
      continue;
    }
    const text = await r.text();
    if (!toProvider || r.status !== 200) return { status: r.status, text, forms };
    const form = parseForm(text);
    forms.push(form.fields.prompt);
    if (form.fields.prompt === 'login') {
      form.fields.login = EMAIL;
      form.fields.password = 'any';
    }
    url = new URL(form.action, url);
    method = 'POST';
    body = new URLSearchParams(form.fields).toString();
  }
  throw new Error('too many steps');
}

describe('OIDC interoperability with oidc-provider', () => {
  let server;
  let provider;
  let connectionId;
  before(async () => {
    server = await startServer();
    const res = await api(server.url, 'POST', `/v1/b2b/sso/oidc/${GLOBEX}`, { display_name: 'oidc-provider' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    connectionId = res.body.connection.connection_id;
    provider = await startProvider(res.body.connection.redirect_url);
  });
  after(async () => {
    if (provider) await provider.stop();
    if (server) assert.equal(await server.stop(), 0);
  });

  test('issuer discovery, sign-in through the provider, sso.authenticate', async () => {
    const ssoemu = new URL(server.url);
    let res = await api(server.url, 'PUT', `/v1/b2b/sso/oidc/${GLOBEX}/connections/${connectionId}`, {
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, issuer: provider.issuer,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const c = res.body.connection;
    assert.equal(c.status, 'active', JSON.stringify(c));
    assert.equal(c.authorization_url, `${provider.issuer}/auth`);
    assert.equal(c.token_url, `${provider.issuer}/token`);
    assert.equal(c.jwks_url, `${provider.issuer}/jwks`);

    const out = await signIn(ssoemu, provider.issuer, connectionId);
    assert.equal(out.status, 302, out.text);
    assert.deepEqual(out.forms, ['login', 'consent']);
    assert.equal(out.location.searchParams.get('stytch_token_type'), 'sso');
    const token = out.location.searchParams.get('token');
    const r = await fetch(new URL('/sdk/v1/b2b/sso/authenticate', server.url), {
      method: 'POST', headers: { Authorization: SDK_AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sso_token: token, session_duration_minutes: 30 }),
    });
    const js = await r.json();
    assert.equal(r.status, 200, JSON.stringify(js));
    assert.equal(js.data.member.email_address, EMAIL);
    assert.equal(js.data.organization_id, GLOBEX);
    assert.ok(js.data.session_token && js.data.session_jwt);
    assert.ok(js.data.member_session.authentication_factors.some((f) => f.type === 'sso'),
      JSON.stringify(js.data.member_session));
    // The session is a real one.
    const s = await fetch(new URL('/sdk/v1/b2b/sessions/authenticate', server.url), {
      method: 'POST', headers: { Authorization: 'Basic ' + Buffer.from(`${PT}:${js.data.session_token}`).toString('base64'),
        'Content-Type': 'application/json' }, body: '{}',
    });
    assert.equal(s.status, 200, await s.text());
  });

  test('a wrong client secret: the provider refuses the code exchange, oidc_auth_code_error', async () => {
    const ssoemu = new URL(server.url);
    const res = await api(server.url, 'PUT', `/v1/b2b/sso/oidc/${GLOBEX}/connections/${connectionId}`, {
      client_secret: 'not-the-secret',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const out = await signIn(ssoemu, provider.issuer, connectionId);
    assert.equal(out.status, 400, out.text);
    // A fresh browser: the user signs in and consents again; the exchange behind the callback fails.
    assert.deepEqual(out.forms, ['login', 'consent']);
    assert.match(out.text, /oidc_auth_code_error/);
  });

  test('a JWKS without the provider\'s signing key (another issuer\'s keys): id_token_invalid', async () => {
    const ssoemu = new URL(server.url);
    const res = await api(server.url, 'PUT', `/v1/b2b/sso/oidc/${GLOBEX}/connections/${connectionId}`, {
      client_secret: CLIENT_SECRET, jwks_url: new URL('/_emulator/idp/oidc/jwks', server.url).href,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const out = await signIn(ssoemu, provider.issuer, connectionId);
    assert.equal(out.status, 400, out.text);
    assert.match(out.text, /id_token_invalid/);
  });
});
