'use strict';
// The backend client (stytch 14.2.0, B2BClient) on every SCIM operation (API.md §2-§4). The
// server starts from data/fixtures-scim-groups.json: the default fixtures plus a Globex SCIM
// connection with five groups.
//
// Requests the client sends (recorded against a logging server; Authorization Basic
// project_id:secret, plus X-Stytch-Member-Session with {authorization: {session_token}}):
//   scim.connection.create({organization_id, display_name?, identity_provider?})
//                                   POST   /v1/b2b/scim/{org}/connection  body {display_name, identity_provider}
//   scim.connection.get({organization_id})
//                                   GET    /v1/b2b/scim/{org}/connection  (no body)
//   scim.connection.update({organization_id, connection_id, display_name?, identity_provider?,
//     scim_group_implicit_role_assignments?})
//                                   PUT    /v1/b2b/scim/{org}/connection/{id}  body {display_name, identity_provider,
//                                          scim_group_implicit_role_assignments}
//   scim.connection.delete({organization_id, connection_id})
//                                   DELETE /v1/b2b/scim/{org}/connection/{id}  body {}
//   scim.connection.getGroups({organization_id, connection_id, limit?, cursor?})
//                                   GET    /v1/b2b/scim/{org}/connection/{id}?cursor=..&limit=..  (no body;
//                                          query keys only when given, cursor first)
//   scim.connection.rotateStart / rotateComplete / rotateCancel({organization_id, connection_id})
//                                   POST   /v1/b2b/scim/{org}/connection/{id}/rotate/{start,complete,cancel}  body {}

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./lib/server');
const { makeClient, asMember, API_ERR } = require('./lib/backend');
const { F, MSG, rejectsWithApiError, assertCommon } = require('./lib/fixtures');
const { assertScim, assertScimGroup } = require('./lib/shapes');
const D = require('./lib/data');

const G = D.scimFixtures;
const UNKNOWN_SCIM = 'scim-connection-test-00000000-0000-4000-8000-0000000000ff';
const GLOBEX = { organization_id: F.globexOrg, connection_id: G.connectionId };
const BOB = asMember(F.bob);
const CAROL = asMember(F.carol);

