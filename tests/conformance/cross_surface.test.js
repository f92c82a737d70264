'use strict';
// One store behind two surfaces (API.md §1): what the backend client (stytch 14.2.0) makes, the
// frontend SDK (@stytch/vanilla-js 6.3.0) sees, and the other way round; and deleting a connection
// that External connections of other organizations point at removes those External connections
// (the server's chosen behaviour, README "Deleting a connection that External connections use").
//
// Requests: as recorded at the top of frontend_*.test.js and backend_*.test.js. The frontend
// sees an object inside {"data": ...}, the backend the bare body: the SDK unwraps `data`, so the
// two resolved objects must be equal.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend } = require('./lib/frontend');
const { makeClient } = require('./lib/backend');
const { F, assertCommon } = require('./lib/fixtures');
const { assertSaml, assertOidc, assertExternal, assertScim } = require('./lib/shapes');
const D = require('./lib/data');

const ACME = { organization_id: F.acmeOrg };
const GLOBEX = { organization_id: F.globexOrg };

// saml_encryption_private_keys is the SDK type's name for encryption_private_keys (API.md §3):
// compare the rest, and that list separately where it matters.
const sameConn = (a, b, msg) => {
  const strip = ({ saml_encryption_private_keys: _, ...rest }) => rest;
  assert.deepEqual(strip(a), strip(b), msg);
};

