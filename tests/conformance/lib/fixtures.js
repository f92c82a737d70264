'use strict';
// Well-known values of the bundled default fixtures (EMULATOR.md "Default fixtures") and
// small assertion helpers shared by the conformance tests.

const assert = require('node:assert/strict');

const F = {
  projectId: 'project-test-11111111-1111-4111-8111-111111111111',
  secret: 'secret-test-ssoemu-local-secret-0000000000000',
  publicToken: 'public-token-test-11111111-1111-4111-8111-111111111111',
  acmeOrg: 'organization-test-aaaaaaaa-0000-4000-8000-000000000001',
  globexOrg: 'organization-test-bbbbbbbb-0000-4000-8000-000000000002',
  globexSaml: 'saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001',
  globexOidc: 'oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c002', // pending (EMULATOR.md)
  globexOidcActive: 'oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c003', // wired to the built-in IdP
  alice: 'session-acme-admin',
  bob: 'session-acme-member',
  carol: 'session-acme-sso-manager',
  grace: 'session-globex-admin',
  publicBase: 'https://test.stytch.com',
  unknownOrg: 'organization-test-00000000-0000-4000-8000-0000000000ff',
  unknownSaml: 'saml-connection-test-00000000-0000-4000-8000-0000000000ff',
};

const UUID4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const idRe = (prefix) => new RegExp(`^${prefix}${UUID4}$`);
const RE = {
  requestId: idRe('request-id-test-'),
  saml: idRe('saml-connection-test-'),
  oidc: idRe('oidc-connection-test-'),
  external: idRe('external-connection-test-'),
  scim: idRe('scim-connection-test-'),
  signingKey: idRe('saml-signing-key-test-'),
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
  bearer: /^[A-Za-z0-9]{48}$/,
};

const MSG = {
  unauthorized: 'Unauthorized credentials.',
  forbidden: 'The Member is not authorized to perform the requested action on that resource.',
  sessionNotFound: 'Session could not be found.',
  tooMany: 'Too many requests have been made.',
  scimExists: 'Cannot create a new SCIM connection for the specified organization since the organization already has an active SCIM connection. Organizations may only have one active SCIM connection at a time.',
};

function describeErr(err) {
  if (!err || typeof err !== 'object') return String(err);
  const own = {};
  for (const k of ['name', 'status_code', 'error_type', 'error_message', 'error_url', 'request_id']) {
    if (k in err) own[k] = err[k];
  }
  return `${JSON.stringify(own)} ${err.message && !own.error_message ? err.message : ''}`;
}

/**
 * Awaits `promise` and asserts it rejects with a Stytch API error of that status and type.
 * expect: {name?, message? (exact string or RegExp)}. Returns the error.
 */
async function rejectsWithApiError(promise, status, type, expect = {}) {
  let resolved;
  try {
    resolved = await promise;
  } catch (err) {
    const ctx = `got ${describeErr(err)}`;
    if (expect.name) assert.equal(err.name, expect.name, ctx);
    assert.equal(err.error_type, type, ctx);
    assert.equal(err.status_code, status, ctx);
    assert.equal(typeof err.error_message, 'string', ctx);
    assert.ok(err.error_message.length > 0, ctx);
    assert.equal(err.error_url, `https://stytch.com/docs/api/errors/${status}`, ctx);
    assert.match(String(err.request_id), RE.requestId, ctx);
    if (expect.message instanceof RegExp) assert.match(err.error_message, expect.message, ctx);
    else if (typeof expect.message === 'string') assert.equal(err.error_message, expect.message, ctx);
    return err;
  }
  assert.fail(`expected ${status} ${type}, but the call resolved: ${JSON.stringify(resolved)}`);
}

function assertCommon(resp) {
  assert.ok(resp && typeof resp === 'object',
    `expected an object (a success body wrapped in {"data": ...} on /sdk/v1), got ${JSON.stringify(resp)}`);
  assert.match(String(resp.request_id), RE.requestId, 'request_id');
  assert.equal(resp.status_code, 200, 'status_code');
}

module.exports = { F, RE, MSG, UUID4, rejectsWithApiError, assertCommon, describeErr };
