'use strict';
// OIDC interoperability (SIGNIN.md 6.3): openid-client, a certified relying party, signs in against
// ssoemu's built-in OIDC provider: discovery, authorization code with PKCE, client_secret_basic, the
// RS256 ID token checked against the JWKS (iss, aud, exp, nonce), and userinfo.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');

const API_AUTH = 'Basic ' + Buffer.from('project-test-11111111-1111-4111-8111-111111111111:secret-test-ssoemu-local-secret-0000000000000').toString('base64');
const ACME = 'organization-test-aaaaaaaa-0000-4000-8000-000000000001';

async function api(base, method, p, body) {
  const r = await fetch(new URL(p, base), {
    method, headers: { Authorization: API_AUTH, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

describe('OIDC interoperability', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { if (server) await server.stop(); });

  test('openid-client signs in against the built-in provider', async () => {
    const oc = await import('openid-client');
    const issuer = new URL('/_emulator/idp/oidc', server.url).href;
    // The provider's clients are the stored OIDC connections.
    let res = await api(server.url, 'POST', `/v1/b2b/sso/oidc/${ACME}`, { display_name: 'openid-client' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const id = res.body.connection.connection_id;
    res = await api(server.url, 'PUT', `/v1/b2b/sso/oidc/${ACME}/connections/${id}`, {
      client_id: 'interop-openid-client', client_secret: 'interop-secret', issuer,
      authorization_url: issuer + '/authorize', token_url: issuer + '/token', userinfo_url: issuer + '/userinfo',
      jwks_url: issuer + '/jwks',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const redirectUri = res.body.connection.redirect_url;

    const config = await oc.discovery(new URL(issuer), 'interop-openid-client', 'interop-secret',
      oc.ClientSecretBasic('interop-secret'), { execute: [oc.allowInsecureRequests] });
    assert.equal(config.serverMetadata().issuer, issuer);
    // Also check ID token signatures against the provider's JWKS (openid-client skips them by default).
    oc.enableNonRepudiationChecks(config);
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const nonce = oc.randomNonce();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid email profile', state, nonce,
      code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      login_hint: 'grace@globex.test',
    });
    const r = await fetch(url, { redirect: 'manual' });
    assert.equal(r.status, 302, await r.text());
    const back = new URL(r.headers.get('location'), redirectUri);
    assert.equal(back.origin + back.pathname, redirectUri);
    const tokens = await oc.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, 'interop-openid-client');
    assert.equal(claims.email, 'grace@globex.test');
    const info = await oc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, 'grace@globex.test');
    // A code is single-use: the provider answers invalid_grant, which openid-client surfaces.
    await assert.rejects(oc.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
    }), (e) => e.error === 'invalid_grant');
    // An ID token signed by another key is refused by openid-client too.
    await fetch(new URL('/_emulator/sso/presets', server.url), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ protocol: 'oidc', outcome: 'wrong_key', email: 'grace@globex.test' }),
    });
    const url2 = oc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state, nonce });
    const r2 = await fetch(url2, { redirect: 'manual' });
    const back2 = new URL(r2.headers.get('location'), redirectUri);
    await assert.rejects(oc.authorizationCodeGrant(config, back2, { expectedState: state, expectedNonce: nonce }));
  });
});