describe('backend client: SCIM operations', () => {
  let server;
  let client;
  let acme; // {organization_id, connection_id} of Acme's connection
  let created;

  before(async () => {
    server = await startServer(['--fixtures', G.path]);
    client = makeClient(server.url);
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('scim.connection.get: none yet -> 200 without a connection; 403 for bob; 404 unknown organization', async () => {
    const resp = await client.scim.connection.get({ organization_id: F.acmeOrg });
    assertCommon(resp);
    assert.equal('connection' in resp, false, JSON.stringify(resp));
    await rejectsWithApiError(client.scim.connection.get({ organization_id: F.acmeOrg }, BOB),
      403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    await rejectsWithApiError(client.scim.connection.get({ organization_id: F.acmeOrg }, CAROL),
      403, 'session_authorization_error', API_ERR);
    await rejectsWithApiError(client.scim.connection.get({ organization_id: F.unknownOrg }),
      404, 'organization_not_found', API_ERR);
  });

  test('scim.connection.create then get', async () => {
    const resp = await client.scim.connection.create({ organization_id: 'acme', display_name: 'Backend SCIM' });
    assertCommon(resp);
    created = resp.connection;
    assertScim(created, { org: F.acmeOrg, token: 'bearer' });
    acme = { organization_id: F.acmeOrg, connection_id: created.connection_id };
    const got = await client.scim.connection.get({ organization_id: F.acmeOrg }, asMember(F.alice));
    assertScim(got.connection, { org: F.acmeOrg });
    assert.equal(got.connection.bearer_token_last_four, created.bearer_token.slice(-4));
    await rejectsWithApiError(client.scim.connection.create({ organization_id: F.acmeOrg }, BOB),
      403, 'session_authorization_error', API_ERR);
    await rejectsWithApiError(client.scim.connection.create({ organization_id: F.unknownOrg }),
      404, 'organization_not_found', API_ERR);
  });

  test('scim.connection.update', async () => {
    const resp = await client.scim.connection.update({
      ...acme, display_name: 'Backend SCIM (Okta)', identity_provider: 'okta',
    });
    assertCommon(resp);
    assertScim(resp.connection, { org: F.acmeOrg });
    assert.equal(resp.connection.display_name, 'Backend SCIM (Okta)');
    assert.equal(resp.connection.identity_provider, 'okta');
    const roles = await client.scim.connection.update({
      ...GLOBEX, scim_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group_id: G.groups[0].group_id }],
    });
    assert.deepEqual(roles.connection.scim_group_implicit_role_assignments,
      [{ role_id: 'stytch_admin', group_id: G.groups[0].group_id, group_name: G.groups[0].group_name }]);
  });

  test('scim.connection.update errors: 403, 404 no_active_scim_connection, 400', async () => {
    await rejectsWithApiError(client.scim.connection.update({ ...acme, display_name: 'x' }, BOB),
      403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    await rejectsWithApiError(client.scim.connection.update({ ...acme, display_name: 'x' }, asMember(F.grace)),
      403, 'session_authorization_tenancy_error', API_ERR);
    await rejectsWithApiError(client.scim.connection.update({ ...acme, connection_id: UNKNOWN_SCIM, display_name: 'x' }),
      404, 'no_active_scim_connection', API_ERR);
    await rejectsWithApiError(
      client.scim.connection.update({ organization_id: F.acmeOrg, connection_id: G.connectionId, display_name: 'x' }),
      404, 'no_active_scim_connection', API_ERR);
    await rejectsWithApiError(client.scim.connection.update({ ...acme, identity_provider: 'duo' }),
      400, 'invalid_scim_idp', API_ERR);
    await rejectsWithApiError(client.scim.connection.update({
      ...acme, scim_group_implicit_role_assignments: [{ role_id: 'nope', group_id: G.groups[0].group_id }],
    }), 400, 'invalid_rbac_role_id', API_ERR);
    const { connection } = await client.scim.connection.get({ organization_id: F.acmeOrg });
    assert.equal(connection.display_name, 'Backend SCIM (Okta)');
    assert.equal(connection.identity_provider, 'okta');
  });

  test('scim.connection.getGroups: all, paged through the query string, errors', async () => {
    const all = await client.scim.connection.getGroups(GLOBEX);
    assertCommon(all);
    for (const g of all.scim_groups) assertScimGroup(g, { org: F.globexOrg, connection: G.connectionId });
    assert.deepEqual(all.scim_groups.map((g) => g.group_id).sort(), G.groups.map((g) => g.group_id).sort());
    assert.equal(all.next_cursor, null);

    const seen = [];
    let cursor;
    for (let i = 0; i < 10; i++) {
      const page = await client.scim.connection.getGroups({ ...GLOBEX, limit: 3, cursor });
      assert.ok(page.scim_groups.length <= 3);
      seen.push(...page.scim_groups.map((g) => g.group_id));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    assert.deepEqual(seen, all.scim_groups.map((g) => g.group_id));

    const none = await client.scim.connection.getGroups({ ...acme, limit: 0 });
    assert.deepEqual(none.scim_groups, []);
    assert.equal(none.next_cursor, null);

    await rejectsWithApiError(client.scim.connection.getGroups(GLOBEX, asMember(F.alice)),
      403, 'session_authorization_tenancy_error', API_ERR);
    await rejectsWithApiError(client.scim.connection.getGroups(acme, BOB),
      403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    await rejectsWithApiError(client.scim.connection.getGroups({ ...acme, connection_id: UNKNOWN_SCIM }),
      404, 'no_active_scim_connection', API_ERR);
    await rejectsWithApiError(client.scim.connection.getGroups({ ...GLOBEX, limit: 5000 }),
      400, 'bad_request', { ...API_ERR, message: /limit/ });
    await rejectsWithApiError(client.scim.connection.getGroups({ ...GLOBEX, cursor: 'nonsense!' }),
      400, 'bad_request', { ...API_ERR, message: /cursor/ });
  });

  test('rotateStart, rotateComplete, rotateCancel', async () => {
    const start = await client.scim.connection.rotateStart(acme);
    assertCommon(start);
    assertScim(start.connection, { org: F.acmeOrg, token: 'next' });
    assert.equal(start.connection.bearer_token_last_four, created.bearer_token.slice(-4));
    const next = start.connection.next_bearer_token;
    const done = await client.scim.connection.rotateComplete(acme);
    assertCommon(done);
    assertScim(done.connection, { org: F.acmeOrg });
    assert.equal(done.connection.bearer_token_last_four, next.slice(-4));
    assert.equal(done.connection.next_bearer_token_last_four, '');
    await rejectsWithApiError(client.scim.connection.rotateComplete(acme), 400, 'scim_connection_not_rotating_token', API_ERR);
    await rejectsWithApiError(client.scim.connection.rotateCancel(acme), 400, 'scim_connection_not_rotating_token', API_ERR);

    await client.scim.connection.rotateStart(acme);
    const cancel = await client.scim.connection.rotateCancel(acme);
    assertCommon(cancel);
    assertScim(cancel.connection, { org: F.acmeOrg });
    assert.equal(cancel.connection.bearer_token_last_four, next.slice(-4));
    assert.equal(cancel.connection.next_bearer_token_last_four, '');
  });

  test('rotation errors: 403 for bob and carol, 404 no_active_scim_connection', async () => {
    for (const op of ['rotateStart', 'rotateComplete', 'rotateCancel']) {
      for (const who of [BOB, CAROL]) {
        await rejectsWithApiError(client.scim.connection[op](acme, who),
          403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
      }
      await rejectsWithApiError(client.scim.connection[op]({ ...acme, connection_id: UNKNOWN_SCIM }),
        404, 'no_active_scim_connection', API_ERR);
    }
    const { connection } = await client.scim.connection.get({ organization_id: F.acmeOrg });
    assert.equal(connection.next_bearer_token_last_four, '', 'no rotation was started');
  });

  test('scim.connection.delete', async () => {
    await rejectsWithApiError(client.scim.connection.delete(acme, BOB),
      403, 'session_authorization_error', { ...API_ERR, message: MSG.forbidden });
    await rejectsWithApiError(client.scim.connection.delete({ ...acme, connection_id: UNKNOWN_SCIM }),
      404, 'no_active_scim_connection', API_ERR);
    await rejectsWithApiError(client.scim.connection.delete({ organization_id: F.unknownOrg, connection_id: acme.connection_id }),
      404, 'organization_not_found', API_ERR);
    const resp = await client.scim.connection.delete(acme, asMember(F.alice));
    assertCommon(resp);
    assert.equal(resp.connection_id, acme.connection_id);
    const after = await client.scim.connection.get({ organization_id: F.acmeOrg });
    assert.equal('connection' in after, false);
    await rejectsWithApiError(client.scim.connection.delete(acme), 404, 'no_active_scim_connection', API_ERR);
    await rejectsWithApiError(client.scim.connection.getGroups(acme), 404, 'no_active_scim_connection', API_ERR);
    await rejectsWithApiError(client.scim.connection.rotateStart(acme), 404, 'no_active_scim_connection', API_ERR);
  });
});
