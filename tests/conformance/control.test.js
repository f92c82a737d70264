'use strict';
// The control API (EMULATOR.md "Control API") as the real clients see its effects: state
// exported and imported (GET/PUT /_emulator/state, also how SCIM groups get in), reset, injected
// faults (their bodies are Stytch error bodies both clients parse), and the SDK member-actions
// setting (PATCH /_emulator/config).
//
// Control requests are plain fetch calls: GET/PUT /_emulator/state, POST /_emulator/reset,
// POST/DELETE /_emulator/faults, GET /_emulator/requests?limit=N, PATCH /_emulator/config.
// Client requests: as recorded at the top of frontend_*.test.js and backend_*.test.js.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend } = require('./lib/frontend');
const { makeClient, API_ERR } = require('./lib/backend');
const { F, RE, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');
const { assertScimGroup } = require('./lib/shapes');
const D = require('./lib/data');

const SDK_ERR = { name: 'StytchAPIError' };
const ACME = { organization_id: F.acmeOrg };
const MSG_SDK_OFF = 'The project owner has not authorized the SDK to call this endpoint. Please enable it in the '
  + 'dashboard to continue: https://stytch.com/dashboard/sdk-configuration.';

describe('control API effects seen through the clients', () => {
  let server;
  let fe;
  let api;
  const as = (session) => fe.useSession(session);

  async function control(method, path, body, expectStatus = 200) {
    const res = await fetch(`${server.url}/_emulator/${path}`, {
      method,
      headers: body !== undefined ? { 'Content-Type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    assert.equal(res.status, expectStatus, `${method} /_emulator/${path}: ${JSON.stringify(json)}`);
    return json;
  }

  before(async () => {
    server = await startServer();
    fe = createFrontend(server.url, { session: F.alice });
    api = makeClient(server.url);
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  describe('state', () => {
    let scim;

    test('GET then PUT of the state keeps every connection as the clients see it', async () => {
      const { connection: saml } = await as(F.alice).sso.saml.createConnection({ display_name: 'Kept' });
      await as(F.alice).sso.saml.updateConnection({
        connection_id: saml.connection_id, x509_certificate: D.certs[0].pem, saml_encryption_private_key: D.encryptionKeys[0],
      });
      await as(F.alice).sso.oidc.createConnection({ display_name: 'Kept OIDC' });
      ({ connection: scim } = await as(F.alice).scim.createConnection({ display_name: 'Kept SCIM' }));
      const before = await api.sso.getConnections(ACME);
      const scimBefore = (await api.scim.connection.get(ACME)).connection;

      const state = await control('GET', 'state');
      assert.ok(JSON.stringify(state).indexOf(scim.bearer_token) < 0, 'the state never holds the bearer token');
      await control('PUT', 'state', state);

      const after = await api.sso.getConnections(ACME);
      for (const k of ['saml_connections', 'oidc_connections', 'external_connections']) {
        assert.deepEqual(after[k], before[k], k);
      }
      assert.deepEqual((await api.scim.connection.get(ACME)).connection, scimBefore);
      // The SDK session of the state still works.
      assertCommon(await as(F.alice).sso.getConnections());
    });

    test('SCIM groups put into the state are served to both clients', async () => {
      const state = await control('GET', 'state');
      const groups = [
        { group_id: 'scim-group-test-aaaaaaaa-0000-4000-8000-00000000f001', group_name: 'Acme Admins' },
        { group_id: 'scim-group-test-aaaaaaaa-0000-4000-8000-00000000f002', group_name: 'Acme Engineers' },
        { group_id: 'scim-group-test-aaaaaaaa-0000-4000-8000-00000000f003', group_name: 'Acme Sales' },
      ];
      state.scim_groups = [...(state.scim_groups || []),
        ...groups.map((g) => ({ ...g, connection_id: scim.connection_id }))];
      await control('PUT', 'state', state);

      const sdk = await as(F.alice).scim.getConnectionGroups({ limit: 2 });
      assert.equal(sdk.scim_groups.length, 2);
      assert.equal(typeof sdk.next_cursor, 'string');
      const backend = await api.scim.connection.getGroups({ ...ACME, connection_id: scim.connection_id });
      for (const g of backend.scim_groups) assertScimGroup(g, { org: F.acmeOrg, connection: scim.connection_id });
      assert.deepEqual(backend.scim_groups.map((g) => g.group_name).sort(), groups.map((g) => g.group_name));
      // And group role assignments pick their names up.
      const { connection } = await as(F.alice).scim.updateConnection({
        connection_id: scim.connection_id,
        scim_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group_id: groups[0].group_id }],
      });
      assert.equal(connection.scim_group_implicit_role_assignments[0].group_name, 'Acme Admins');
    });

    test('an invalid state is refused with an error body and changes nothing', async () => {
      const state = await control('GET', 'state');
      state.scim_groups.push({
        group_id: 'scim-group-test-aaaaaaaa-0000-4000-8000-00000000f009', group_name: 'orphan',
        connection_id: 'scim-connection-test-00000000-0000-4000-8000-0000000000ff',
      });
      const err = await control('PUT', 'state', state, 400);
      assert.equal(err.status_code, 400);
      assert.equal(typeof err.error_type, 'string');
      assert.match(String(err.request_id), RE.requestId);
      const groups = await as(F.alice).scim.getConnectionGroups();
      assert.equal(groups.scim_groups.length, 3, 'the groups of before');
    });

    test('POST /_emulator/reset: back to the fixtures on both surfaces', async () => {
      await control('POST', 'reset');
      const acme = await as(F.alice).sso.getConnections();
      assert.deepEqual(acme.saml_connections, []);
      assert.deepEqual(acme.oidc_connections, []);
      assert.equal('connection' in (await api.scim.connection.get(ACME)), false);
      const globex = await api.sso.getConnections({ organization_id: F.globexOrg });
      assert.ok(globex.saml_connections.some((c) => c.connection_id === F.globexSaml));
    });
  });

  describe('faults', () => {
    after(async () => {
      await control('DELETE', 'faults');
    });

    test('a fault on an SDK route: the SDK throws the documented error, the request is not carried out', async () => {
      await control('POST', 'faults', { method: 'POST', path: '/sdk/v1/b2b/sso/saml', status: 500 });
      await rejectsWithApiError(as(F.alice).sso.saml.createConnection({ display_name: 'faulted' }),
        500, 'internal_server_error', SDK_ERR);
      const { saml_connections } = await as(F.alice).sso.getConnections();
      assert.ok(!saml_connections.some((c) => c.display_name === 'faulted'), 'nothing was created');
      const { connection } = await as(F.alice).sso.saml.createConnection({ display_name: 'after the fault' });
      assert.equal(connection.display_name, 'after the fault', 'count 1: the next call goes through');
    });

    test('a prefix fault with a count on the backend surface', async () => {
      await control('POST', 'faults', { path: '/v1/b2b/scim/*', error_type: 'too_many_requests', count: 2 });
      for (let i = 0; i < 2; i++) {
        await rejectsWithApiError(api.scim.connection.get(ACME), 429, 'too_many_requests',
          { ...API_ERR, message: MSG.tooMany });
      }
      assertCommon(await api.scim.connection.get(ACME));
    });
  });

  describe('request log', () => {
    test('GET /_emulator/requests lists client calls newest first, without credentials', async () => {
      const { connection } = await as(F.alice).sso.oidc.createConnection({ display_name: 'logged' });
      await api.sso.oidc.updateConnection({ ...ACME, connection_id: connection.connection_id, client_secret: 'very-secret-value' });
      await rejectsWithApiError(as(F.bob).sso.getConnections(), 403, 'session_authorization_error', SDK_ERR);
      const log = (await control('GET', 'requests?limit=20')).requests;
      assert.ok(log.length <= 20);
      // The SDK's own telemetry and bootstrap calls may be interleaved: leave them out.
      const requests = log.filter((r) => r.path !== '/sdk/v1/events' && !r.path.startsWith('/sdk/v1/projects/'))
        .slice(0, 3);
      const [bob, update, create] = requests;
      assert.equal(bob.method, 'GET');
      assert.equal(bob.path, '/sdk/v1/b2b/sso');
      assert.equal(bob.status, 403);
      assert.equal(bob.error_type, 'session_authorization_error');
      assert.equal(update.method, 'PUT');
      assert.equal(update.path, `/v1/b2b/sso/oidc/${F.acmeOrg}/connections/${connection.connection_id}`);
      assert.equal(update.status, 200);
      assert.equal(create.path, '/sdk/v1/b2b/sso/oidc');
      assert.notEqual(bob.surface, update.surface, 'the two surfaces are told apart');
      for (const r of requests) assert.match(String(r.request_id), RE.requestId);
      const text = JSON.stringify(log);
      for (const secret of [F.alice, F.bob, F.secret, 'very-secret-value']) {
        assert.ok(!text.includes(secret), `the log does not contain ${secret}`);
      }
    });
  });

  describe('config', () => {
    test('sdk_member_actions_enabled false: SDK connection calls get 401 endpoint_not_authorized_for_sdk', async () => {
      await control('PATCH', 'config', { sdk_member_actions_enabled: false });
      try {
        await rejectsWithApiError(as(F.alice).sso.getConnections(),
          401, 'endpoint_not_authorized_for_sdk', { ...SDK_ERR, message: MSG_SDK_OFF });
        await rejectsWithApiError(as(F.alice).scim.getConnectionGroups(),
          401, 'endpoint_not_authorized_for_sdk', SDK_ERR);
        assertCommon(await api.sso.getConnections(ACME));
      } finally {
        await control('PATCH', 'config', { sdk_member_actions_enabled: true });
      }
      assertCommon(await as(F.alice).sso.getConnections());
    });
  });
});
