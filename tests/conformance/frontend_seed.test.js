'use strict';
// The frontend SDK (@stytch/vanilla-js 6.3.0, StytchB2BClient) against ssoemu: creating and
// listing SAML, External and SCIM connections as the seed flows do, and the errors the SDK
// surfaces (API.md §1-§4, §7). Assertions are on the SDK's resolved values and thrown errors.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { X509Certificate } = require('node:crypto');

const { startServer } = require('./lib/server');
const { createFrontend } = require('./lib/frontend');
const { F, RE, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');

const API_ERR = { name: 'StytchAPIError' };

describe('frontend SDK: connection seed flows', () => {
  let server;
  let fe;
  let client;
  const made = {};
  const as = (session) => fe.useSession(session);

  before(async () => {
    server = await startServer();
    fe = createFrontend(server.url, { session: F.alice });
    client = fe.client;
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  test('sso.saml.createConnection returns a pending SAML connection with the documented defaults', async () => {
    const resp = await as(F.alice).sso.saml.createConnection({ display_name: 'Acme Okta' });
    assertCommon(resp);
    const c = resp.connection;
    assert.ok(c, `no connection in ${JSON.stringify(resp)}`);
    assert.match(c.connection_id, RE.saml);
    made.saml = c.connection_id;
    assert.equal(c.organization_id, F.acmeOrg);
    assert.equal(c.status, 'pending');
    assert.equal(c.display_name, 'Acme Okta');
    assert.equal(c.acs_url, `${F.publicBase}/v1/b2b/sso/callback/${c.connection_id}`);
    assert.equal(c.audience_uri, `${F.publicBase}/v1/b2b/sso/callback/${c.connection_id}`);
    assert.equal(c.identity_provider, 'generic');
    assert.deepEqual(c.attribute_mapping, { email: 'email', full_name: 'name' });
    assert.equal(c.idp_entity_id, '');
    assert.equal(c.idp_sso_url, '');
    assert.equal(c.alternative_audience_uri, '');
    assert.equal(c.alternative_acs_url, '');
    assert.equal(c.nameid_format, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
    assert.equal(c.idp_initiated_auth_disabled, false);
    assert.equal(c.allow_gateway_callback, false);
    assert.deepEqual(c.verification_certificates, []);
    assert.deepEqual(c.encryption_private_keys, []);
    assert.deepEqual(c.saml_encryption_private_keys, []);
    assert.deepEqual(c.saml_connection_implicit_role_assignments, []);
    assert.deepEqual(c.saml_group_implicit_role_assignments, []);

    assert.equal(c.signing_certificates.length, 1, 'exactly one signing certificate');
    const cert = c.signing_certificates[0];
    assert.equal(cert.issuer, 'Stytch');
    assert.match(cert.certificate_id, RE.signingKey);
    for (const k of ['created_at', 'expires_at', 'updated_at']) assert.match(cert[k], RE.timestamp, k);
    const x509 = new X509Certificate(cert.certificate); // throws unless a real PEM certificate
    assert.equal(new Date(x509.validFrom).toISOString().replace('.000', ''), cert.created_at, 'notBefore = created_at');
    assert.equal(new Date(x509.validTo).toISOString().replace('.000', ''), cert.expires_at, 'notAfter = expires_at');
    const years = (Date.parse(cert.expires_at) - Date.parse(cert.created_at)) / (365.25 * 86400e3);
    assert.ok(years > 9.9 && years < 10.1, `valid ten years, got ${years.toFixed(2)}`);
  });

  test('sso.saml.createConnection keeps a given identity_provider', async () => {
    const { connection } = await as(F.alice).sso.saml.createConnection({
      display_name: 'Acme Entra', identity_provider: 'microsoft-entra',
    });
    assert.match(connection.connection_id, RE.saml);
    assert.equal(connection.identity_provider, 'microsoft-entra');
    made.saml2 = connection.connection_id;
  });

  test('sso.external.createConnection to the Globex SAML connection (with group assignments)', async () => {
    const resp = await as(F.alice).sso.external.createConnection({
      external_organization_id: F.globexOrg,
      external_connection_id: F.globexSaml,
      display_name: 'Globex via Okta',
      // Not in the SDK's option type, but passed through as-is; the referenced SAML connection
      // maps a `groups` attribute, so group assignments are allowed.
      group_implicit_role_assignments: [{ role_id: 'sso_manager', group: 'engineering' }],
    });
    assertCommon(resp);
    const c = resp.connection;
    assert.match(c.connection_id, RE.external);
    made.external = c.connection_id;
    assert.equal(c.organization_id, F.acmeOrg);
    assert.equal(c.external_organization_id, F.globexOrg);
    assert.equal(c.external_connection_id, F.globexSaml);
    assert.equal(c.display_name, 'Globex via Okta');
    assert.equal(c.status, 'active');
    assert.deepEqual(c.external_connection_implicit_role_assignments, []);
    assert.deepEqual(c.external_group_implicit_role_assignments, [{ role_id: 'sso_manager', group: 'engineering' }]);
  });

  test('sso.external.updateConnection changes display name and role assignments', async () => {
    assert.ok(made.external, 'needs the External connection created above');
    const resp = await as(F.alice).sso.external.updateConnection({
      connection_id: made.external,
      display_name: 'Globex (Okta)',
      external_connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
      external_group_implicit_role_assignments: [
        { role_id: 'stytch_admin', group: 'admins' },
        { role_id: 'sso_manager', group: 'it' },
      ],
    });
    assertCommon(resp);
    const c = resp.connection;
    assert.equal(c.connection_id, made.external);
    assert.equal(c.display_name, 'Globex (Okta)');
    assert.equal(c.external_connection_id, F.globexSaml);
    assert.deepEqual(c.external_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
    assert.deepEqual(c.external_group_implicit_role_assignments, [
      { role_id: 'stytch_admin', group: 'admins' },
      { role_id: 'sso_manager', group: 'it' },
    ]);

    // Absent fields and an empty display name leave the stored values alone.
    const again = await client.sso.external.updateConnection({ connection_id: made.external, display_name: '' });
    assert.equal(again.connection.display_name, 'Globex (Okta)');
    assert.deepEqual(again.connection.external_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
    assert.equal(again.connection.external_group_implicit_role_assignments.length, 2);

    // A present array replaces the whole list.
    const cleared = await client.sso.external.updateConnection({
      connection_id: made.external, external_group_implicit_role_assignments: [],
    });
    assert.deepEqual(cleared.connection.external_group_implicit_role_assignments, []);
    assert.deepEqual(cleared.connection.external_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
  });

  test('sso.saml.createConnection with an unknown identity_provider -> invalid_sso_idp', async () => {
    await rejectsWithApiError(as(F.alice).sso.saml.createConnection({ identity_provider: 'not-an-idp' }),
      400, 'invalid_sso_idp', { ...API_ERR, message: /not-an-idp|identity_provider/ });
  });

  test('sso.oidc.createConnection with an unknown identity_provider -> invalid_sso_idp', async () => {
    await rejectsWithApiError(as(F.alice).sso.oidc.createConnection({ identity_provider: 'not-an-idp' }),
      400, 'invalid_sso_idp', API_ERR);
  });

  test('scim.createConnection with an SSO-only identity_provider -> invalid_scim_idp', async () => {
    // google-workspace is an SSO provider but not a SCIM one.
    await rejectsWithApiError(as(F.alice).scim.createConnection({ identity_provider: 'google-workspace' }),
      400, 'invalid_scim_idp', API_ERR);
  });

  test('scim.createConnection returns a 48-character bearer token once; a second one is refused', async () => {
    const resp = await as(F.alice).scim.createConnection({ display_name: 'Acme SCIM', identity_provider: 'okta' });
    assertCommon(resp);
    const c = resp.connection;
    assert.match(c.connection_id, RE.scim);
    made.scim = c.connection_id;
    assert.equal(c.organization_id, F.acmeOrg);
    assert.equal(c.status, 'active');
    assert.equal(c.display_name, 'Acme SCIM');
    assert.equal(c.identity_provider, 'okta');
    assert.equal(c.base_url, `${F.publicBase}/v1/b2b/scim/${c.connection_id}`);
    assert.match(c.bearer_token, RE.bearer);
    assert.match(c.bearer_token_expires_at, RE.timestamp);
    assert.deepEqual(c.scim_group_implicit_role_assignments, []);

    await rejectsWithApiError(
      client.scim.createConnection({ display_name: 'Second SCIM' }),
      400, 'active_scim_connection_exists', { ...API_ERR, message: MSG.scimExists });
  });

  test('sso.getConnections lists what was created, and nothing of another organization', async () => {
    const resp = await as(F.alice).sso.getConnections();
    assertCommon(resp);
    for (const k of ['saml_connections', 'oidc_connections', 'external_connections']) {
      assert.ok(Array.isArray(resp[k]), `${k} is an array`);
    }
    const samlIds = resp.saml_connections.map((c) => c.connection_id).sort();
    assert.deepEqual(samlIds, [made.saml, made.saml2].filter(Boolean).sort());
    assert.deepEqual(resp.oidc_connections, []);
    const ext = resp.external_connections.find((c) => c.connection_id === made.external);
    assert.ok(ext, `External connection ${made.external} listed`);
    assert.equal(ext.display_name, 'Globex (Okta)');
    assert.equal(ext.external_organization_id, F.globexOrg);
    const all = [...resp.saml_connections, ...resp.oidc_connections, ...resp.external_connections];
    for (const c of all) assert.equal(c.organization_id, F.acmeOrg, `${c.connection_id} belongs to Acme`);
    assert.ok(!all.some((c) => c.connection_id === F.globexSaml || c.connection_id === F.globexOidc));
  });

  describe('External connection rules', () => {
    test('missing external_organization_id -> bad_request naming the field', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.external.createConnection({ external_connection_id: F.globexOidcActive }),
        400, 'bad_request', { ...API_ERR, message: /external_organization_id/ });
    });

    test('missing external_connection_id -> bad_request naming the field', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.external.createConnection({ external_organization_id: F.globexOrg }),
        400, 'bad_request', { ...API_ERR, message: /external_connection_id/ });
    });

    test("the caller's own organization -> external_organization_id_same_as_organization_id", async () => {
      assert.ok(made.saml, 'needs the Acme SAML connection created above');
      await rejectsWithApiError(
        as(F.alice).sso.external.createConnection({
          external_organization_id: F.acmeOrg, external_connection_id: made.saml,
        }),
        400, 'external_organization_id_same_as_organization_id', API_ERR);
    });

    test('unknown organization -> organization_not_found', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.external.createConnection({
          external_organization_id: F.unknownOrg, external_connection_id: F.globexSaml,
        }),
        404, 'organization_not_found', API_ERR);
    });

    test('unknown connection in the external organization -> sso_connection_not_found', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.external.createConnection({
          external_organization_id: F.globexOrg, external_connection_id: F.unknownSaml,
        }),
        404, 'sso_connection_not_found', API_ERR);
    });

    test('a second External connection to the same connection -> duplicate_external_sso_connection', async () => {
      assert.ok(made.external, 'needs the External connection created above');
      await rejectsWithApiError(
        as(F.alice).sso.external.createConnection({
          external_organization_id: F.globexOrg, external_connection_id: F.globexSaml, display_name: 'dup',
        }),
        400, 'duplicate_external_sso_connection', API_ERR);
    });

    test('implicit roles on an External connection to an OIDC connection -> bad_request', async () => {
      as(F.alice);
      await rejectsWithApiError(
        client.sso.external.createConnection({
          external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive,
          connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
        }),
        400, 'bad_request', API_ERR);
      await rejectsWithApiError(
        client.sso.external.createConnection({
          external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive,
          external_connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
        }),
        400, 'bad_request', API_ERR);

      // Without roles it is fine, and adding roles later is refused as well.
      const { connection } = await client.sso.external.createConnection({
        external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive, display_name: 'Globex Google',
      });
      assert.match(connection.connection_id, RE.external);
      assert.equal(connection.external_connection_id, F.globexOidcActive);
      made.externalOidc = connection.connection_id;
      await rejectsWithApiError(
        client.sso.external.updateConnection({
          connection_id: made.externalOidc,
          external_connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
        }),
        400, 'bad_request', API_ERR);
    });

    test('a role id the policy lacks -> invalid_rbac_role_id, and nothing changes', async () => {
      assert.ok(made.external, 'needs the External connection created above');
      as(F.alice);
      await rejectsWithApiError(
        client.sso.external.updateConnection({
          connection_id: made.external,
          display_name: 'must not stick',
          external_connection_implicit_role_assignments: [{ role_id: 'no_such_role' }],
        }),
        400, 'invalid_rbac_role_id', { ...API_ERR, message: /no_such_role/ });
      await rejectsWithApiError(
        client.sso.external.updateConnection({
          connection_id: made.external,
          external_group_implicit_role_assignments: [{ role_id: 'no_such_role', group: 'g' }],
        }),
        400, 'invalid_rbac_role_id', API_ERR);
      const { external_connections } = await client.sso.getConnections();
      const ext = external_connections.find((c) => c.connection_id === made.external);
      assert.equal(ext.display_name, 'Globex (Okta)');
      assert.deepEqual(ext.external_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
    });

    test('an unknown External connection id on update -> sso_connection_not_found', async () => {
      await rejectsWithApiError(
        as(F.alice).sso.external.updateConnection({
          connection_id: 'external-connection-test-00000000-0000-4000-8000-0000000000ff', display_name: 'x',
        }),
        404, 'sso_connection_not_found', API_ERR);
    });
  });

  describe('authentication and authorization errors', () => {
    test('bob (stytch_member only) gets 403 session_authorization_error', async () => {
      as(F.bob);
      await rejectsWithApiError(client.sso.saml.createConnection({ display_name: 'nope' }),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(client.sso.getConnections(),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(client.scim.createConnection({}),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(client.sso.oidc.createConnection({ display_name: 'nope' }),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      await rejectsWithApiError(client.sso.external.createConnection({
        external_organization_id: F.globexOrg, external_connection_id: F.globexOidcActive, display_name: 'nope',
      }), 403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    });

    test('bob cannot update the External connection (sso.external.updateConnection)', async () => {
      assert.ok(made.external, 'needs the External connection created above');
      await rejectsWithApiError(
        as(F.bob).sso.external.updateConnection({ connection_id: made.external, display_name: 'bob was here' }),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      const { external_connections } = await as(F.alice).sso.getConnections();
      assert.equal(external_connections.find((c) => c.connection_id === made.external).display_name, 'Globex (Okta)');
    });

    test('bob cannot read the SCIM connection either (scim.getConnection)', async () => {
      await rejectsWithApiError(as(F.bob).scim.getConnection(),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    });

    test('carol (sso_manager) can create SAML but not SCIM', async () => {
      as(F.carol);
      const { connection } = await client.sso.saml.createConnection({ display_name: 'Carol SAML' });
      assert.match(connection.connection_id, RE.saml);
      assert.equal(connection.organization_id, F.acmeOrg);
      await rejectsWithApiError(client.scim.createConnection({ display_name: 'Carol SCIM' }),
        403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      // sso_manager has no delete.
      await rejectsWithApiError(client.sso.deleteConnection(connection.connection_id),
        403, 'session_authorization_error', API_ERR);
    });

    test('no session: the SDK sends public_token:public_token -> 401 unauthorized_credentials', async () => {
      fe.useSession(null);
      await rejectsWithApiError(client.sso.getConnections(),
        401, 'unauthorized_credentials', { ...API_ERR, message: MSG.unauthorized });
    });

    test('an unknown session token -> 404 session_not_found', async () => {
      as('session-token-that-does-not-exist');
      await rejectsWithApiError(client.sso.saml.createConnection({ display_name: 'x' }),
        404, 'session_not_found', { ...API_ERR, message: MSG.sessionNotFound });
    });

    test('a wrong public token -> 401 unauthorized_credentials', async () => {
      const wrong = createFrontend(server.url, {
        publicToken: 'public-token-test-00000000-0000-4000-8000-000000000000', session: F.alice,
      });
      try {
        await rejectsWithApiError(wrong.client.sso.getConnections(),
          401, 'unauthorized_credentials', { ...API_ERR, message: MSG.unauthorized });
        await rejectsWithApiError(wrong.client.sso.saml.createConnection({ display_name: 'x' }),
          401, 'unauthorized_credentials', API_ERR);
      } finally {
        wrong.close();
      }
    });
  });
});

describe('frontend SDK: rate limiting (--rate-limit 3/60)', () => {
  let server;
  let fe;

  before(async () => {
    server = await startServer(['--rate-limit', '3/60']);
    fe = createFrontend(server.url, { session: F.alice });
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  test('the fourth call of one operation -> 429 too_many_requests with Retry-After', async () => {
    const client = fe.useSession(F.alice);
    for (let i = 0; i < 3; i++) {
      const resp = await client.sso.getConnections();
      assertCommon(resp);
    }
    await rejectsWithApiError(client.sso.getConnections(),
      429, 'too_many_requests', { ...API_ERR, message: MSG.tooMany });

    // The SDK hides response headers: check Retry-After with a plain request, same credential.
    const res = await fetch(`${server.url}/sdk/v1/b2b/sso`, {
      headers: {
        Authorization: 'Basic ' + Buffer.from(`${F.publicToken}:${F.alice}`).toString('base64'),
        'Content-Type': 'application/json',
      },
    });
    assert.equal(res.status, 429);
    assert.match(res.headers.get('content-type') || '', /application\/json/);
    const retryAfter = res.headers.get('retry-after');
    assert.match(String(retryAfter), /^[1-9][0-9]*$/, `Retry-After is a positive integer, got ${retryAfter}`);
    assert.ok(Number(retryAfter) <= 60, `Retry-After ${retryAfter} <= window`);
    const body = await res.json();
    assert.equal(body.error_type, 'too_many_requests');
    assert.equal(body.status_code, 429);
    assert.equal(body.data, undefined, 'error bodies are not wrapped');
  });

  test('the bucket is per operation and per credential', async () => {
    const client = fe.useSession(F.alice);
    const created = await client.sso.saml.createConnection({ display_name: 'another operation' });
    assertCommon(created);
    // Another member's session has its own bucket: bob reaches the RBAC check.
    fe.useSession(F.bob);
    await rejectsWithApiError(client.sso.getConnections(), 403, 'session_authorization_error', API_ERR);
  });
});
