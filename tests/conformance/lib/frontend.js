'use strict';
/*
 * Drives the real, unmodified @stytch/vanilla-js B2B client (StytchB2BClient from
 * '@stytch/vanilla-js/b2b') under Node, against an ssoemu server.
 *
 * How the SDK talks to the server (read from dist/cjs of @stytch/vanilla-js 6.3.0):
 *
 * - Base URL: NetworkClient uses `endpoints.testAPIURL` when the public token contains
 *   "public-token-test" (else liveAPIURL), and calls `${base}/sdk/v1${path}` with the global
 *   `fetch`, `credentials: 'include'`.
 * - Headers on every SDK call: `Authorization: Basic btoa(public_token + ':' + (session_token ||
 *   public_token))`, `Content-Type: application/json`, `X-SDK-Client: btoa(JSON telemetry)`,
 *   `X-SDK-Parent-Host: window.location.origin`. The body is JSON.stringify(body) or absent
 *   (GET and DELETE send no body).
 * - The session token is read on every call from `document.cookie` (cookie `stytch_session`,
 *   JWT in `stytch_session_jwt`, via js-cookie). `client.session.updateSession({session_token,
 *   session_jwt})` only writes those two cookies (no request). If a `stytch_session` cookie exists
 *   when the client is constructed, the SDK immediately POSTs `/sdk/v1/b2b/sessions/authenticate`
 *   with body `{}`, and on success stores member/session state and schedules a refresh every
 *   3 minutes (a setTimeout); on `session_not_found` / `unauthorized_credentials` it drops the
 *   session cookies.
 * - Start-up also sends `GET /sdk/v1/projects/bootstrap/{public_token}` (response `data` mapped
 *   to the SDK's bootstrap config; a failure is only logged) and the event logger POSTs batches
 *   to `/sdk/v1/events` (no Authorization header) from a never-cleared 800 ms setInterval. That
 *   interval would keep the process alive: it is unref'd here (see createFrontend), and close()
 *   cancels the session refresh timer.
 * - Responses: for status <= 299 the SDK resolves `(await resp.json()).data`: a body not wrapped
 *   in `data` resolves `undefined`; a non-JSON 2xx throws StytchAPIUnreachableError. For other
 *   statuses with a Content-Type containing application/json it throws `StytchAPIError` whose
 *   own properties are the error body's `status_code`, `error_type`, `error_message`,
 *   `error_url`, `request_id` (and `error_details`); `err.name === 'StytchAPIError'` and
 *   `err.message` is "[status] error_type\nerror_message\n...". An error body with a `body`,
 *   `params` or `query` key becomes a StytchAPISchemaError instead. A non-JSON error response
 *   throws StytchAPIUnreachableError('Invalid response from our servers.'). Response headers
 *   (e.g. Retry-After) are not exposed.
 *
 * The SDK refuses to construct without a `window`; this file installs a small browser shim on
 * globalThis (window === globalThis) before requiring it: location, document (cookie jar only),
 * localStorage / sessionStorage, navigator, history, add/removeEventListener. Node's own fetch,
 * btoa and crypto are used as they are.
 */

const PUBLIC_TOKEN = 'public-token-test-11111111-1111-4111-8111-111111111111';
const PAGE_ORIGIN = 'http://localhost:3000';

class MemoryStorage {
  constructor() { this._m = new Map(); }
  get length() { return this._m.size; }
  key(i) { return Array.from(this._m.keys())[i] ?? null; }
  getItem(k) { return this._m.has(String(k)) ? this._m.get(String(k)) : null; }
  setItem(k, v) { this._m.set(String(k), String(v)); }
  removeItem(k) { this._m.delete(String(k)); }
  clear() { this._m.clear(); }
}

// A single-origin cookie jar behind document.cookie: path/domain are ignored, an expiry in the
// past (or max-age <= 0) deletes, an unparsable expiry ("Invalid Date") means a session cookie.
class CookieJar {
  constructor() { this._m = new Map(); }
  get() {
    return Array.from(this._m, ([k, v]) => `${k}=${v}`).join('; ');
  }
  set(str) {
    const parts = String(str).split(';');
    const first = parts.shift();
    const eq = first.indexOf('=');
    if (eq < 0) return;
    const name = first.slice(0, eq).trim();
    const value = first.slice(eq + 1).trim();
    let expired = false;
    for (const p of parts) {
      const i = p.indexOf('=');
      const k = (i < 0 ? p : p.slice(0, i)).trim().toLowerCase();
      const v = i < 0 ? '' : p.slice(i + 1).trim();
      if (k === 'expires') {
        const t = Date.parse(v);
        if (!Number.isNaN(t) && t <= Date.now()) expired = true;
      } else if (k === 'max-age') {
        if (Number(v) <= 0) expired = true;
      }
    }
    if (expired) this._m.delete(name);
    else this._m.set(name, value);
  }
  clear() { this._m.clear(); }
}

