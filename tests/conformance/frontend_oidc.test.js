'use strict';
// The frontend SDK (@stytch/vanilla-js 6.3.0) on OIDC connections (create, update with issuer
// discovery) and SSO discovery by email address (API.md §2-§4).
//
// Requests the SDK sends (recorded against a logging server; Authorization Basic
// public_token:session_token, or public_token:public_token without a session):
//   sso.oidc.createConnection({display_name?, identity_provider?})
//     POST /sdk/v1/b2b/sso/oidc                   body {display_name?, identity_provider?}
//   sso.oidc.updateConnection({connection_id, ...fields})
//     PUT  /sdk/v1/b2b/sso/oidc/{connection_id}   body {connection_id, ...fields}
//   sso.discoverConnections(email)
//     GET  /sdk/v1/b2b/sso/discovery/connections?email_address={encodeURIComponent(email)}  (no body)
//   sso.getConnections()  GET /sdk/v1/b2b/sso
//
// Issuer discovery is served by a loopback OpenID issuer started here (lib/issuer.js); the
// unreachable issuer is 127.0.0.1:1 (refused at once) and a silent one checks the fetch timeout.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { startDocs } = require('./lib/docs');
const { createFrontend } = require('./lib/frontend');
const { F, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');
const { assertOidc, OIDC_URLS } = require('./lib/shapes');
const { startIssuer, UNREACHABLE_ISSUER } = require('./lib/issuer');
const D = require('./lib/data');

const API_ERR = { name: 'StytchAPIError' };
const UNKNOWN_OIDC = 'oidc-connection-test-00000000-0000-4000-8000-0000000000ff';

describe('frontend SDK: OIDC connections and SSO discovery', () => {
  let server;
  let fe;
  let issuer;
  let issuer2;
  let docs;
  const as = (session) => fe.useSession(session);

  async function newOidc(display_name = 'conformance') {
    const { connection } = await as(F.alice).sso.oidc.createConnection({ display_name });
    return connection;
  }
  async function listed(id, session = F.alice) {
    const resp = await as(session).sso.getConnections();
    return resp.oidc_connections.find((c) => c.connection_id === id);
  }

  before(async () => {
    [server, issuer, issuer2, docs] = await Promise.all([
      startServer(), startIssuer(), startIssuer({ issuerPath: '/tenant-b' }), startDocs(),
    ]);
    fe = createFrontend(server.url, { session: F.alice });
  });
  after(async () => {
    if (fe) fe.close();
    await Promise.all([server?.stop(), issuer?.close(), issuer2?.close(), docs?.close()]);
  });

  describe('sso.oidc.createConnection', () => {
    test('a pending connection with every documented key', async () => {
      const resp = await as(F.alice).sso.oidc.createConnection({
        display_name: 'Acme Entra', identity_provider: 'microsoft-entra',
      });
      assertCommon(resp);
      const c = resp.connection;
      assertOidc(c, { org: F.acmeOrg });
      assert.equal(c.status, 'pending');
      assert.equal(c.display_name, 'Acme Entra');
      assert.equal(c.identity_provider, 'microsoft-entra');
      for (const k of ['client_id', 'client_secret', 'issuer', 'custom_scopes', ...OIDC_URLS]) assert.equal(c[k], '', k);
      assert.deepEqual(await listed(c.connection_id), c, 'listed by sso.getConnections');
    });

    test('carol (sso_manager) may create; bob -> 403', async () => {
      const { connection } = await as(F.carol).sso.oidc.createConnection({ display_name: 'Carol OIDC' });
      assertOidc(connection, { org: F.acmeOrg });
      await rejectsWithApiError(as(F.bob).sso.oidc.createConnection({ display_name: 'Bob OIDC' }),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      const all = await as(F.alice).sso.getConnections();
      assert.ok(!all.oidc_connections.some((c) => c.display_name === 'Bob OIDC'));
    });

    test('an unknown identity_provider -> 400 invalid_sso_idp; a wrong type -> 400 bad_request', async () => {
      await rejectsWithApiError(as(F.alice).sso.oidc.createConnection({ identity_provider: 'myspace' }),
        400, 'invalid_sso_idp', API_ERR);
      await rejectsWithApiError(as(F.alice).sso.oidc.createConnection({ display_name: 42 }),
        400, 'bad_request', { ...API_ERR, message: /display_name/ });
    });
  });

  describe('sso.oidc.updateConnection', () => {
    test('an issuer fills the four URLs from its discovery document; client id and secret make it active', async () => {
      const { connection_id: id } = await newOidc('discovered');
      const hitsBefore = issuer.hits.length;
      let resp = await as(F.alice).sso.oidc.updateConnection({ connection_id: id, issuer: issuer.issuer });
      assertCommon(resp);
      let c = resp.connection;
      assertOidc(c, { org: F.acmeOrg });
      assert.equal(resp.warning, undefined, `no warning on success, got ${resp.warning}`);
      assert.equal(c.issuer, issuer.issuer);
      for (const k of OIDC_URLS) assert.equal(c[k], issuer.urls[k], k);
      assert.equal(c.status, 'pending', 'no client credentials yet');
      assert.deepEqual(issuer.hits.slice(hitsBefore), ['GET /tenant-a/.well-known/openid-configuration']);

      resp = await as(F.alice).sso.oidc.updateConnection({
        connection_id: id, client_id: 'acme-client', client_secret: 'acme-secret',
      });
      c = resp.connection;
      assertOidc(c, { org: F.acmeOrg });
      assert.equal(c.client_id, 'acme-client');
      assert.equal(c.client_secret, 'acme-secret');
      assert.equal(c.status, 'active');
      for (const k of OIDC_URLS) assert.equal(c[k], issuer.urls[k], `${k} kept`);
      assert.deepEqual(await listed(id), c);
    });

    test('explicit URLs in the body win over the discovered ones', async () => {
      const { connection_id: id } = await newOidc('explicit wins');
      const { connection: c, warning } = await as(F.alice).sso.oidc.updateConnection({
        connection_id: id, issuer: issuer2.issuer, token_url: 'https://tokens.acme.test/token',
      });
      assert.equal(warning, undefined);
      assert.equal(c.token_url, 'https://tokens.acme.test/token');
      for (const k of ['authorization_url', 'userinfo_url', 'jwks_url']) assert.equal(c[k], issuer2.urls[k], k);
    });

    test('every other documented field is stored', async () => {
      const { connection_id: id } = await newOidc('fields');
      const { connection: c } = await as(F.alice).sso.oidc.updateConnection({
        connection_id: id,
        display_name: 'Acme Okta OIDC',
        identity_provider: 'okta',
        custom_scopes: 'openid profile email groups',
        attribute_mapping: { email: 'email', full_name: 'name' },
        authorization_url: 'https://idp.acme.test/authorize',
        token_url: 'https://idp.acme.test/token',
        userinfo_url: 'https://idp.acme.test/userinfo',
        jwks_url: 'https://idp.acme.test/jwks',
      });
      assertOidc(c, { org: F.acmeOrg });
      assert.equal(c.display_name, 'Acme Okta OIDC');
      assert.equal(c.identity_provider, 'okta');
      assert.equal(c.custom_scopes, 'openid profile email groups');
      assert.deepEqual(c.attribute_mapping, { email: 'email', full_name: 'name' });
      assert.equal(c.authorization_url, 'https://idp.acme.test/authorize');
      assert.equal(c.jwks_url, 'https://idp.acme.test/jwks');
      assert.equal(c.status, 'pending', 'no issuer nor client credentials');
      // Empty strings and absent fields keep what is stored.
      const { connection: again } = await as(F.alice).sso.oidc.updateConnection({
        connection_id: id, display_name: '', token_url: '',
      });
      assert.equal(again.display_name, 'Acme Okta OIDC');
      assert.equal(again.token_url, 'https://idp.acme.test/token');
    });

    test('an unreachable issuer: the update succeeds with a warning', async () => {
      const { connection_id: id } = await newOidc('unreachable issuer');
      const t0 = Date.now();
      const resp = await as(F.alice).sso.oidc.updateConnection({
        connection_id: id, issuer: UNREACHABLE_ISSUER, client_id: 'cid',
      });
      assert.ok(Date.now() - t0 < 5000, 'fails fast');
      assertCommon(resp);
      assert.equal(typeof resp.warning, 'string', `a warning string, got ${JSON.stringify(resp)}`);
      assert.ok(resp.warning.length > 0);
      const c = resp.connection;
      assertOidc(c, { org: F.acmeOrg });
      assert.equal(c.issuer, UNREACHABLE_ISSUER);
      assert.equal(c.client_id, 'cid');
      for (const k of OIDC_URLS) assert.equal(c[k], '', `${k} not filled`);
      assert.equal(c.status, 'pending');
    });

    test('an issuer that never answers: a warning after the fetch timeout, not a hang', async () => {
      const silent = await startIssuer({ slow: true, lifetimeMs: 15000 });
      try {
        const { connection_id: id } = await newOidc('silent issuer');
        const t0 = Date.now();
        const resp = await as(F.alice).sso.oidc.updateConnection({ connection_id: id, issuer: silent.issuer });
        const took = Date.now() - t0;
        assert.ok(took < 8000, `gave up within the fetch timeout (took ${took} ms)`);
        assert.equal(typeof resp.warning, 'string');
        assert.equal(resp.connection.issuer, silent.issuer);
        assert.equal(silent.hits.length, 1, 'the issuer was asked');
      } finally {
        await silent.close();
      }
    });

    test('bob -> 403 and nothing changes; carol (sso_manager) may update', async () => {
      const { connection_id: id } = await newOidc('rbac');
      await rejectsWithApiError(as(F.bob).sso.oidc.updateConnection({ connection_id: id, display_name: 'bob' }),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      assert.equal((await listed(id)).display_name, 'rbac');
      const { connection } = await as(F.carol).sso.oidc.updateConnection({ connection_id: id, display_name: 'carol' });
      assert.equal(connection.display_name, 'carol');
    });

    test('unknown id, a SAML id, or another organization\'s connection -> 404 oidc_connection_not_found', async () => {
      await rejectsWithApiError(as(F.alice).sso.oidc.updateConnection({ connection_id: UNKNOWN_OIDC, display_name: 'x' }),
        404, 'oidc_connection_not_found', { ...API_ERR, message: new RegExp(UNKNOWN_OIDC) });
      await rejectsWithApiError(as(F.alice).sso.oidc.updateConnection({ connection_id: F.globexOidc, display_name: 'x' }),
        404, 'oidc_connection_not_found', API_ERR);
      const { connection: saml } = await as(F.alice).sso.saml.createConnection({ display_name: 'not OIDC' });
      await rejectsWithApiError(
        as(F.alice).sso.oidc.updateConnection({ connection_id: saml.connection_id, display_name: 'x' }),
        404, 'oidc_connection_not_found', API_ERR);
      assert.equal((await listed(F.globexOidc, F.grace)).display_name, 'Globex Google');
    });

    test('invalid input -> 400 and nothing changes', async () => {
      const { connection_id: id } = await newOidc('invalid input');
      await rejectsWithApiError(
        as(F.alice).sso.oidc.updateConnection({ connection_id: id, display_name: 'no', identity_provider: 'myspace' }),
        400, 'invalid_sso_idp', API_ERR);
      await rejectsWithApiError(
        as(F.alice).sso.oidc.updateConnection({ connection_id: id, display_name: 'no', client_id: 7 }),
        400, 'bad_request', { ...API_ERR, message: /client_id/ });
      await rejectsWithApiError(
        as(F.alice).sso.oidc.updateConnection({ connection_id: id, display_name: 'no', attribute_mapping: ['email'] }),
        400, 'bad_request', { ...API_ERR, message: /attribute_mapping/ });
      assert.equal((await listed(id)).display_name, 'invalid input');
    });
  });

  describe('sso.discoverConnections', () => {
    test('lists the active connections of the organizations allowing the email domain', async () => {
      // Activate a SAML connection of Acme through its metadata, and an OIDC one through discovery.
      const { connection: saml } = await as(F.alice).sso.saml.createConnection({ display_name: 'Acme discoverable' });
      await as(F.alice).sso.saml.updateConnectionByURL({ connection_id: saml.connection_id, metadata_url: docs.url('idp-metadata.xml') });
      const { connection_id: oidc } = await newOidc('Acme OIDC discoverable');
      await as(F.alice).sso.oidc.updateConnection({
        connection_id: oidc, issuer: issuer.issuer, client_id: 'c', client_secret: 's',
      });
      const { connection_id: pending } = await newOidc('Acme pending');

      fe.useSession(null); // public: works without a session (public_token:public_token)
      const resp = await fe.client.sso.discoverConnections('someone@acme.test');
      assertCommon(resp);
      assert.ok(Array.isArray(resp.connections), JSON.stringify(resp));
      const ids = resp.connections.map((c) => c.connection_id);
      assert.ok(ids.includes(saml.connection_id), 'the active SAML connection');
      assert.ok(ids.includes(oidc), 'the active OIDC connection');
      assert.ok(!ids.includes(pending), 'not a pending one');
      assert.ok(!ids.includes(F.globexSaml), 'not another domain\'s');
      const s = resp.connections.find((c) => c.connection_id === saml.connection_id);
      assert.equal(s.display_name, 'Acme discoverable');
      assert.equal(s.identity_provider, 'generic');
      for (const c of resp.connections) {
        assert.equal(typeof c.display_name, 'string');
        assert.equal(typeof c.identity_provider, 'string');
        if ('sso_url' in c) assert.equal(typeof c.sso_url, 'string');
      }
    });

    test('with a session as well; another domain gets its own connections; an unknown domain none', async () => {
      const globex = await as(F.alice).sso.discoverConnections('Someone.Else@globex.test');
      const g = globex.connections.find((c) => c.connection_id === F.globexSaml);
      assert.ok(g, `the Globex SAML connection: ${JSON.stringify(globex)}`);
      assert.equal(g.display_name, 'Globex Okta');
      assert.equal(g.identity_provider, 'okta');
      assert.ok(!globex.connections.some((c) => c.connection_id === F.globexOidc), 'pending OIDC is left out');
      assert.ok(globex.connections.some((c) => c.connection_id === F.globexOidcActive), 'active OIDC is listed');
      // The SDK percent-encodes the address ('+' as %2B, '@' as %40): it must arrive decoded.
      const tagged = await as(F.alice).sso.discoverConnections('first.last+sso@globex.test');
      assert.deepEqual(tagged.connections, globex.connections);
      const none = await as(F.alice).sso.discoverConnections('nobody@unknown.test');
      assertCommon(none);
      assert.deepEqual(none.connections, []);
    });

    test('not an email address -> 400 bad_request', async () => {
      fe.useSession(null);
      await rejectsWithApiError(fe.client.sso.discoverConnections('not-an-email'),
        400, 'bad_request', { ...API_ERR, message: /email_address/ });
      await rejectsWithApiError(fe.client.sso.discoverConnections(''),
        400, 'bad_request', { ...API_ERR, message: /email_address/ });
    });

    test('a wrong public token -> 401 unauthorized_credentials', async () => {
      const wrong = createFrontend(server.url, { publicToken: 'public-token-test-00000000-0000-4000-8000-000000000000' });
      try {
        await rejectsWithApiError(wrong.client.sso.discoverConnections('someone@acme.test'),
          401, 'unauthorized_credentials', { ...API_ERR, message: MSG.unauthorized });
      } finally {
        wrong.close();
        fe.useSession(F.alice);
      }
    });
  });
});