describe('both surfaces share one store', () => {
  let server;
  let fe;
  let api;
  const as = (session) => fe.useSession(session);
  const find = (list, id) => list.find((c) => c.connection_id === id);

  before(async () => {
    server = await startServer(['--metadata-dir', D.DATA_DIR]);
    fe = createFrontend(server.url, { session: F.alice });
    api = makeClient(server.url);
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  test('SAML made and completed by the backend is listed by the SDK, and found by SDK discovery', async () => {
    const { connection } = await api.sso.saml.createConnection({ ...ACME, display_name: 'From the backend' });
    const { connection: done } = await api.sso.saml.updateByURL({
      ...ACME, connection_id: connection.connection_id, metadata_url: D.metadata.url,
    });
    assert.equal(done.status, 'active');
    const listed = find((await as(F.alice).sso.getConnections()).saml_connections, connection.connection_id);
    assert.ok(listed, 'the SDK lists it');
    assertSaml(listed, { org: F.acmeOrg, sdk: true });
    sameConn(listed, done, 'the same object on both surfaces');
    const found = await as(F.alice).sso.discoverConnections('someone@acme.test');
    assert.ok(found.connections.some((c) => c.connection_id === connection.connection_id), 'discoverable');
  });

  test('SAML updated by the SDK: the backend sees the certificate; deleted by the backend: the SDK sees it gone', async () => {
    const { connection } = await as(F.alice).sso.saml.createConnection({ display_name: 'From the SDK' });
    const { connection: upd } = await as(F.alice).sso.saml.updateConnection({
      connection_id: connection.connection_id, x509_certificate: D.certs[3].pem, saml_encryption_private_key: D.encryptionKeys[1],
    });
    const seen = find((await api.sso.getConnections(ACME)).saml_connections, connection.connection_id);
    assertSaml(seen, { org: F.acmeOrg });
    sameConn(seen, upd);
    assert.deepEqual(seen.encryption_private_keys, upd.saml_encryption_private_keys, 'the same key under both names');

    const certId = upd.verification_certificates[0].certificate_id;
    await api.sso.saml.deleteVerificationCertificate({ ...ACME, connection_id: connection.connection_id, certificate_id: certId });
    const keyId = upd.encryption_private_keys[0].private_key_id;
    await api.sso.saml.deleteEncryptionPrivateKey({ ...ACME, connection_id: connection.connection_id, private_key_id: keyId });
    const after = find((await as(F.alice).sso.getConnections()).saml_connections, connection.connection_id);
    assert.deepEqual(after.verification_certificates, []);
    assert.deepEqual(after.encryption_private_keys, []);
    assert.deepEqual(after.saml_encryption_private_keys, []);
  });

  test('OIDC made by the SDK, updated by the backend, read back by the SDK', async () => {
    const { connection } = await as(F.alice).sso.oidc.createConnection({ display_name: 'SDK OIDC' });
    const onBackend = find((await api.sso.getConnections(ACME)).oidc_connections, connection.connection_id);
    assert.deepEqual(onBackend, connection);
    const { connection: upd } = await api.sso.oidc.updateConnection({
      ...ACME, connection_id: connection.connection_id, client_id: 'from-backend', display_name: 'Backend renamed',
    });
    const onSdk = find((await as(F.alice).sso.getConnections()).oidc_connections, connection.connection_id);
    assertOidc(onSdk, { org: F.acmeOrg });
    assert.deepEqual(onSdk, upd);
    assert.equal(onSdk.client_id, 'from-backend');
  });

  test('External made by the backend, updated by the SDK', async () => {
    const { connection } = await api.sso.external.createConnection({
      ...ACME, external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive, display_name: 'Backend ext',
    });
    const { connection: upd } = await as(F.alice).sso.external.updateConnection({
      connection_id: connection.connection_id, display_name: 'SDK renamed',
    });
    const onBackend = find((await api.sso.getConnections(ACME)).external_connections, connection.connection_id);
    assertExternal(onBackend, { org: F.acmeOrg });
    assert.deepEqual(onBackend, upd);
    assert.equal(onBackend.display_name, 'SDK renamed');
    await as(F.alice).sso.deleteConnection(connection.connection_id);
    assert.equal(find((await api.sso.getConnections(ACME)).external_connections, connection.connection_id), undefined);
  });

  test('SCIM made by the SDK, rotated across both surfaces, deleted by the backend', async () => {
    const { connection } = await as(F.alice).scim.createConnection({ display_name: 'SDK SCIM' });
    const ref = { ...ACME, connection_id: connection.connection_id };
    const got = await api.scim.connection.get(ACME);
    assertScim(got.connection, { org: F.acmeOrg });
    assert.equal(got.connection.connection_id, connection.connection_id);
    assert.equal(got.connection.bearer_token_last_four, connection.bearer_token.slice(-4));

    const { connection: started } = await api.scim.connection.rotateStart(ref);
    const onSdk = (await as(F.alice).scim.getConnection()).connection;
    assert.equal(onSdk.next_bearer_token_last_four, started.next_bearer_token.slice(-4));
    const { connection: done } = await as(F.alice).scim.rotateComplete(connection.connection_id);
    assert.equal(done.bearer_token_last_four, started.next_bearer_token.slice(-4));
    assert.deepEqual((await api.scim.connection.get(ACME)).connection, done);

    await api.scim.connection.delete(ref);
    const gone = await as(F.alice).scim.getConnection();
    assertCommon(gone);
    assert.equal('connection' in gone, false);
  });

  describe('deleting a connection removes the External connections of other organizations using it', () => {
    let toSaml;
    let toOidc;

    before(async () => {
      ({ connection: { connection_id: toSaml } } = await as(F.alice).sso.external.createConnection({
        external_organization_id: F.globexOrg, external_connection_id: F.globexSaml, display_name: 'via Globex SAML',
      }));
      ({ connection: { connection_id: toOidc } } = await api.sso.external.createConnection({
        ...ACME, external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive, display_name: 'via Globex OIDC',
      }));
    });

    test('Globex deletes its SAML connection through the SDK: Acme\'s External connection to it goes', async () => {
      const resp = await as(F.grace).sso.deleteConnection(F.globexSaml);
      assert.equal(resp.connection_id, F.globexSaml);
      const acme = await api.sso.getConnections(ACME);
      assert.equal(find(acme.external_connections, toSaml), undefined, 'the External connection to it is gone');
      assert.ok(find(acme.external_connections, toOidc), 'the one to the OIDC connection stays');
      assert.equal(find((await api.sso.getConnections(GLOBEX)).saml_connections, F.globexSaml), undefined);
      // The External connection id is gone for good.
      const sdk = await as(F.alice).sso.getConnections();
      assert.equal(find(sdk.external_connections, toSaml), undefined);
    });

    test('Globex deletes its OIDC connection through the backend: the SDK no longer lists Acme\'s External one', async () => {
      const resp = await api.sso.deleteConnection({ ...GLOBEX, connection_id: F.globexOidcActive });
      assert.equal(resp.connection_id, F.globexOidcActive);
      const acme = await as(F.alice).sso.getConnections();
      assert.equal(find(acme.external_connections, toOidc), undefined);
      assert.deepEqual(acme.external_connections, [], 'no External connection of Acme is left');
    });
  });
});
