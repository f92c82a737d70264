'use strict';
// The frontend SDK (@stytch/vanilla-js 6.3.0) on SCIM connections after create: get, update,
// groups, bearer token rotation, delete (API.md §2-§4). The server starts from
// data/fixtures-scim-groups.json: the default fixtures plus a Globex SCIM connection with five
// groups (Acme starts without one).
//
// Requests the SDK sends (recorded against a logging server; Authorization Basic
// public_token:session_token; no body where none is shown):
//   scim.getConnection()                    GET    /sdk/v1/b2b/scim
//   scim.updateConnection({connection_id, display_name?, identity_provider?,
//     scim_group_implicit_role_assignments?}) PUT  /sdk/v1/b2b/scim/{connection_id}  body: the argument
//   scim.deleteConnection(connection_id)    DELETE /sdk/v1/b2b/scim/{connection_id}
//   scim.getConnectionGroups({limit?, cursor?})
//                                           POST   /sdk/v1/b2b/scim/groups  body {limit?, cursor?}
//   scim.getConnectionGroups()              POST   /sdk/v1/b2b/scim/groups  with NO body at all
//   scim.rotateStart(connection_id)         POST   /sdk/v1/b2b/scim/rotate/start     body {connection_id}
//   scim.rotateComplete(connection_id)      POST   /sdk/v1/b2b/scim/rotate/complete  body {connection_id}
//   scim.rotateCancel(connection_id)        POST   /sdk/v1/b2b/scim/rotate/cancel    body {connection_id}
//   scim.createConnection(o)                POST   /sdk/v1/b2b/scim  body o

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { createFrontend } = require('./lib/frontend');
const { F, RE, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');
const { assertScim, assertScimGroup } = require('./lib/shapes');
const D = require('./lib/data');

const API_ERR = { name: 'StytchAPIError' };
const G = D.scimFixtures;
const UNKNOWN_SCIM = 'scim-connection-test-00000000-0000-4000-8000-0000000000ff';
const UNKNOWN_GROUP = 'scim-group-test-00000000-0000-4000-8000-0000000000ff';

describe('frontend SDK: SCIM connections', () => {
  let server;
  let fe;
  const as = (session) => fe.useSession(session);
  let acme; // Acme's connection as created
  let token; // its current bearer token's last four

  before(async () => {
    server = await startServer(['--fixtures', G.path]);
    fe = createFrontend(server.url, { session: F.alice });
  });
  after(async () => {
    if (fe) fe.close();
    if (server) await server.stop();
  });

  test('data/fixtures-scim-groups.json is the bundled default fixtures plus SCIM connection and groups', () => {
    // Keeps the copy honest: regenerate it when fixtures/default.json changes.
    const fs = require('node:fs');
    const path = require('node:path');
    const { REPO_ROOT } = require('./lib/server');
    const def = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'fixtures', 'default.json'), 'utf8'));
    const ours = JSON.parse(fs.readFileSync(G.path, 'utf8'));
    for (const k of Object.keys({ ...def, ...ours })) {
      if (k === 'scim_connections' || k === 'scim_groups') continue;
      assert.deepEqual(ours[k], def[k], `${k} differs from fixtures/default.json`);
    }
    assert.equal(ours.scim_groups.length, G.groups.length);
  });

  describe('an organization without a SCIM connection', () => {
    test('scim.getConnection -> 200 without a connection key', async () => {
      const resp = await as(F.alice).scim.getConnection();
      assertCommon(resp);
      assert.equal('connection' in resp, false, JSON.stringify(resp));
    });

    test('update, delete, groups and rotation -> 404 no_active_scim_connection', async () => {
      const c = as(F.alice);
      await rejectsWithApiError(c.scim.updateConnection({ connection_id: G.connectionId, display_name: 'x' }),
        404, 'no_active_scim_connection', API_ERR);
      await rejectsWithApiError(c.scim.deleteConnection(G.connectionId), 404, 'no_active_scim_connection', API_ERR);
      await rejectsWithApiError(c.scim.getConnectionGroups(), 404, 'no_active_scim_connection', API_ERR);
      await rejectsWithApiError(c.scim.rotateStart(G.connectionId), 404, 'no_active_scim_connection', API_ERR);
      const globex = await as(F.grace).scim.getConnection();
      assert.equal(globex.connection.connection_id, G.connectionId, 'Globex\'s connection untouched');
    });
  });

  describe('get and update', () => {
    before(async () => {
      ({ connection: acme } = await as(F.alice).scim.createConnection({ display_name: 'Acme SCIM', identity_provider: 'okta' }));
      token = acme.bearer_token.slice(-4);
    });

    test('scim.getConnection shows the connection without its token', async () => {
      const resp = await as(F.alice).scim.getConnection();
      assertCommon(resp);
      const c = resp.connection;
      assertScim(c, { org: F.acmeOrg });
      assert.equal(c.connection_id, acme.connection_id);
      assert.equal(c.bearer_token_last_four, token);
      assert.equal(c.next_bearer_token_last_four, '');
      assert.equal(c.display_name, 'Acme SCIM');
      assert.equal(c.identity_provider, 'okta');
      assert.deepEqual(c.scim_group_implicit_role_assignments, []);
    });

    test('scim.updateConnection changes name and identity provider (base_url follows)', async () => {
      const resp = await as(F.alice).scim.updateConnection({
        connection_id: acme.connection_id, display_name: 'Acme Entra SCIM', identity_provider: 'microsoft-entra',
      });
      assertCommon(resp);
      const c = resp.connection;
      assertScim(c, { org: F.acmeOrg });
      assert.equal(c.display_name, 'Acme Entra SCIM');
      assert.equal(c.identity_provider, 'microsoft-entra');
      assert.ok(c.base_url.endsWith('?aadOptscim062020'));
      assert.equal(c.bearer_token_last_four, token);
      const { connection: again } = await as(F.alice).scim.updateConnection({
        connection_id: acme.connection_id, display_name: '',
      });
      assert.equal(again.display_name, 'Acme Entra SCIM', 'empty string keeps the value');
      assert.deepEqual((await as(F.alice).scim.getConnection()).connection, again);
    });

    test('group role assignments get the group name; a group the connection lacks is refused', async () => {
      await rejectsWithApiError(as(F.grace).scim.updateConnection({
        connection_id: G.connectionId,
        scim_group_implicit_role_assignments: [{ role_id: 'sso_manager', group_id: UNKNOWN_GROUP }],
      }), 400, 'scim_group_role_assignment_group_does_not_exist', { ...API_ERR, message: new RegExp(UNKNOWN_GROUP) });
      const { connection: c } = await as(F.grace).scim.updateConnection({
        connection_id: G.connectionId,
        scim_group_implicit_role_assignments: [
          { role_id: 'stytch_admin', group_id: G.groups[2].group_id },
          { role_id: 'sso_manager', group_id: G.groups[3].group_id },
        ],
      });
      assertScim(c, { org: F.globexOrg });
      assert.deepEqual(c.scim_group_implicit_role_assignments, [
        { role_id: 'stytch_admin', group_id: G.groups[2].group_id, group_name: G.groups[2].group_name },
        { role_id: 'sso_manager', group_id: G.groups[3].group_id, group_name: G.groups[3].group_name },
      ]);
      assert.equal(c.bearer_token_last_four, G.bearerToken.slice(-4), 'the fixtures\' token');
      const { connection: listed } = await as(F.grace).scim.getConnection();
      assert.deepEqual(listed.scim_group_implicit_role_assignments, c.scim_group_implicit_role_assignments);
    });

    test('bob and carol (nothing on stytch.scim) -> 403 on get and update', async () => {
      for (const who of [F.bob, F.carol]) {
        await rejectsWithApiError(as(who).scim.getConnection(),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
        await rejectsWithApiError(as(who).scim.updateConnection({ connection_id: acme.connection_id, display_name: 'x' }),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
      assert.equal((await as(F.alice).scim.getConnection()).connection.display_name, 'Acme Entra SCIM');
    });

    test('an id that is not the organization\'s connection -> 404 no_active_scim_connection', async () => {
      await rejectsWithApiError(as(F.alice).scim.updateConnection({ connection_id: UNKNOWN_SCIM, display_name: 'x' }),
        404, 'no_active_scim_connection', { ...API_ERR, message: new RegExp(UNKNOWN_SCIM) });
      await rejectsWithApiError(as(F.alice).scim.updateConnection({ connection_id: G.connectionId, display_name: 'x' }),
        404, 'no_active_scim_connection', API_ERR);
      assert.equal((await as(F.grace).scim.getConnection()).connection.display_name, 'Globex Entra SCIM');
    });

    test('invalid input -> 400 and nothing changes', async () => {
      const c = as(F.alice);
      const id = acme.connection_id;
      // google-workspace is an SSO identity provider, not a SCIM one.
      await rejectsWithApiError(c.scim.updateConnection({ connection_id: id, display_name: 'no', identity_provider: 'google-workspace' }),
        400, 'invalid_scim_idp', API_ERR);
      await rejectsWithApiError(c.scim.updateConnection({
        connection_id: id, display_name: 'no',
        scim_group_implicit_role_assignments: [{ role_id: 'no_such_role', group_id: UNKNOWN_GROUP }],
      }), 400, 'invalid_rbac_role_id', { ...API_ERR, message: /no_such_role/ });
      await rejectsWithApiError(c.scim.updateConnection({
        connection_id: id, display_name: 'no', scim_group_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
      }), 400, 'scim_group_role_assignment_does_not_contain_group_id', { ...API_ERR, message: /group_id/ });
      await rejectsWithApiError(c.scim.updateConnection({ connection_id: id, display_name: ['no'] }),
        400, 'bad_request', { ...API_ERR, message: /display_name/ });
      const { connection } = await c.scim.getConnection();
      assert.equal(connection.display_name, 'Acme Entra SCIM');
      assert.equal(connection.identity_provider, 'microsoft-entra');
      assert.deepEqual(connection.scim_group_implicit_role_assignments, []);
    });
  });

  describe('scim.getConnectionGroups', () => {
    const expectIds = G.groups.map((g) => g.group_id).sort();

    test('without arguments (no request body): every group, next_cursor null', async () => {
      const resp = await as(F.grace).scim.getConnectionGroups();
      assertCommon(resp);
      assert.ok(Array.isArray(resp.scim_groups), JSON.stringify(resp));
      for (const g of resp.scim_groups) assertScimGroup(g, { org: F.globexOrg, connection: G.connectionId });
      assert.deepEqual(resp.scim_groups.map((g) => g.group_id).sort(), expectIds);
      for (const g of G.groups) {
        assert.equal(resp.scim_groups.find((x) => x.group_id === g.group_id).group_name, g.group_name);
      }
      assert.equal(resp.next_cursor, null);
    });

    test('pages of two follow next_cursor to the end, each group once', async () => {
      const all = (await as(F.grace).scim.getConnectionGroups({})).scim_groups.map((g) => g.group_id);
      const seen = [];
      let cursor;
      const sizes = [];
      for (let page = 0; page < 10; page++) {
        const resp = await as(F.grace).scim.getConnectionGroups(cursor ? { limit: 2, cursor } : { limit: 2 });
        sizes.push(resp.scim_groups.length);
        seen.push(...resp.scim_groups.map((g) => g.group_id));
        if (resp.next_cursor === null) break;
        assert.equal(typeof resp.next_cursor, 'string');
        assert.ok(resp.next_cursor.length > 0);
        cursor = resp.next_cursor;
      }
      assert.deepEqual(sizes, [2, 2, 1]);
      assert.deepEqual(seen, all, 'the pages together are the full list, in its order');
    });

    test('limit equal to the count: one page, next_cursor null; limit 0 means the default', async () => {
      const five = await as(F.grace).scim.getConnectionGroups({ limit: 5 });
      assert.equal(five.scim_groups.length, 5);
      assert.equal(five.next_cursor, null);
      const zero = await as(F.grace).scim.getConnectionGroups({ limit: 0 });
      assert.equal(zero.scim_groups.length, 5);
      assert.equal(zero.next_cursor, null);
    });

    test('a connection without groups: an empty list', async () => {
      const resp = await as(F.alice).scim.getConnectionGroups({ limit: 10 });
      assertCommon(resp);
      assert.deepEqual(resp.scim_groups, []);
      assert.equal(resp.next_cursor, null);
    });

    test('a bad limit or cursor -> 400 bad_request', async () => {
      const c = as(F.grace);
      await rejectsWithApiError(c.scim.getConnectionGroups({ limit: 1001 }), 400, 'bad_request', { ...API_ERR, message: /limit/ });
      await rejectsWithApiError(c.scim.getConnectionGroups({ limit: -1 }), 400, 'bad_request', { ...API_ERR, message: /limit/ });
      await rejectsWithApiError(c.scim.getConnectionGroups({ limit: 'ten' }), 400, 'bad_request', { ...API_ERR, message: /limit/ });
      await rejectsWithApiError(c.scim.getConnectionGroups({ cursor: '!!not a cursor!!' }),
        400, 'bad_request', { ...API_ERR, message: /cursor/ });
    });

    test('bob and carol -> 403', async () => {
      for (const who of [F.bob, F.carol]) {
        await rejectsWithApiError(as(who).scim.getConnectionGroups(),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
    });
  });

  describe('bearer token rotation', () => {
    let next;

    test('scim.rotateStart shows the next token once', async () => {
      const resp = await as(F.alice).scim.rotateStart(acme.connection_id);
      assertCommon(resp);
      const c = resp.connection;
      assertScim(c, { org: F.acmeOrg, token: 'next' });
      assert.equal(c.connection_id, acme.connection_id);
      assert.equal(c.bearer_token_last_four, token, 'the current token stays until complete');
      assert.notEqual(c.next_bearer_token, acme.bearer_token);
      next = c.next_bearer_token;
      const { connection: got } = await as(F.alice).scim.getConnection();
      assert.equal(got.next_bearer_token, undefined);
      assert.equal(got.next_bearer_token_last_four, next.slice(-4));
      assert.match(got.next_bearer_token_expires_at, RE.timestamp);
    });

    test('scim.rotateComplete makes the next token current', async () => {
      const resp = await as(F.alice).scim.rotateComplete(acme.connection_id);
      assertCommon(resp);
      const c = resp.connection;
      assertScim(c, { org: F.acmeOrg });
      assert.equal(c.bearer_token_last_four, next.slice(-4));
      assert.equal(c.next_bearer_token_last_four, '');
      token = next.slice(-4);
    });

    test('complete or cancel with no rotation under way -> 400 scim_connection_not_rotating_token', async () => {
      await rejectsWithApiError(as(F.alice).scim.rotateComplete(acme.connection_id),
        400, 'scim_connection_not_rotating_token', API_ERR);
      await rejectsWithApiError(as(F.alice).scim.rotateCancel(acme.connection_id),
        400, 'scim_connection_not_rotating_token', API_ERR);
      assert.equal((await as(F.alice).scim.getConnection()).connection.bearer_token_last_four, token);
    });

    test('scim.rotateCancel drops the next token', async () => {
      const started = await as(F.alice).scim.rotateStart(acme.connection_id);
      assert.match(started.connection.next_bearer_token, RE.bearer);
      const resp = await as(F.alice).scim.rotateCancel(acme.connection_id);
      assertCommon(resp);
      assertScim(resp.connection, { org: F.acmeOrg });
      assert.equal(resp.connection.bearer_token_last_four, token);
      assert.equal(resp.connection.next_bearer_token_last_four, '');
    });

    test('bob and carol -> 403 on start, complete and cancel', async () => {
      for (const who of [F.bob, F.carol]) {
        for (const op of ['rotateStart', 'rotateComplete', 'rotateCancel']) {
          await rejectsWithApiError(as(who).scim[op](acme.connection_id),
            403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
        }
      }
      assert.equal((await as(F.alice).scim.getConnection()).connection.next_bearer_token_last_four, '');
    });

    test('another id -> 404 no_active_scim_connection', async () => {
      for (const op of ['rotateStart', 'rotateComplete', 'rotateCancel']) {
        await rejectsWithApiError(as(F.alice).scim[op](UNKNOWN_SCIM), 404, 'no_active_scim_connection', API_ERR);
        await rejectsWithApiError(as(F.alice).scim[op](G.connectionId), 404, 'no_active_scim_connection', API_ERR);
      }
      const { connection } = await as(F.grace).scim.getConnection();
      assert.equal(connection.next_bearer_token_last_four, '', 'Globex did not start rotating');
    });
  });

  describe('scim.deleteConnection', () => {
    test('bob and carol -> 403; an unknown id -> 404', async () => {
      for (const who of [F.bob, F.carol]) {
        await rejectsWithApiError(as(who).scim.deleteConnection(acme.connection_id),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
      await rejectsWithApiError(as(F.alice).scim.deleteConnection(UNKNOWN_SCIM), 404, 'no_active_scim_connection', API_ERR);
      await rejectsWithApiError(as(F.alice).scim.deleteConnection(G.connectionId), 404, 'no_active_scim_connection', API_ERR);
      assert.ok((await as(F.alice).scim.getConnection()).connection);
    });

    test('deletes the connection; the organization may create a new one', async () => {
      const resp = await as(F.alice).scim.deleteConnection(acme.connection_id);
      assertCommon(resp);
      assert.equal(resp.connection_id, acme.connection_id);
      assert.equal('connection' in (await as(F.alice).scim.getConnection()), false);
      await rejectsWithApiError(as(F.alice).scim.deleteConnection(acme.connection_id), 404, 'no_active_scim_connection', API_ERR);
      const { connection } = await as(F.alice).scim.createConnection({ display_name: 'Acme SCIM again' });
      assertScim(connection, { org: F.acmeOrg, token: 'bearer' });
      assert.notEqual(connection.connection_id, acme.connection_id);
    });

    test('deleting Globex\'s connection: its groups are gone, a new connection starts without any', async () => {
      const resp = await as(F.grace).scim.deleteConnection(G.connectionId);
      assert.equal(resp.connection_id, G.connectionId);
      await rejectsWithApiError(as(F.grace).scim.getConnectionGroups(), 404, 'no_active_scim_connection', API_ERR);
      const { connection } = await as(F.grace).scim.createConnection({ display_name: 'Globex again' });
      const groups = await as(F.grace).scim.getConnectionGroups();
      assert.deepEqual(groups.scim_groups, [], `the new connection has no groups (${connection.connection_id})`);
    });
  });
});
