'use strict';
// Builds the real backend client (stytch 14.2.0, B2BClient) pointed at an ssoemu server.
// See backend.test.js for how it talks to the server.

const stytch = require('stytch');
const { F } = require('./fixtures');

/** Error expectations for rejectsWithApiError: stytch's StytchError keeps Error's name. */
const API_ERR = { name: 'Error' };

/** The second argument of every backend method that makes the server apply member RBAC. */
const asMember = (session_token) => ({ authorization: { session_token } });

/** new B2BClient against `url` (no trailing slash); overrides replace project_id / secret. */
function makeClient(url, overrides = {}) {
  // The client warns once per construction about a non-standard `env`: silence that one line.
  const warn = console.warn;
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && args[0].includes("custom 'env' value")) return;
    warn(...args);
  };
  try {
    return new stytch.B2BClient({
      project_id: F.projectId, secret: F.secret, env: `${url}/`, ...overrides,
    });
  } finally {
    console.warn = warn;
  }
}

module.exports = { makeClient, asMember, API_ERR, stytch };
