'use strict';
// Organizations, the Admin Portal's configuration and the RBAC policy with both real clients
// (ORG.md sections 1 to 4).
//
// Requests:
//   frontend: organization.get() -> GET /sdk/v1/b2b/organizations/me; organization.update(data) ->
//             PUT /sdk/v1/b2b/organizations/me (the SDK stores the answer's organization);
//             rbac.isAuthorized(resource, action) reads the bootstrap's rbac_policy, no request;
//             the Admin Portal's GET /sdk/v1/b2b/admin_portal_config and the SDK's POST /sdk/v1/events
//             (bare JSON array, no Authorization) are sent with fetch exactly as the SDK sends them.
//   backend:  organizations.get({organization_id}) -> GET /v1/b2b/organizations/{id};
//             organizations.update({organization_id, ...}, {authorization}) -> PUT the same;
//             rbac.policy() -> GET /v1/b2b/rbac/policy.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend, PUBLIC_TOKEN } = require('./lib/frontend');
const { makeClient, asMember, API_ERR } = require('./lib/backend');
const { F, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');

const SDK_ERR = { name: 'StytchAPIError' };
const basic = (user, pass) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('organizations, Admin Portal configuration and RBAC policy on both clients', () => {
  let server;
  let fe;
  let api;

  before(async () => {
    server = await startServer();
    fe = createFrontend(server.url);
    api = makeClient(server.url);
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  test('GET /sdk/v1/b2b/admin_portal_config as the portal sends it', async () => {
    const res = await fetch(`${server.url}/sdk/v1/b2b/admin_portal_config`, {
      headers: { Authorization: basic(PUBLIC_TOKEN, F.alice), 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 200);
    const { data } = await res.json();
    assert.deepEqual(data.sso_config, { sso_enabled: true, can_create_saml_connection: true, can_create_oidc_connection: true });
    assert.deepEqual(data.organization_config, { mfa_controls_enabled: false });
    assert.deepEqual(data.scim_config, { scim_enabled: true });
    const anon = await fetch(`${server.url}/sdk/v1/b2b/admin_portal_config`, {
      headers: { Authorization: basic(PUBLIC_TOKEN, PUBLIC_TOKEN) },
    });
    assert.equal(anon.status, 401);
    assert.equal((await anon.json()).error_type, 'unauthorized_credentials');
  });

  test('POST /sdk/v1/events with the bare array the SDK sends answers 200', async () => {
    const res = await fetch(`${server.url}/sdk/v1/events`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ telemetry: { event_id: 'x' }, event: { public_token: PUBLIC_TOKEN, event_name: 'render' } }]),
    });
    assert.equal(res.status, 200);
  });

  test('organization.get: the full Organization object', async () => {
    // organization.get() resolves the answer's organization itself.
    const o = await fe.useSession(F.bob).organization.get();
    assert.equal(o.organization_id, F.acmeOrg);
    assert.equal(o.organization_slug, 'acme');
    assert.equal(o.sso_default_connection_id, null);
    assert.equal(o.scim_active_connection, null);
    assert.deepEqual(o.sso_active_connections, []);
    for (const k of ['organization_logo_url', 'sso_jit_provisioning', 'email_jit_provisioning', 'email_invites',
      'auth_methods', 'mfa_policy', 'oauth_tenant_jit_provisioning']) assert.equal(typeof o[k], 'string', k);
    for (const k of ['sso_jit_provisioning_allowed_connections', 'email_allowed_domains', 'allowed_auth_methods',
      'allowed_mfa_methods', 'rbac_email_implicit_role_assignments']) assert.ok(Array.isArray(o[k]), k);
    assert.deepEqual(o.trusted_metadata, {});
    assert.deepEqual(o.allowed_oauth_tenants, {});
  });

  test('organization.update: per-field RBAC on the frontend', async () => {
    await rejectsWithApiError(fe.useSession(F.bob).organization.update({ organization_name: 'Bob Inc' }),
      403, 'session_authorization_error', { ...SDK_ERR, message: MSG.forbidden });
    // carol manages SSO but not the organization's settings.
    await rejectsWithApiError(fe.useSession(F.carol).organization.update({ sso_jit_provisioning: 'NOT_ALLOWED' }),
      403, 'session_authorization_error', SDK_ERR);
    const resp = await fe.useSession(F.alice).organization.update({ organization_name: 'Acme Corp', mfa_policy: 'REQUIRED_FOR_ALL' });
    assertCommon(resp);
    assert.equal(resp.organization.organization_name, 'Acme Corp');
    assert.equal(resp.organization.mfa_policy, 'REQUIRED_FOR_ALL');
    assert.equal(fe.client.organization.getSync().organization_name, 'Acme Corp', 'the SDK stored the answer');
    await rejectsWithApiError(fe.useSession(F.alice).organization.update({ organization_slug: 'globex' }),
      400, 'organization_slug_already_used', SDK_ERR);
    await rejectsWithApiError(fe.useSession(F.alice).organization.update({ sso_jit_provisioning: 'MAYBE' }), 400, 'bad_request', SDK_ERR);
  });

  test('rbac.isAuthorized agrees with the server on stytch.organization', async () => {
    // The SDK checks the roles of the member session it authenticated.
    const alice = fe.useSession(F.alice);
    await alice.session.authenticate();
    assert.equal(await alice.rbac.isAuthorized('stytch.organization', 'update.settings.default-sso-connection'), true);
    const bob = fe.useSession(F.bob);
    await bob.session.authenticate();
    assert.equal(await bob.rbac.isAuthorized('stytch.organization', 'update.info.name'), false);
    assert.equal(await bob.rbac.isAuthorized('stytch.self', 'update.info.name'), true);
  });

  test('the default connection and active connections follow the connection calls', async () => {
    const c = fe.useSession(F.alice);
    const { connection } = await c.sso.saml.createConnection({ display_name: 'Acme Okta', identity_provider: 'okta' });
    // The wizard's one-line certificate field.
    const { connection: active } = await c.sso.saml.updateConnection({
      connection_id: connection.connection_id, idp_sso_url: 'https://idp.acme.test/sso', idp_entity_id: 'https://idp.acme.test',
      x509_certificate: require('./lib/data').certs[0].pem.replace(/\n/g, ' '),
    });
    assert.equal(active.status, 'active');
    let { organization } = await c.organization.update({ sso_default_connection_id: connection.connection_id });
    assert.equal(organization.sso_default_connection_id, connection.connection_id);
    assert.deepEqual(organization.sso_active_connections,
      [{ connection_id: connection.connection_id, display_name: 'Acme Okta', identity_provider: 'okta' }]);
    const scim = await c.scim.createConnection({ display_name: 'Acme SCIM' });
    organization = await c.organization.get();
    assert.equal(organization.scim_active_connection.connection_id, scim.connection.connection_id);
    await c.sso.deleteConnection(connection.connection_id);
    await c.scim.deleteConnection(scim.connection.connection_id);
    organization = await c.organization.get();
    assert.equal(organization.sso_default_connection_id, null);
    assert.deepEqual(organization.sso_active_connections, []);
    assert.equal(organization.scim_active_connection, null);
  });

  test('backend organizations.get by id, slug-free; unknown -> 404', async () => {
    const resp = await api.organizations.get({ organization_id: F.globexOrg });
    assert.equal(resp.status_code, 200);
    assert.equal(resp.organization.organization_slug, 'globex');
    assert.equal(resp.organization.sso_active_connections[0].connection_id, F.globexSaml);
    // The seeded default connection (sign-in starts there when only the organization is named).
    assert.equal(resp.organization.sso_default_connection_id, F.globexSaml);
    await rejectsWithApiError(api.organizations.get({ organization_id: 'organization-test-nope' }),
      404, 'organization_not_found', API_ERR);
  });

  test('backend organizations.update with the secret, and with a member session (RBAC)', async () => {
    const resp = await api.organizations.update({ organization_id: F.globexOrg, organization_logo_url: 'https://globex.test/l.png' });
    assert.equal(resp.organization.organization_logo_url, 'https://globex.test/l.png');
    await rejectsWithApiError(api.organizations.update({ organization_id: F.acmeOrg, organization_name: 'x' }, asMember(F.bob)),
      403, 'session_authorization_error', API_ERR);
    await rejectsWithApiError(api.organizations.update({ organization_id: F.globexOrg, organization_name: 'x' }, asMember(F.alice)),
      403, 'session_authorization_tenancy_error', API_ERR);
    await rejectsWithApiError(api.organizations.update({
      organization_id: F.acmeOrg, rbac_email_implicit_role_assignments: [{ role_id: 'stytch_member', domain: 'acme.test' }],
    }), 400, 'cannot_assign_default_rbac_role_id', API_ERR);
  });

  test('backend rbac.policy: Stytch\'s default resources and roles, described, with scopes', async () => {
    const { policy } = await api.rbac.policy();
    const ids = policy.resources.map((r) => r.resource_id);
    for (const r of ['stytch.organization', 'stytch.member', 'stytch.self', 'stytch.sso', 'stytch.scim']) assert.ok(ids.includes(r), r);
    for (const r of [...policy.roles, ...policy.resources]) assert.equal(typeof r.description, 'string');
    assert.deepEqual(policy.scopes, []);
    const org = policy.resources.find((r) => r.resource_id === 'stytch.organization');
    assert.ok(org.actions.includes('update.settings.implicit-roles'));
    const member = policy.roles.find((r) => r.role_id === 'stytch_member');
    assert.deepEqual(member.permissions, [{ resource_id: 'stytch.self', actions: ['*'] }]);
  });

  test('role assignments need update.settings.implicit-roles and may not name stytch_member', async () => {
    const { connection } = await fe.useSession(F.alice).sso.saml.createConnection({});
    await rejectsWithApiError(fe.useSession(F.carol).sso.saml.updateConnection({
      connection_id: connection.connection_id, saml_connection_implicit_role_assignments: [{ role_id: 'sso_manager' }],
    }), 403, 'session_authorization_error', SDK_ERR);
    await rejectsWithApiError(fe.useSession(F.alice).sso.saml.updateConnection({
      connection_id: connection.connection_id, saml_connection_implicit_role_assignments: [{ role_id: 'stytch_member' }],
    }), 400, 'cannot_assign_default_rbac_role_id', SDK_ERR);
    await rejectsWithApiError(api.sso.saml.updateConnection({
      organization_id: F.acmeOrg, connection_id: connection.connection_id,
      saml_connection_implicit_role_assignments: [{ role_id: 'stytch_member' }],
    }), 400, 'cannot_assign_default_rbac_role_id', API_ERR);
  });
});
