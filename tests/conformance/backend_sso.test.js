'use strict';
// The backend client (stytch 14.2.0, B2BClient) on every SSO operation: list, delete, SAML
// create/update/update by URL/certificate and key deletes, OIDC create/update with issuer
// discovery, External create/update (API.md §2-§4). Member RBAC applies when
// {authorization: {session_token}} is passed (X-Stytch-Member-Session).
//
// Requests the client sends (recorded against a logging server; Authorization Basic
// project_id:secret; path ids encodeURIComponent-ed; fields left undefined are dropped):
//   sso.getConnections({organization_id})           GET    /v1/b2b/sso/{org}   (no body)
//   sso.deleteConnection({organization_id, connection_id})
//                                                   DELETE /v1/b2b/sso/{org}/connections/{id}  body {}
//   sso.saml.createConnection({organization_id, display_name?, identity_provider?})
//                                                   POST   /v1/b2b/sso/saml/{org}  body {display_name, identity_provider}
//   sso.saml.updateConnection({organization_id, connection_id, ...15 fields})
//                                                   PUT    /v1/b2b/sso/saml/{org}/connections/{id}  body {...fields}
//   sso.saml.updateByURL({organization_id, connection_id, metadata_url})
//                                                   PUT    /v1/b2b/sso/saml/{org}/connections/{id}/url  body {metadata_url}
//   sso.saml.deleteVerificationCertificate({organization_id, connection_id, certificate_id})
//     DELETE /v1/b2b/sso/saml/{org}/connections/{id}/verification_certificates/{certificate_id}  body {}
//   sso.saml.deleteEncryptionPrivateKey({organization_id, connection_id, private_key_id})
//     DELETE /v1/b2b/sso/saml/{org}/connections/{id}/encryption_private_keys/{private_key_id}  body {}  (plural)
//   sso.oidc.createConnection({organization_id, display_name?, identity_provider?})
//                                                   POST   /v1/b2b/sso/oidc/{org}  body {display_name, identity_provider}
//   sso.oidc.updateConnection({organization_id, connection_id, ...11 fields})
//                                                   PUT    /v1/b2b/sso/oidc/{org}/connections/{id}  body {...fields}
//   sso.external.createConnection({organization_id, external_organization_id, external_connection_id,
//     display_name?, connection_implicit_role_assignments?, group_implicit_role_assignments?})
//                                                   POST   /v1/b2b/sso/external/{org}
//   sso.external.updateConnection({organization_id, connection_id, display_name?,
//     external_connection_implicit_role_assignments?, external_group_implicit_role_assignments?})
//                                                   PUT    /v1/b2b/sso/external/{org}/connections/{id}
// The backend body never carries connection_id or organization_id: only the path does.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { makeClient, asMember, API_ERR } = require('./lib/backend');
const { F, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');
const { assertSaml, assertOidc, assertExternal, OIDC_URLS, RE_ENCRYPTION } = require('./lib/shapes');
const { startIssuer, UNREACHABLE_ISSUER } = require('./lib/issuer');
const D = require('./lib/data');

const UNKNOWN_OIDC = 'oidc-connection-test-00000000-0000-4000-8000-0000000000ff';
const UNKNOWN_EXTERNAL = 'external-connection-test-00000000-0000-4000-8000-0000000000ff';
const UNKNOWN_CERT = 'saml-verification-key-test-00000000-0000-4000-8000-0000000000ff';
const UNKNOWN_KEY = 'saml-encryption-key-test-00000000-0000-4000-8000-0000000000ff';
const BOB = asMember(F.bob);
const CAROL = asMember(F.carol);
const ACME = { organization_id: F.acmeOrg };

describe('backend client: SSO operations', () => {
  let server;
  let client;
  let issuer;

  async function newSaml(display_name = 'backend') {
    return (await client.sso.saml.createConnection({ ...ACME, display_name })).connection;
  }
  async function newOidc(display_name = 'backend') {
    return (await client.sso.oidc.createConnection({ ...ACME, display_name })).connection;
  }
  async function listed(kind, id, org = F.acmeOrg) {
    const resp = await client.sso.getConnections({ organization_id: org });
    return resp[`${kind}_connections`].find((c) => c.connection_id === id);
  }

  before(async () => {
    [server, issuer] = await Promise.all([startServer(['--metadata-dir', D.DATA_DIR]), startIssuer()]);
    client = makeClient(server.url);
  });
  after(async () => {
    await Promise.all([server?.stop(), issuer?.close()]);
  });

  describe('sso.getConnections', () => {
    test('lists with bare bodies; a member of the organization may list, bob may not', async () => {
      const resp = await client.sso.getConnections(ACME, asMember(F.alice));
      assertCommon(resp);
      for (const k of ['saml_connections', 'oidc_connections', 'external_connections']) assert.ok(Array.isArray(resp[k]), k);
      await rejectsWithApiError(client.sso.getConnections(ACME, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    });
  });

  describe('sso.saml', () => {
    let id;

    test('updateConnection completes a connection and sets every field', async () => {
      id = (await newSaml('Backend Okta')).connection_id;
      const resp = await client.sso.saml.updateConnection({
        ...ACME, connection_id: id,
        idp_entity_id: 'https://idp.acme.test/backend', idp_sso_url: 'https://idp.acme.test/backend/sso',
        x509_certificate: D.certs[0].pem,
        display_name: 'Backend Okta (prod)',
        attribute_mapping: { email: 'mail', full_name: 'name', groups: 'groups' },
        alternative_audience_uri: 'https://sp.acme.test/aud', alternative_acs_url: 'https://sp.acme.test/acs',
        identity_provider: 'okta', nameid_format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        idp_initiated_auth_disabled: true, allow_gateway_callback: true,
        saml_connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
        saml_group_implicit_role_assignments: [{ role_id: 'sso_manager', group: 'ops' }],
        saml_encryption_private_key: D.encryptionKeys[0],
      });
      assertCommon(resp);
      assert.equal(resp.data, undefined, 'bare body');
      const c = resp.connection;
      assertSaml(c, { org: F.acmeOrg });
      assert.equal(c.status, 'active');
      assert.equal(c.display_name, 'Backend Okta (prod)');
      assert.equal(c.idp_entity_id, 'https://idp.acme.test/backend');
      assert.equal(c.idp_sso_url, 'https://idp.acme.test/backend/sso');
      assert.deepEqual(c.attribute_mapping, { email: 'mail', full_name: 'name', groups: 'groups' });
      assert.equal(c.alternative_audience_uri, 'https://sp.acme.test/aud');
      assert.equal(c.alternative_acs_url, 'https://sp.acme.test/acs');
      assert.equal(c.identity_provider, 'okta');
      assert.equal(c.nameid_format, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
      assert.equal(c.idp_initiated_auth_disabled, true);
      assert.equal(c.allow_gateway_callback, true);
      assert.deepEqual(c.saml_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
      assert.deepEqual(c.saml_group_implicit_role_assignments, [{ role_id: 'sso_manager', group: 'ops' }]);
      assert.equal(c.verification_certificates.length, 1);
      assert.equal(c.verification_certificates[0].issuer, D.certs[0].issuerCN);
      assert.equal(c.encryption_private_keys.length, 1);
      assert.match(c.encryption_private_keys[0].private_key_id, RE_ENCRYPTION);
      assert.deepEqual(await listed('saml', id), c);
    });

    test('updateConnection with signing_private_key (organization given by slug)', async () => {
      const { connection: c } = await client.sso.saml.updateConnection({
        organization_id: 'acme', connection_id: id, signing_private_key: D.signingKey,
      });
      assert.equal(c.signing_certificates.length, 1);
      assert.equal(D.spki(c.signing_certificates[0].certificate), D.spki(D.signingKey));
    });

    test('updateConnection errors: 403 for bob, 404 saml_connection_not_found, 404 organization_not_found, 400s', async () => {
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ ...ACME, connection_id: id, display_name: 'bob' }, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ ...ACME, connection_id: id, display_name: 'grace' }, asMember(F.grace)),
        403, 'session_authorization_tenancy_error', API_ERR);
      const { connection: byCarol } = await client.sso.saml.updateConnection(
        { ...ACME, connection_id: id, display_name: 'carol' }, CAROL);
      assert.equal(byCarol.display_name, 'carol', 'sso_manager may update');
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ ...ACME, connection_id: F.unknownSaml, display_name: 'x' }),
        404, 'saml_connection_not_found', { ...API_ERR, message: new RegExp(F.unknownSaml) });
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ ...ACME, connection_id: F.globexSaml, display_name: 'x' }),
        404, 'saml_connection_not_found', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ organization_id: F.unknownOrg, connection_id: id, display_name: 'x' }),
        404, 'organization_not_found', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ ...ACME, connection_id: id, x509_certificate: 'garbage' }),
        400, 'invalid_x509_certificate', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ ...ACME, connection_id: id, identity_provider: 'myspace' }),
        400, 'invalid_sso_idp', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.updateConnection({ ...ACME, connection_id: id, allow_gateway_callback: 'true' }),
        400, 'bad_request', { ...API_ERR, message: /allow_gateway_callback/ });
      const c = await listed('saml', id);
      assert.equal(c.display_name, 'carol');
      assert.equal(c.identity_provider, 'okta');
      assert.equal(c.verification_certificates.length, 1);
    });

    test('updateByURL reads a file:// metadata URL', async () => {
      const fresh = (await newSaml('backend metadata')).connection_id;
      const resp = await client.sso.saml.updateByURL({ ...ACME, connection_id: fresh, metadata_url: D.metadata.url });
      assertCommon(resp);
      const c = resp.connection;
      assertSaml(c, { org: F.acmeOrg });
      assert.equal(c.idp_entity_id, D.metadata.entityId);
      assert.equal(c.idp_sso_url, D.metadata.ssoUrl);
      assert.equal(c.verification_certificates.length, 1);
      assert.equal(D.fingerprint(c.verification_certificates[0].certificate), D.metadata.cert.fingerprint);
      assert.equal(c.status, 'active');
    });

    test('updateByURL errors: unreachable -> 400 invalid_saml_metadata_url, 403 for bob, 404', async () => {
      const fresh = (await newSaml('backend metadata errors')).connection_id;
      await rejectsWithApiError(
        client.sso.saml.updateByURL({ ...ACME, connection_id: fresh, metadata_url: 'http://127.0.0.1:1/x' }),
        400, 'invalid_saml_metadata_url', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.updateByURL({ ...ACME, connection_id: fresh }),
        400, 'bad_request', { ...API_ERR, message: /metadata_url/ });
      await rejectsWithApiError(
        client.sso.saml.updateByURL({ ...ACME, connection_id: fresh, metadata_url: D.metadata.url }, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(
        client.sso.saml.updateByURL({ ...ACME, connection_id: F.unknownSaml, metadata_url: D.metadata.url }),
        404, 'saml_connection_not_found', API_ERR);
      const c = await listed('saml', fresh);
      assert.equal(c.idp_entity_id, '');
      assert.deepEqual(c.verification_certificates, []);
    });

    test('deleteVerificationCertificate', async () => {
      const { connection: two } = await client.sso.saml.updateConnection({
        ...ACME, connection_id: id, x509_certificate: D.certs[1].pem,
      });
      const [first, second] = two.verification_certificates.map((v) => v.certificate_id);
      await rejectsWithApiError(
        client.sso.saml.deleteVerificationCertificate({ ...ACME, connection_id: id, certificate_id: first }, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(
        client.sso.saml.deleteVerificationCertificate({ ...ACME, connection_id: id, certificate_id: first }, CAROL),
        403, 'session_authorization_error', API_ERR);
      const resp = await client.sso.saml.deleteVerificationCertificate({ ...ACME, connection_id: id, certificate_id: first });
      assertCommon(resp);
      assert.equal(resp.certificate_id, first);
      assert.deepEqual((await listed('saml', id)).verification_certificates.map((v) => v.certificate_id), [second]);
      await rejectsWithApiError(
        client.sso.saml.deleteVerificationCertificate({ ...ACME, connection_id: id, certificate_id: second }),
        400, 'cannot_delete_last_sso_verification_key', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.deleteVerificationCertificate({ ...ACME, connection_id: id, certificate_id: UNKNOWN_CERT }),
        404, 'sso_verification_key_not_found', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.deleteVerificationCertificate({ ...ACME, connection_id: F.unknownSaml, certificate_id: second }),
        404, 'saml_connection_not_found', API_ERR);
      // Globex's certificate cannot be reached through Acme's path.
      await rejectsWithApiError(
        client.sso.saml.deleteVerificationCertificate({
          ...ACME, connection_id: F.globexSaml, certificate_id: 'saml-verification-key-test-bbbbbbbb-0000-4000-8000-00000000d001',
        }),
        404, 'saml_connection_not_found', API_ERR);
    });

    test('deleteEncryptionPrivateKey (plural path)', async () => {
      const keyId = (await listed('saml', id)).encryption_private_keys[0].private_key_id;
      await rejectsWithApiError(
        client.sso.saml.deleteEncryptionPrivateKey({ ...ACME, connection_id: id, private_key_id: keyId }, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      const resp = await client.sso.saml.deleteEncryptionPrivateKey({ ...ACME, connection_id: id, private_key_id: keyId });
      assertCommon(resp);
      assert.equal(resp.private_key_id, keyId);
      assert.deepEqual((await listed('saml', id)).encryption_private_keys, []);
      await rejectsWithApiError(
        client.sso.saml.deleteEncryptionPrivateKey({ ...ACME, connection_id: id, private_key_id: keyId }),
        404, 'sso_encryption_private_key_not_found', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.deleteEncryptionPrivateKey({ ...ACME, connection_id: id, private_key_id: UNKNOWN_KEY }),
        404, 'sso_encryption_private_key_not_found', API_ERR);
      await rejectsWithApiError(
        client.sso.saml.deleteEncryptionPrivateKey({ ...ACME, connection_id: F.unknownSaml, private_key_id: UNKNOWN_KEY }),
        404, 'saml_connection_not_found', API_ERR);
    });

    test('createConnection errors: 403 for bob, 404 unknown organization, 400 invalid_sso_idp', async () => {
      await rejectsWithApiError(client.sso.saml.createConnection({ ...ACME, display_name: 'x' }, BOB),
        403, 'session_authorization_error', API_ERR);
      await rejectsWithApiError(client.sso.saml.createConnection({ organization_id: F.unknownOrg, display_name: 'x' }),
        404, 'organization_not_found', API_ERR);
      await rejectsWithApiError(client.sso.saml.createConnection({ ...ACME, identity_provider: 'myspace' }),
        400, 'invalid_sso_idp', API_ERR);
    });
  });

  describe('sso.oidc', () => {
    test('createConnection: a pending connection', async () => {
      const resp = await client.sso.oidc.createConnection({ ...ACME, display_name: 'Backend OIDC', identity_provider: 'okta' });
      assertCommon(resp);
      assertOidc(resp.connection, { org: F.acmeOrg });
      assert.equal(resp.connection.status, 'pending');
      assert.equal(resp.connection.identity_provider, 'okta');
      assert.deepEqual(await listed('oidc', resp.connection.connection_id), resp.connection);
    });

    test('createConnection errors: 403 for bob, 404 unknown organization, 400 invalid_sso_idp', async () => {
      await rejectsWithApiError(client.sso.oidc.createConnection({ ...ACME, display_name: 'x' }, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(client.sso.oidc.createConnection({ organization_id: F.unknownOrg }),
        404, 'organization_not_found', API_ERR);
      await rejectsWithApiError(client.sso.oidc.createConnection({ ...ACME, identity_provider: 'myspace' }),
        400, 'invalid_sso_idp', API_ERR);
    });

    test('updateConnection: issuer discovery fills the URLs, credentials make it active', async () => {
      const { connection_id: id } = await newOidc('backend discovered');
      let resp = await client.sso.oidc.updateConnection({ ...ACME, connection_id: id, issuer: issuer.issuer });
      assertCommon(resp);
      assert.equal(resp.warning, undefined);
      assertOidc(resp.connection, { org: F.acmeOrg });
      for (const k of OIDC_URLS) assert.equal(resp.connection[k], issuer.urls[k], k);
      assert.equal(resp.connection.status, 'pending');
      resp = await client.sso.oidc.updateConnection({
        ...ACME, connection_id: id, client_id: 'backend-client', client_secret: 'backend-secret',
        custom_scopes: 'openid email', attribute_mapping: { email: 'email' },
      });
      const c = resp.connection;
      assertOidc(c, { org: F.acmeOrg });
      assert.equal(c.status, 'active');
      assert.equal(c.client_id, 'backend-client');
      assert.equal(c.client_secret, 'backend-secret');
      assert.equal(c.custom_scopes, 'openid email');
      assert.deepEqual(c.attribute_mapping, { email: 'email' });
      assert.deepEqual(await listed('oidc', id), c);
    });

    test('updateConnection with an unreachable issuer: success with a warning', async () => {
      const { connection_id: id } = await newOidc('backend unreachable');
      const resp = await client.sso.oidc.updateConnection({ ...ACME, connection_id: id, issuer: UNREACHABLE_ISSUER });
      assertCommon(resp);
      assert.equal(typeof resp.warning, 'string', JSON.stringify(resp));
      assert.equal(resp.connection.issuer, UNREACHABLE_ISSUER);
      for (const k of OIDC_URLS) assert.equal(resp.connection[k], '', k);
    });

    test('updateConnection errors: 403 for bob, tenancy, 404 oidc_connection_not_found, 400', async () => {
      const { connection_id: id } = await newOidc('backend oidc errors');
      await rejectsWithApiError(client.sso.oidc.updateConnection({ ...ACME, connection_id: id, display_name: 'x' }, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(
        client.sso.oidc.updateConnection({ ...ACME, connection_id: id, display_name: 'x' }, asMember(F.grace)),
        403, 'session_authorization_tenancy_error', API_ERR);
      await rejectsWithApiError(client.sso.oidc.updateConnection({ ...ACME, connection_id: UNKNOWN_OIDC, display_name: 'x' }),
        404, 'oidc_connection_not_found', { ...API_ERR, message: new RegExp(UNKNOWN_OIDC) });
      await rejectsWithApiError(client.sso.oidc.updateConnection({ ...ACME, connection_id: F.globexOidc, display_name: 'x' }),
        404, 'oidc_connection_not_found', API_ERR);
      await rejectsWithApiError(client.sso.oidc.updateConnection({ ...ACME, connection_id: id, identity_provider: 'myspace' }),
        400, 'invalid_sso_idp', API_ERR);
      assert.equal((await listed('oidc', id)).display_name, 'backend oidc errors');
      // Globex's own path reaches it.
      const { connection } = await client.sso.oidc.updateConnection({
        organization_id: F.globexOrg, connection_id: F.globexOidc, custom_scopes: 'openid',
      });
      assert.equal(connection.custom_scopes, 'openid');
    });
  });

  describe('sso.external', () => {
    let ext;

    test('createConnection and updateConnection', async () => {
      const resp = await client.sso.external.createConnection({
        ...ACME, external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive, display_name: 'Backend ext',
      });
      assertCommon(resp);
      assertExternal(resp.connection, { org: F.acmeOrg });
      ext = resp.connection.connection_id;
      const upd = await client.sso.external.updateConnection({ ...ACME, connection_id: ext, display_name: 'Backend ext 2' });
      assertCommon(upd);
      assertExternal(upd.connection, { org: F.acmeOrg });
      assert.equal(upd.connection.display_name, 'Backend ext 2');
      assert.deepEqual(await listed('external', ext), upd.connection);
    });

    test('createConnection errors: 403 for bob, 404s, 400s', async () => {
      await rejectsWithApiError(client.sso.external.createConnection({
        ...ACME, external_organization_id: F.globexOrg, external_connection_id: F.globexSaml,
      }, BOB), 403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(client.sso.external.createConnection({
        ...ACME, external_organization_id: F.unknownOrg, external_connection_id: F.globexSaml,
      }), 404, 'organization_not_found', API_ERR);
      await rejectsWithApiError(client.sso.external.createConnection({
        ...ACME, external_organization_id: F.globexOrg, external_connection_id: F.unknownSaml,
      }), 404, 'sso_connection_not_found', API_ERR);
      await rejectsWithApiError(client.sso.external.createConnection({
        ...ACME, external_organization_id: F.acmeOrg, external_connection_id: F.globexSaml,
      }), 400, 'external_organization_id_same_as_organization_id', API_ERR);
      await rejectsWithApiError(client.sso.external.createConnection({
        ...ACME, external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive,
      }), 400, 'duplicate_external_sso_connection', API_ERR);
      await rejectsWithApiError(client.sso.external.createConnection({ ...ACME, external_organization_id: F.globexOrg }),
        400, 'bad_request', { ...API_ERR, message: /external_connection_id/ });
    });

    test('updateConnection errors: 403 for bob, 404 sso_connection_not_found, 400 invalid_rbac_role_id', async () => {
      await rejectsWithApiError(client.sso.external.updateConnection({ ...ACME, connection_id: ext, display_name: 'x' }, BOB),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(
        client.sso.external.updateConnection({ ...ACME, connection_id: UNKNOWN_EXTERNAL, display_name: 'x' }),
        404, 'sso_connection_not_found', API_ERR);
      await rejectsWithApiError(client.sso.external.updateConnection({
        ...ACME, connection_id: ext, external_group_implicit_role_assignments: [{ role_id: 'nope', group: 'g' }],
      }), 400, 'invalid_rbac_role_id', API_ERR);
      assert.equal((await listed('external', ext)).display_name, 'Backend ext 2');
    });
  });

  describe('sso.deleteConnection', () => {
    test('deletes SAML, OIDC and External connections', async () => {
      const saml = (await newSaml('backend delete')).connection_id;
      const oidc = (await newOidc('backend delete')).connection_id;
      const { connection: ext } = await client.sso.external.createConnection({
        ...ACME, external_organization_id: F.globexOrg, external_connection_id: F.globexSaml,
      });
      for (const id of [saml, oidc, ext.connection_id]) {
        const resp = await client.sso.deleteConnection({ ...ACME, connection_id: id });
        assertCommon(resp);
        assert.equal(resp.connection_id, id);
      }
      const all = await client.sso.getConnections(ACME);
      const ids = [...all.saml_connections, ...all.oidc_connections, ...all.external_connections].map((c) => c.connection_id);
      for (const id of [saml, oidc, ext.connection_id]) assert.ok(!ids.includes(id), `${id} is gone`);
      assert.ok(await listed('saml', F.globexSaml, F.globexOrg), 'the External connection\'s target stays');
    });

    test('errors: 403 for bob and carol, 404 sso_connection_not_found, 404 organization_not_found', async () => {
      const id = (await newSaml('backend stays')).connection_id;
      for (const who of [BOB, CAROL]) {
        await rejectsWithApiError(client.sso.deleteConnection({ ...ACME, connection_id: id }, who),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
      await rejectsWithApiError(client.sso.deleteConnection({ ...ACME, connection_id: F.globexSaml }),
        404, 'sso_connection_not_found', API_ERR);
      await rejectsWithApiError(client.sso.deleteConnection({ ...ACME, connection_id: F.unknownSaml }),
        404, 'sso_connection_not_found', { ...API_ERR, message: new RegExp(F.unknownSaml) });
      await rejectsWithApiError(client.sso.deleteConnection({ organization_id: F.unknownOrg, connection_id: id }),
        404, 'organization_not_found', API_ERR);
      assert.ok(await listed('saml', id));
      assert.ok(await listed('saml', F.globexSaml, F.globexOrg));
      const resp = await client.sso.deleteConnection({ ...ACME, connection_id: id }, asMember(F.alice));
      assert.equal(resp.connection_id, id, 'an admin member may delete');
    });
  });
});
