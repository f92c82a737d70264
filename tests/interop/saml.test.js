'use strict';
// SAML interoperability (SIGNIN.md 6): @node-saml/node-saml as a service provider signing in through
// ssoemu's built-in IdP (its metadata certificate, signatures and Destination checked by node-saml),
// and samlify as an outside identity provider answering ssoemu's signed AuthnRequest.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { SAML } = require('@node-saml/node-saml');
const samlify = require('samlify');

const { startServer, REPO_ROOT } = require('./lib/server');

const API_AUTH = 'Basic ' + Buffer.from('project-test-11111111-1111-4111-8111-111111111111:secret-test-ssoemu-local-secret-0000000000000').toString('base64');
const ACME = 'organization-test-aaaaaaaa-0000-4000-8000-000000000001';
const PT = 'public-token-test-11111111-1111-4111-8111-111111111111';

async function api(base, method, p, body) {
  const r = await fetch(new URL(p, base), {
    method, headers: { Authorization: API_AUTH, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

describe('SAML interoperability', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { if (server) await server.stop(); });

  test('node-saml as SP signs in through the built-in IdP', async () => {
    const cert = await (await fetch(new URL('/_emulator/idp/saml/certificate', server.url))).text();
    const metadata = await (await fetch(new URL('/_emulator/idp/saml/metadata', server.url))).text();
    assert.match(metadata, /entityID="urn:ssoemu:idp:saml"/);
    const sp = new SAML({
      entryPoint: new URL('/_emulator/idp/saml/sso', server.url).href,
      issuer: 'urn:interop:node-saml-sp',
      callbackUrl: 'http://127.0.0.1:1/acs',
      idpCert: cert,
      idpIssuer: 'urn:ssoemu:idp:saml',
      audience: 'urn:interop:node-saml-sp',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    });
    const url = new URL(await sp.getAuthorizeUrlAsync('relay-1', undefined, {}));
    url.searchParams.set('login_hint', 'grace@globex.test');
    const r = await fetch(url, { redirect: 'manual' });
    assert.equal(r.status, 302, await r.text());
    const acs = new URL(r.headers.get('location'));
    assert.equal(acs.origin + acs.pathname, 'http://127.0.0.1:1/acs');
    assert.equal(acs.searchParams.get('RelayState'), 'relay-1');
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: acs.searchParams.get('SAMLResponse') });
    assert.equal(profile.nameID, 'grace@globex.test');
    assert.equal(profile.email, 'grace@globex.test');
    assert.equal(profile.issuer, 'urn:ssoemu:idp:saml');
    // A tampered response from the same IdP is refused by node-saml too.
    await fetch(new URL('/_emulator/sso/presets', server.url), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ protocol: 'saml', outcome: 'tampered', email: 'grace@globex.test' }),
    });
    const r2 = await fetch(new URL(await sp.getAuthorizeUrlAsync('relay-2', undefined, {})), { redirect: 'manual' });
    const bad = new URL(r2.headers.get('location')).searchParams.get('SAMLResponse');
    await assert.rejects(sp.validatePostResponseAsync({ SAMLResponse: bad }));
  });

  test('samlify as IdP answers ssoemu\'s AuthnRequest and ssoemu signs the member in', async () => {
    samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped: schema validation is not under test') });
    const idpKey = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/idp/rogue-key.pem'), 'utf8');
    const idpCert = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/idp/rogue-cert.pem'), 'utf8');
    // A connection trusting samlify's certificate.
    let res = await api(server.url, 'POST', `/v1/b2b/sso/saml/${ACME}`, { display_name: 'samlify' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const conn = res.body.connection;
    // The SP's own signing key, so that samlify can check the AuthnRequest's Redirect signature.
    const { privateKey: spKey } = require('node:crypto').generateKeyPairSync('rsa', {
      modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    res = await api(server.url, 'PUT', `/v1/b2b/sso/saml/${ACME}/connections/${conn.connection_id}`, {
      idp_entity_id: 'urn:interop:samlify-idp', idp_sso_url: 'https://samlify-idp.example/sso',
      x509_certificate: idpCert, attribute_mapping: { email: 'email', full_name: 'name' }, signing_private_key: spKey,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.connection.status, 'active');
    const acsUrl = res.body.connection.acs_url;

    const idp = samlify.IdentityProvider({
      entityID: 'urn:interop:samlify-idp', privateKey: idpKey, signingCert: idpCert,
      isAssertionEncrypted: false, wantAuthnRequestsSigned: true,
      singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: 'https://samlify-idp.example/sso' }],
      nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
      loginResponseTemplate: {
        context: samlify.SamlLib.defaultLoginResponseTemplate.context,
        attributes: [{ name: 'email', valueTag: 'user.email', nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', valueXsiType: 'xs:string' }],
      },
    });
    const sp = samlify.ServiceProvider({
      entityID: res.body.connection.audience_uri, wantAssertionsSigned: true, authnRequestsSigned: true,
      signingCert: res.body.connection.signing_certificates[0].certificate,
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: acsUrl }],
    });
    const start = await fetch(new URL(`/v1/public/sso/start?public_token=${PT}&connection_id=${conn.connection_id}`, server.url),
      { redirect: 'manual' });
    assert.equal(start.status, 302);
    const authn = new URL(start.headers.get('location'));
    assert.equal(authn.origin + authn.pathname, 'https://samlify-idp.example/sso');
    // The signed octet string: the raw query up to the Signature parameter (SAML Bindings 3.4.4.1).
    const octet = authn.search.slice(1).split('&Signature=')[0];
    const parsed = await idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(authn.searchParams), octetString: octet });
    const requestId = parsed.extract.request.id;
    assert.match(requestId, /^_[0-9a-f]{40}$/);
    // The same request with its signature altered is refused by samlify.
    const forged = new URLSearchParams(authn.searchParams);
    forged.set('RelayState', 'forged');
    await assert.rejects(idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(forged), octetString: forged.toString().split('&Signature=')[0] }));
    const { context } = await idp.createLoginResponse(sp, { extract: { request: { id: requestId } } }, 'post',
      { email: 'alice@acme.test' }, (template) => {
        const now = new Date();
        const later = new Date(now.getTime() + 300000);
        const id = '_' + require('node:crypto').randomBytes(16).toString('hex');
        const tags = {
          ID: id, AssertionID: '_' + require('node:crypto').randomBytes(16).toString('hex'),
          Destination: acsUrl, Audience: sp.entityMeta.getEntityID(), SubjectRecipient: acsUrl,
          NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', NameID: 'alice@acme.test',
          Issuer: 'urn:interop:samlify-idp', IssueInstant: now.toISOString(), ConditionsNotBefore: now.toISOString(),
          ConditionsNotOnOrAfter: later.toISOString(), SubjectConfirmationDataNotOnOrAfter: later.toISOString(),
          AssertionConsumerServiceURL: acsUrl, EntityID: sp.entityMeta.getEntityID(), InResponseTo: requestId,
          StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success', attrUserEmail: 'alice@acme.test',
        };
        return { id, context: samlify.SamlLib.replaceTagsByValue(template, tags) };
      }, undefined, authn.searchParams.get('RelayState'));
    const cb = await fetch(new URL(new URL(acsUrl).pathname, server.url), {
      method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: context, RelayState: authn.searchParams.get('RelayState') }),
    });
    const text = await cb.text();
    assert.equal(cb.status, 302, text);
    const app = new URL(cb.headers.get('location'));
    assert.equal(app.searchParams.get('stytch_token_type'), 'sso');
    const auth = await fetch(new URL('/v1/b2b/sso/authenticate', server.url), {
      method: 'POST', headers: { Authorization: API_AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sso_token: app.searchParams.get('token') }),
    });
    const body = await auth.json();
    assert.equal(auth.status, 200, JSON.stringify(body));
    assert.equal(body.member.email_address, 'alice@acme.test');
    assert.equal(body.organization_id, ACME);
  });
});