const cookieJar = new CookieJar();

function installBrowserShim() {
  if (globalThis.__ssoemuShim) return;
  globalThis.__ssoemuShim = true;
  const g = globalThis;
  const loc = new URL(PAGE_ORIGIN + '/');
  const location = {
    href: loc.href, origin: loc.origin, protocol: loc.protocol, host: loc.host,
    hostname: loc.hostname, port: loc.port, pathname: loc.pathname, search: '', hash: '',
    toString() { return this.href; },
    assign() {}, replace() {}, reload() {},
  };
  const noop = () => {};
  const stubElement = () => ({
    setAttribute: noop, addEventListener: noop, appendChild: noop, append: noop,
    dataset: {}, style: {},
  });
  const document = {
    get cookie() { return cookieJar.get(); },
    set cookie(v) { cookieJar.set(v); },
    title: '',
    readyState: 'complete',
    referrer: '',
    head: stubElement(),
    body: stubElement(),
    documentElement: stubElement(),
    createElement: stubElement,
    querySelector: () => null,
    querySelectorAll: () => [],
    getElementById: () => null,
    addEventListener: noop,
    removeEventListener: noop,
  };
  g.window = g;
  g.self = g;
  g.location = location;
  g.document = document;
  g.localStorage = new MemoryStorage();
  g.sessionStorage = new MemoryStorage();
  g.history = { replaceState: noop, pushState: noop };
  // The '@stytch/vanilla-js/b2b' entry also defines the prebuilt UI's web components at load.
  if (typeof g.HTMLElement !== 'function') g.HTMLElement = class HTMLElement {};
  if (!g.customElements) {
    const defined = new Map();
    g.customElements = { get: (n) => defined.get(n), define: (n, c) => { defined.set(n, c); } };
  }
  if (typeof g.addEventListener !== 'function') g.addEventListener = noop;
  if (typeof g.removeEventListener !== 'function') g.removeEventListener = noop;
  if (!g.navigator) {
    Object.defineProperty(g, 'navigator', {
      value: { userAgent: 'Node.js', language: 'en-US', languages: ['en-US'] },
      configurable: true, writable: true,
    });
  }
}

installBrowserShim();
const sdk = require('@stytch/vanilla-js/b2b');

/**
 * Creates a StytchB2BClient pointed at `url`.
 * options.session: a session token; options.sessionJwt: its JWT (optional);
 * options.via: 'updateSession' (default: client.session.updateSession after construction, no
 *   request) or 'cookie' (stytch_session cookie set before construction: the SDK then calls
 *   /sdk/v1/b2b/sessions/authenticate at start-up);
 * options.publicToken: another public token (default: the fixtures' one).
 * The window is shared: all clients of one process see the same cookies, and the SDK caches its
 * data layer per public token, so switch members with useSession() rather than new clients.
 */
function createFrontend(url, options = {}) {
  const { session, sessionJwt, via = 'updateSession', publicToken = PUBLIC_TOKEN } = options;
  cookieJar.clear();
  if (session && via === 'cookie') {
    document.cookie = `stytch_session=${encodeURIComponent(session)}; path=/`;
    if (sessionJwt) document.cookie = `stytch_session_jwt=${encodeURIComponent(sessionJwt)}; path=/`;
  }
  // The EventLogger's setInterval (and nothing else) is created synchronously in the
  // constructor: unref it so it cannot keep the test process alive.
  const realSetInterval = globalThis.setInterval;
  let client;
  globalThis.setInterval = (...args) => {
    const t = realSetInterval(...args);
    if (t && typeof t.unref === 'function') t.unref();
    return t;
  };
  try {
    client = new sdk.StytchB2BClient(publicToken, {
      endpoints: { testAPIURL: url, liveAPIURL: url },
    });
  } finally {
    globalThis.setInterval = realSetInterval;
  }
  const fe = {
    client,
    publicToken,
    /** Makes later SDK calls authenticate as `token` (null: no session). */
    useSession(token, jwt) {
      if (token) {
        client.session.updateSession({ session_token: token, session_jwt: jwt || undefined });
        // Without a JWT the SDK writes the string "undefined" into stytch_session_jwt: drop it.
        if (!jwt) document.cookie = 'stytch_session_jwt=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
      } else {
        cookieJar.clear();
      }
      return client;
    },
    cookies() { return document.cookie; },
    close() {
      try { client._sessionManager.cancelBackgroundRefresh(); } catch { /* not started */ }
    },
  };
  if (session && via !== 'cookie') fe.useSession(session, sessionJwt);
  return fe;
}

module.exports = {
  PUBLIC_TOKEN,
  PAGE_ORIGIN,
  createFrontend,
  StytchAPIError: sdk.StytchAPIError,
  StytchError: sdk.StytchError,
  sdk,
};
