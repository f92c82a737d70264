'use strict';
// The frontend SDK (@stytch/vanilla-js 6.3.0) on SAML connections after create: update, update by
// metadata URL, deleting verification certificates and encryption keys, deleting the connection
// (API.md §2-§4).
//
// Requests the SDK sends (recorded against a logging server; Authorization Basic
// public_token:session_token, Content-Type application/json, no body where none is shown):
//   sso.saml.updateConnection({connection_id, ...fields})
//     PUT    /sdk/v1/b2b/sso/saml/{connection_id}               body {connection_id, ...fields}
//   sso.saml.updateConnectionByURL({connection_id, metadata_url})
//     PUT    /sdk/v1/b2b/sso/saml/{connection_id}/url           body {connection_id, metadata_url}
//   sso.saml.deleteVerificationCertificate({connection_id, certificate_id})
//     DELETE /sdk/v1/b2b/sso/saml/{connection_id}/verification_certificates/{certificate_id}
//   sso.saml.deleteEncryptionPrivateKey({connection_id, private_key_id})
//     DELETE /sdk/v1/b2b/sso/saml/{connection_id}/encryption_private_key/{private_key_id}  (singular)
//   sso.deleteConnection(connection_id)
//     DELETE /sdk/v1/b2b/sso/{connection_id}
//   sso.getConnections()  GET /sdk/v1/b2b/sso ;  sso.saml.createConnection(o)  POST /sdk/v1/b2b/sso/saml body o
// Ids are put into the path raw (no encodeURIComponent).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { startDocs } = require('./lib/docs');
const { createFrontend } = require('./lib/frontend');
const { F, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');
const { assertSaml, RE_VERIFICATION, RE_ENCRYPTION } = require('./lib/shapes');
const D = require('./lib/data');

const API_ERR = { name: 'StytchAPIError' };
const UNKNOWN_CERT = 'saml-verification-key-test-00000000-0000-4000-8000-0000000000ff';
const UNKNOWN_KEY = 'saml-encryption-key-test-00000000-0000-4000-8000-0000000000ff';
const COMPLETE = {
  idp_entity_id: 'https://idp.acme.test/entity',
  idp_sso_url: 'https://idp.acme.test/sso',
};

describe('frontend SDK: SAML connection updates and deletes', () => {
  let server;
  let fe;
  let docs;
  let metadataUrl;
  const as = (session) => fe.useSession(session);

  // A fresh SAML connection of Acme (alice).
  async function newSaml(display_name = 'conformance') {
    const { connection } = await as(F.alice).sso.saml.createConnection({ display_name });
    return connection;
  }
  // The connection as sso.getConnections lists it for `session` (default alice).
  async function listed(id, session = F.alice) {
    const resp = await as(session).sso.getConnections();
    return resp.saml_connections.find((c) => c.connection_id === id);
  }

  before(async () => {
    // The frontend surface never reads file:// metadata: it is served over loopback http.
    [server, docs] = await Promise.all([startServer(), startDocs()]);
    metadataUrl = docs.url('idp-metadata.xml');
    fe = createFrontend(server.url, { session: F.alice });
  });
  after(async () => {
    if (fe) fe.close();
    if (docs) await docs.close();
    if (server) await server.stop();
  });

  describe('sso.saml.updateConnection', () => {
    let id;

    test('entity id, SSO URL and an x509 certificate make the connection active', async () => {
      id = (await newSaml('Acme Okta')).connection_id;
      const resp = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, ...COMPLETE, x509_certificate: D.certs[0].pem,
      });
      assertCommon(resp);
      const c = resp.connection;
      assertSaml(c, { org: F.acmeOrg, sdk: true });
      assert.equal(c.connection_id, id);
      assert.equal(c.status, 'active');
      assert.equal(c.idp_entity_id, COMPLETE.idp_entity_id);
      assert.equal(c.idp_sso_url, COMPLETE.idp_sso_url);
      assert.equal(c.display_name, 'Acme Okta', 'untouched');
      assert.equal(c.identity_provider, 'generic', 'untouched');
      assert.equal(c.verification_certificates.length, 1);
      const v = c.verification_certificates[0];
      assert.match(v.certificate_id, RE_VERIFICATION);
      assert.equal(v.issuer, D.certs[0].issuerCN, 'issuer is the certificate issuer CN');
      assert.equal(v.created_at, D.certs[0].notBefore);
      assert.equal(v.expires_at, D.certs[0].notAfter);
      assert.equal(D.fingerprint(v.certificate), D.certs[0].fingerprint, 'the certificate given');
    });

    test('every other documented field is stored and returned', async () => {
      const resp = await as(F.alice).sso.saml.updateConnection({
        connection_id: id,
        display_name: 'Acme Okta (prod)',
        attribute_mapping: { email: 'mail', full_name: 'displayName', groups: 'memberOf' },
        alternative_audience_uri: 'https://sp.acme.test/audience',
        alternative_acs_url: 'https://sp.acme.test/acs',
        identity_provider: 'okta',
        nameid_format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        idp_initiated_auth_disabled: true,
        allow_gateway_callback: true,
        saml_connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
        saml_group_implicit_role_assignments: [{ role_id: 'sso_manager', group: 'it' }],
      });
      assertCommon(resp);
      const c = resp.connection;
      assertSaml(c, { org: F.acmeOrg, sdk: true });
      assert.equal(c.display_name, 'Acme Okta (prod)');
      assert.deepEqual(c.attribute_mapping, { email: 'mail', full_name: 'displayName', groups: 'memberOf' });
      assert.equal(c.alternative_audience_uri, 'https://sp.acme.test/audience');
      assert.equal(c.alternative_acs_url, 'https://sp.acme.test/acs');
      assert.equal(c.identity_provider, 'okta');
      assert.equal(c.nameid_format, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
      assert.equal(c.idp_initiated_auth_disabled, true);
      assert.equal(c.allow_gateway_callback, true);
      assert.deepEqual(c.saml_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
      assert.deepEqual(c.saml_group_implicit_role_assignments, [{ role_id: 'sso_manager', group: 'it' }]);
      assert.equal(c.verification_certificates.length, 1, 'certificates untouched');
      assert.equal(c.status, 'active');
      assert.deepEqual(await listed(id), c, 'sso.getConnections lists the same object');
    });

    test('absent fields and empty strings keep values; a present list replaces the list', async () => {
      const { connection: c } = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, display_name: '', idp_sso_url: '', saml_group_implicit_role_assignments: [],
      });
      assert.equal(c.display_name, 'Acme Okta (prod)');
      assert.equal(c.idp_sso_url, COMPLETE.idp_sso_url);
      assert.deepEqual(c.saml_group_implicit_role_assignments, []);
      assert.deepEqual(c.saml_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
      assert.equal(c.idp_initiated_auth_disabled, true);
      assert.equal(c.status, 'active');
    });

    test('booleans can be switched back off', async () => {
      const { connection: c } = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, idp_initiated_auth_disabled: false, allow_gateway_callback: false,
      });
      assert.equal(c.idp_initiated_auth_disabled, false);
      assert.equal(c.allow_gateway_callback, false);
    });

    test('signing_private_key replaces the signing certificate with one of that key', async () => {
      const before = (await listed(id)).signing_certificates[0];
      const { connection: c } = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, signing_private_key: D.signingKey,
      });
      assertSaml(c, { org: F.acmeOrg, sdk: true });
      assert.equal(c.signing_certificates.length, 1, 'replaced, not added');
      const cert = c.signing_certificates[0];
      assert.equal(D.spki(cert.certificate), D.spki(D.signingKey), 'certificate of the given key');
      assert.notEqual(D.spki(before.certificate), D.spki(D.signingKey));
      assert.notEqual(cert.certificate_id, before.certificate_id);
    });

    test('saml_encryption_private_key adds an encryption key (both list names on the SDK surface)', async () => {
      let { connection: c } = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, saml_encryption_private_key: D.encryptionKeys[0],
      });
      assertSaml(c, { org: F.acmeOrg, sdk: true });
      assert.equal(c.encryption_private_keys.length, 1);
      const k = c.encryption_private_keys[0];
      assert.match(k.private_key_id, RE_ENCRYPTION);
      assert.equal(k.private_key.trim(), D.encryptionKeys[0].trim(), 'the PEM as given');
      ({ connection: c } = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, saml_encryption_private_key: D.encryptionKeys[1],
      }));
      assert.equal(c.encryption_private_keys.length, 2, 'added, not replaced');
      assert.deepEqual(c.saml_encryption_private_keys, c.encryption_private_keys);
    });

    test('carol (sso_manager: update) may update', async () => {
      const { connection: c } = await as(F.carol).sso.saml.updateConnection({
        connection_id: id, display_name: 'Carol was here',
      });
      assert.equal(c.display_name, 'Carol was here');
    });

    describe('errors change nothing', () => {
      test('bob (no stytch.sso:update) -> 403 session_authorization_error', async () => {
        await rejectsWithApiError(
          as(F.bob).sso.saml.updateConnection({ connection_id: id, display_name: 'bob' }),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
        assert.equal((await listed(id)).display_name, 'Carol was here');
      });

      test('unknown id, or a connection of another organization -> 404 saml_connection_not_found', async () => {
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({ connection_id: F.unknownSaml, display_name: 'x' }),
          404, 'saml_connection_not_found', { ...API_ERR, message: new RegExp(F.unknownSaml) });
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({ connection_id: F.globexSaml, display_name: 'x' }),
          404, 'saml_connection_not_found', API_ERR);
        assert.equal((await listed(F.globexSaml, F.grace)).display_name, 'Globex Okta');
      });

      test('an OIDC connection id -> 404 saml_connection_not_found', async () => {
        const { connection } = await as(F.alice).sso.oidc.createConnection({ display_name: 'not SAML' });
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({ connection_id: connection.connection_id, display_name: 'x' }),
          404, 'saml_connection_not_found', API_ERR);
      });

      test('a PEM that is no certificate -> 400 invalid_x509_certificate', async () => {
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({
            connection_id: id, display_name: 'must not stick',
            x509_certificate: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
          }),
          400, 'invalid_x509_certificate', API_ERR);
        const c = await listed(id);
        assert.equal(c.display_name, 'Carol was here');
        assert.equal(c.verification_certificates.length, 1);
      });

      test('an unknown identity_provider -> 400 invalid_sso_idp', async () => {
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({ connection_id: id, identity_provider: 'not-an-idp' }),
          400, 'invalid_sso_idp', API_ERR);
        assert.equal((await listed(id)).identity_provider, 'okta');
      });

      test('a role the policy lacks -> 400 invalid_rbac_role_id', async () => {
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({
            connection_id: id, display_name: 'must not stick',
            saml_connection_implicit_role_assignments: [{ role_id: 'no_such_role' }],
          }),
          400, 'invalid_rbac_role_id', { ...API_ERR, message: /no_such_role/ });
        const c = await listed(id);
        assert.equal(c.display_name, 'Carol was here');
        assert.deepEqual(c.saml_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
      });

      test('group assignments without a groups mapping -> 400 saml_connection_attribute_mapping_missing_groups_key', async () => {
        const fresh = await newSaml('no groups mapping');
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({
            connection_id: fresh.connection_id,
            saml_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group: 'admins' }],
          }),
          400, 'saml_connection_attribute_mapping_missing_groups_key', API_ERR);
        // Dropping the groups key while group assignments exist is refused as well.
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({
            connection_id: id, attribute_mapping: { email: 'mail' },
            saml_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group: 'admins' }],
          }),
          400, 'saml_connection_attribute_mapping_missing_groups_key', API_ERR);
        assert.deepEqual((await listed(fresh.connection_id)).saml_group_implicit_role_assignments, []);
        assert.ok('groups' in (await listed(id)).attribute_mapping);
      });

      test('a field of the wrong type -> 400 bad_request naming it', async () => {
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({ connection_id: id, idp_initiated_auth_disabled: 'yes' }),
          400, 'bad_request', { ...API_ERR, message: /idp_initiated_auth_disabled/ });
        await rejectsWithApiError(
          as(F.alice).sso.saml.updateConnection({ connection_id: id, attribute_mapping: 'email' }),
          400, 'bad_request', { ...API_ERR, message: /attribute_mapping/ });
      });
    });
  });

  describe('sso.saml.updateConnectionByURL', () => {
    test('a file:// metadata URL sets entity id, SSO URL (HTTP-Redirect) and a verification certificate', async () => {
      const { connection_id: id } = await newSaml('from metadata');
      const resp = await as(F.alice).sso.saml.updateConnectionByURL({ connection_id: id, metadata_url: metadataUrl });
      assertCommon(resp);
      const c = resp.connection;
      assertSaml(c, { org: F.acmeOrg, sdk: true });
      assert.equal(c.connection_id, id);
      assert.equal(c.idp_entity_id, D.metadata.entityId);
      assert.equal(c.idp_sso_url, D.metadata.ssoUrl);
      assert.equal(c.verification_certificates.length, 1);
      const v = c.verification_certificates[0];
      assert.equal(D.fingerprint(v.certificate), D.metadata.cert.fingerprint);
      assert.equal(v.issuer, D.metadata.cert.issuerCN);
      assert.equal(v.created_at, D.metadata.cert.notBefore);
      assert.equal(v.expires_at, D.metadata.cert.notAfter);
      assert.equal(c.status, 'active', 'the default mapping has email: complete');
      assert.deepEqual(await listed(id), c);
    });

    test('an unreachable URL -> 400 invalid_saml_metadata_url, nothing changes', async () => {
      const { connection_id: id } = await newSaml('unreachable metadata');
      const t0 = Date.now();
      await rejectsWithApiError(
        as(F.alice).sso.saml.updateConnectionByURL({ connection_id: id, metadata_url: 'http://127.0.0.1:1/x' }),
        400, 'invalid_saml_metadata_url', API_ERR);
      assert.ok(Date.now() - t0 < 5000, 'fails fast');
      const c = await listed(id);
      assert.equal(c.idp_entity_id, '');
      assert.deepEqual(c.verification_certificates, []);
    });

    test('a metadata URL to a missing document -> 400 invalid_saml_metadata_url', async () => {
      const { connection_id: id } = await newSaml('missing metadata');
      await rejectsWithApiError(
        as(F.alice).sso.saml.updateConnectionByURL({
          connection_id: id, metadata_url: `${metadataUrl}.does-not-exist`,
        }),
        400, 'invalid_saml_metadata_url', API_ERR);
    });

    test('no metadata_url -> 400 bad_request naming it', async () => {
      const { connection_id: id } = await newSaml('no url');
      await rejectsWithApiError(
        as(F.alice).sso.saml.updateConnectionByURL({ connection_id: id }),
        400, 'bad_request', { ...API_ERR, message: /metadata_url/ });
    });

    test('bob -> 403; unknown id -> 404 saml_connection_not_found', async () => {
      const { connection_id: id } = await newSaml('rbac');
      await rejectsWithApiError(
        as(F.bob).sso.saml.updateConnectionByURL({ connection_id: id, metadata_url: metadataUrl }),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      assert.equal((await listed(id)).idp_entity_id, '');
      await rejectsWithApiError(
        as(F.alice).sso.saml.updateConnectionByURL({ connection_id: F.unknownSaml, metadata_url: metadataUrl }),
        404, 'saml_connection_not_found', API_ERR);
      await rejectsWithApiError(
        as(F.alice).sso.saml.updateConnectionByURL({ connection_id: F.globexSaml, metadata_url: metadataUrl }),
        404, 'saml_connection_not_found', API_ERR);
    });
  });

  describe('sso.saml.deleteVerificationCertificate', () => {
    let id;
    let certIds;

    before(async () => {
      id = (await newSaml('two certificates')).connection_id;
      await as(F.alice).sso.saml.updateConnection({ connection_id: id, ...COMPLETE, x509_certificate: D.certs[0].pem });
      const { connection } = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, x509_certificate: D.certs[1].pem,
      });
      certIds = connection.verification_certificates.map((v) => v.certificate_id);
    });

    test('deletes one of two certificates', async () => {
      assert.equal(certIds.length, 2, 'two certificates to start with');
      const resp = await as(F.alice).sso.saml.deleteVerificationCertificate({
        connection_id: id, certificate_id: certIds[0],
      });
      assertCommon(resp);
      assert.equal(resp.certificate_id, certIds[0]);
      const c = await listed(id);
      assert.deepEqual(c.verification_certificates.map((v) => v.certificate_id), [certIds[1]]);
      assert.equal(c.status, 'active');
    });

    test('the last certificate of an active connection -> 400 cannot_delete_last_sso_verification_key', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.saml.deleteVerificationCertificate({ connection_id: id, certificate_id: certIds[1] }),
        400, 'cannot_delete_last_sso_verification_key', API_ERR);
      assert.equal((await listed(id)).verification_certificates.length, 1);
    });

    test('the last certificate of a pending connection can go', async () => {
      const pending = (await newSaml('pending, one certificate')).connection_id;
      const { connection } = await as(F.alice).sso.saml.updateConnection({
        connection_id: pending, x509_certificate: D.certs[2].pem,
      });
      assert.equal(connection.status, 'pending');
      const certId = connection.verification_certificates[0].certificate_id;
      const resp = await as(F.alice).sso.saml.deleteVerificationCertificate({ connection_id: pending, certificate_id: certId });
      assert.equal(resp.certificate_id, certId);
      assert.deepEqual((await listed(pending)).verification_certificates, []);
    });

    test('unknown or already deleted certificate -> 404 sso_verification_key_not_found', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.saml.deleteVerificationCertificate({ connection_id: id, certificate_id: UNKNOWN_CERT }),
        404, 'sso_verification_key_not_found', API_ERR);
      await rejectsWithApiError(
        as(F.alice).sso.saml.deleteVerificationCertificate({ connection_id: id, certificate_id: certIds[0] }),
        404, 'sso_verification_key_not_found', API_ERR);
    });

    test('unknown connection -> 404 saml_connection_not_found', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.saml.deleteVerificationCertificate({ connection_id: F.unknownSaml, certificate_id: certIds[1] }),
        404, 'saml_connection_not_found', API_ERR);
    });

    test('bob and carol (no stytch.sso:delete) -> 403', async () => {
      for (const who of [F.bob, F.carol]) {
        await rejectsWithApiError(
          as(who).sso.saml.deleteVerificationCertificate({ connection_id: id, certificate_id: certIds[1] }),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
    });

    test('a sixth certificate -> 400 too_many_sso_verification_certificates', async () => {
      const many = (await newSaml('five certificates')).connection_id;
      let c;
      for (let i = 0; i < 5; i++) {
        ({ connection: c } = await as(F.alice).sso.saml.updateConnection({
          connection_id: many, x509_certificate: D.certs[i].pem,
        }));
      }
      assert.equal(c.verification_certificates.length, 5);
      await rejectsWithApiError(
        as(F.alice).sso.saml.updateConnection({ connection_id: many, x509_certificate: D.certs[5].pem }),
        400, 'too_many_sso_verification_certificates', API_ERR);
      assert.equal((await listed(many)).verification_certificates.length, 5);
    });
  });

  describe('sso.saml.deleteEncryptionPrivateKey', () => {
    let id;
    let keyId;

    before(async () => {
      id = (await newSaml('encryption key')).connection_id;
      const { connection } = await as(F.alice).sso.saml.updateConnection({
        connection_id: id, saml_encryption_private_key: D.encryptionKeys[0],
      });
      keyId = connection.encryption_private_keys[0]?.private_key_id;
    });

    test('bob and carol (no stytch.sso:delete) -> 403', async () => {
      for (const who of [F.bob, F.carol]) {
        await rejectsWithApiError(
          as(who).sso.saml.deleteEncryptionPrivateKey({ connection_id: id, private_key_id: keyId }),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
    });

    test('deletes the key', async () => {
      assert.match(String(keyId), RE_ENCRYPTION);
      const resp = await as(F.alice).sso.saml.deleteEncryptionPrivateKey({ connection_id: id, private_key_id: keyId });
      assertCommon(resp);
      assert.equal(resp.private_key_id, keyId);
      const c = await listed(id);
      assert.deepEqual(c.encryption_private_keys, []);
      assert.deepEqual(c.saml_encryption_private_keys, []);
    });

    test('unknown or already deleted key -> 404 sso_encryption_private_key_not_found', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.saml.deleteEncryptionPrivateKey({ connection_id: id, private_key_id: keyId }),
        404, 'sso_encryption_private_key_not_found', API_ERR);
      await rejectsWithApiError(
        as(F.alice).sso.saml.deleteEncryptionPrivateKey({ connection_id: id, private_key_id: UNKNOWN_KEY }),
        404, 'sso_encryption_private_key_not_found', API_ERR);
    });

    test('unknown connection -> 404 saml_connection_not_found', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.saml.deleteEncryptionPrivateKey({ connection_id: F.unknownSaml, private_key_id: UNKNOWN_KEY }),
        404, 'saml_connection_not_found', API_ERR);
    });
  });

  describe('sso.deleteConnection', () => {
    test('deletes a SAML and an OIDC connection', async () => {
      const saml = (await newSaml('to delete')).connection_id;
      const { connection: oidc } = await as(F.alice).sso.oidc.createConnection({ display_name: 'to delete' });
      for (const id of [saml, oidc.connection_id]) {
        const resp = await as(F.alice).sso.deleteConnection(id);
        assertCommon(resp);
        assert.equal(resp.connection_id, id);
      }
      const all = await as(F.alice).sso.getConnections();
      assert.ok(!all.saml_connections.some((c) => c.connection_id === saml));
      assert.ok(!all.oidc_connections.some((c) => c.connection_id === oidc.connection_id));
      await rejectsWithApiError(as(F.alice).sso.deleteConnection(saml),
        404, 'sso_connection_not_found', { ...API_ERR, message: new RegExp(saml) });
    });

    test('deletes an External connection', async () => {
      const { connection } = await as(F.alice).sso.external.createConnection({
        external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive, display_name: 'to delete',
      });
      const resp = await as(F.alice).sso.deleteConnection(connection.connection_id);
      assert.equal(resp.connection_id, connection.connection_id);
      const all = await as(F.alice).sso.getConnections();
      assert.ok(!all.external_connections.some((c) => c.connection_id === connection.connection_id));
      assert.ok((await as(F.grace).sso.getConnections()).oidc_connections.some((c) => c.connection_id === F.globexOidcActive),
        'the connection it pointed at stays');
    });

    test('bob and carol -> 403; the connection stays', async () => {
      const id = (await newSaml('stays')).connection_id;
      for (const who of [F.bob, F.carol]) {
        await rejectsWithApiError(as(who).sso.deleteConnection(id),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
      assert.ok(await listed(id));
    });

    test('another organization\'s connection or an unknown id -> 404 sso_connection_not_found', async () => {
      await rejectsWithApiError(as(F.alice).sso.deleteConnection(F.globexSaml), 404, 'sso_connection_not_found', API_ERR);
      await rejectsWithApiError(as(F.alice).sso.deleteConnection(F.unknownSaml), 404, 'sso_connection_not_found', API_ERR);
      assert.ok(await listed(F.globexSaml, F.grace), 'Globex keeps its connection');
    });
  });
});
