'use strict';
/*
 * The dashboard at /_emulator/ui in a real browser: Debian's chromium driven by puppeteer-core
 * against the real binary. Each part of the page is clicked through and what it shows is checked
 * against the control API (and the Stytch API) directly. Every view is screenshotted, wide and
 * narrow, into env SSOEMU_SCREENSHOTS (default <repo>/build/screenshots/ui).
 *
 * Checked on every page the tests open: no script error, no console error (a Content-Security-Policy
 * violation is one), every request same-origin, every write with Content-Type: application/json.
 */

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
const { startServer, REPO_ROOT } = require('../conformance/lib/server.js');

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const SHOTS = process.env.SSOEMU_SCREENSHOTS || path.join(REPO_ROOT, 'build', 'screenshots', 'ui');
const PROJECT = 'project-test-11111111-1111-4111-8111-111111111111';
const SECRET = 'secret-test-ssoemu-local-secret-0000000000000';
const PUBLIC_TOKEN = 'public-token-test-11111111-1111-4111-8111-111111111111';
const ACME = 'organization-test-aaaaaaaa-0000-4000-8000-000000000001';
const GLOBEX = 'organization-test-bbbbbbbb-0000-4000-8000-000000000002';
const GLOBEX_SAML = 'saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001';
const GLOBEX_OIDC = 'oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c002';
const BOB = 'member-test-aaaaaaaa-0000-4000-8000-0000000000a2';
const WAIT = { timeout: 10000 };

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;
let userDataDir;

async function launch() {
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssoemu-ui-chromium-'));
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: FLAGS,
    protocolTimeout: 30000,
  });
}

/* A call to the server from the test itself (the page is not involved). */
async function call(server, method, p, { body, token, basic, session } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  if (basic) headers.Authorization = `Basic ${Buffer.from(`${PROJECT}:${SECRET}`).toString('base64')}`;
  if (session) headers.Authorization = `Basic ${Buffer.from(`${PUBLIC_TOKEN}:${session}`).toString('base64')}`;
  const res = await fetch(server.url + p, {
    method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

/* A page that records what must never happen on it. */
async function openPage(server, { width = 1280, height = 900 } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const problems = [];
  const writes = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
        /* Refusals the page shows (4xx answers of the control API) are its normal work. */
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('dialog', (d) => d.accept());
  page.on('request', (r) => {
    if (!r.url().startsWith(`${server.url}/`) && !r.url().startsWith('blob:')) problems.push(`other origin: ${r.url()}`);
    if (r.resourceType() === 'fetch') {
      const h = r.headers();
      if (r.method() !== 'GET') writes.push({ method: r.method(), url: r.url(), type: h['content-type'], body: r.postData() });
    }
  });
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith('blob:')) problems.push(`failed: ${r.url()} ${r.failure() && r.failure().errorText}`);
  });
  return { page, problems, writes };
}

function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const texts = (page, selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));

async function go(page, server, view) {
  await page.goto(`${server.url}/_emulator/ui#${view}`, { waitUntil: 'load' });
  await page.waitForSelector(`body[data-loaded="${view}"]`, WAIT);
}

async function switchTo(page, view) {
  await page.click(`nav a[data-view="${view}"]`);
  await page.waitForSelector(`body[data-loaded="${view}"]`, WAIT);
}

/* Hides the page's notice, so that the next wait sees the notice of the next action. */
const clearNotice = (page) => page.$eval('#notice', (n) => { n.hidden = true; });

async function chooseOrg(page, orgId) {
  await page.select('#org-select', orgId);
  await page.waitForFunction((id) => document.querySelector('#org-ids').textContent === id, WAIT, orgId);
}

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (Debian: apt-get install chromium)`);
  browser = await launch();
  console.log(`# screenshots: ${SHOTS}`);
});

after(async () => {
  if (browser) await browser.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  let server;
  let tab;
  let scimConnection = null;

  before(async () => {
    server = await startServer();
    tab = await openPage(server);
  });

  after(async () => {
    if (tab) {
      await tab.page.close();
      assert.deepEqual(tab.problems, []);
      for (const w of tab.writes) {
        assert.equal(w.type, 'application/json', `${w.method} ${w.url} without Content-Type: application/json`);
        assert.doesNotThrow(() => JSON.parse(w.body), `${w.method} ${w.url}: body is not JSON`);
      }
      assert.ok(tab.writes.length >= 8, `only ${tab.writes.length} writes were seen`);
    }
    if (server) await server.stop();
  });

  it('serves the page, its files and the headers that keep it to them', async () => {
    const res = await tab.page.goto(`${server.url}/_emulator/ui`, { waitUntil: 'load' });
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^text\/html; charset=utf-8$/);
    assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
    assert.equal(await tab.page.title(), 'ssoemu dashboard');
    const js = await call(server, 'GET', '/_emulator/ui/app.js');
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const again = await fetch(`${server.url}/_emulator/ui/app.js`, { headers: { 'If-None-Match': js.headers.get('etag') } });
    assert.equal(again.status, 304);
    const missing = await call(server, 'GET', '/_emulator/ui/missing.js');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error_type, 'route_not_found');
    /* Every form control has a label. */
    const unlabelled = await tab.page.$$eval('input, select, textarea', (els) => els
      .filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id || e.outerHTML));
    assert.deepEqual(unlabelled, []);
  });

  it('shows connections with the status the API reports and what is missing for active', async () => {
    await go(tab.page, server, 'orgs');
    await chooseOrg(tab.page, GLOBEX);
    const api = await call(server, 'GET', `/v1/b2b/sso/${GLOBEX}`, { basic: true });
    assert.equal(api.status, 200);
    for (const c of [...api.json.saml_connections, ...api.json.oidc_connections]) {
      const status = await tab.page.$eval(`#sso-table tr[data-connection-id="${c.connection_id}"]`, (tr) => tr.dataset.status);
      assert.equal(status, c.status, c.connection_id);
    }
    const oidcMissing = await texts(tab.page, `#sso-table tr[data-connection-id="${GLOBEX_OIDC}"] td.missing li`);
    // The seeded Globex OIDC connection has a name and a provider only (userinfo_url is optional, so not listed).
    assert.deepEqual(oidcMissing, ['issuer', 'client_id', 'client_secret', 'authorization_url', 'token_url', 'jwks_url']);
    const samlRow = await tab.page.$eval(`#sso-table tr[data-connection-id="${GLOBEX_SAML}"]`, (tr) => tr.textContent);
    assert.match(samlRow, /Globex Okta/);
    assert.match(samlRow, /active/);

    /* Certificates with their expiry, as the state has them. */
    const state = (await call(server, 'GET', '/_emulator/state')).json;
    const saml = state.saml_connections.find((c) => c.connection_id === GLOBEX_SAML);
    for (const cert of [...saml.verification_certificates, ...saml.signing_certificates]) {
      const row = await tab.page.$eval(`#cert-table tr[data-certificate-id="${cert.certificate_id}"]`, (tr) => tr.textContent);
      assert.ok(row.includes(cert.expires_at.slice(0, 10)), `${row} lacks ${cert.expires_at}`);
      assert.ok(row.includes(cert.issuer), `${row} lacks ${cert.issuer}`);
    }
    /* Members with their roles and where they come from. */
    const grace = await tab.page.$eval('#members-table tbody tr', (tr) => tr.textContent);
    assert.match(grace, /grace@globex\.test/);
    assert.match(grace, /stytch_admin\s*direct_assignment/);
    const rendered = await call(server, 'GET', `/_emulator/members?organization_id=${GLOBEX}`);
    if (rendered.status === 200) {
      /* The server's own sources, as GET /_emulator/members gives them. */
      const m = rendered.json.members.find((x) => x.email_address === 'grace@globex.test');
      for (const role of m.roles) {
        for (const src of role.sources) assert.match(grace, new RegExp(`${role.role_id}[^]*${src.type}`));
      }
    } else {
      assert.equal(rendered.json.error_type, 'route_not_found');
      assert.match(grace, /stytch_member\s*every member/);
    }
    await shot(tab.page, 'orgs-globex');
  });

  it('follows connections created elsewhere: a new SAML connection shows pending and why, a SCIM connection shows', async () => {
    await chooseOrg(tab.page, ACME);
    assert.match(await tab.page.$eval('#sso-table tbody', (t) => t.textContent), /No SSO connection/);
    const created = await call(server, 'POST', `/v1/b2b/sso/saml/${ACME}`, { basic: true, body: { display_name: 'Acme Okta' } });
    assert.equal(created.status, 200, created.text);
    const id = created.json.connection.connection_id;
    await tab.page.waitForSelector(`#sso-table tr[data-connection-id="${id}"]`, WAIT);
    assert.equal(await tab.page.$eval(`#sso-table tr[data-connection-id="${id}"]`, (tr) => tr.dataset.status), created.json.connection.status);
    assert.deepEqual(await texts(tab.page, `#sso-table tr[data-connection-id="${id}"] td.missing li`),
      ['idp_sso_url', 'idp_entity_id', 'a verification certificate']);
    /* Completed elsewhere, it turns active on the page as it does in the API. */
    const pem = (await call(server, 'GET', '/_emulator/state')).json.saml_connections
      .find((c) => c.connection_id === GLOBEX_SAML).verification_certificates[0].certificate;
    const updated = await call(server, 'PUT', `/v1/b2b/sso/saml/${ACME}/connections/${id}`, {
      basic: true, body: { idp_sso_url: 'https://acme.idp.test/sso', idp_entity_id: 'https://acme.idp.test', x509_certificate: pem },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.connection.status, 'active');
    await tab.page.waitForSelector(`#sso-table tr[data-connection-id="${id}"][data-status="active"]`, WAIT);
    assert.equal(await tab.page.$eval(`#sso-table tr[data-connection-id="${id}"] td.missing`, (td) => td.textContent.trim()), '\u2014');
    /* Its signing certificate, made by the server, shows with its expiry. */
    const cert = created.json.connection.signing_certificates[0];
    await tab.page.waitForSelector(`#cert-table tr[data-certificate-id="${cert.certificate_id}"]`, WAIT);
    const scim = await call(server, 'POST', `/v1/b2b/scim/${ACME}/connection`, { basic: true, body: { display_name: 'Acme Entra', identity_provider: 'microsoft-entra' } });
    assert.equal(scim.status, 200, scim.text);
    const scimId = scim.json.connection.connection_id;
    scimConnection = { id: scimId, token: scim.json.connection.bearer_token };
    await tab.page.waitForSelector(`#scim-table tr[data-connection-id="${scimId}"]`, WAIT);
    const scimRow = await tab.page.$eval(`#scim-table tr[data-connection-id="${scimId}"]`, (tr) => tr.textContent);
    assert.match(scimRow, /Acme Entra/);
    assert.ok(scimRow.includes(scim.json.connection.bearer_token.slice(-4)));
    assert.ok(!scimRow.includes(scim.json.connection.bearer_token), 'the full SCIM token must not show');
    /* Members of Acme: carol's custom role is a direct assignment. */
    const members = await texts(tab.page, '#members-table tbody tr');
    assert.equal(members.length, 3);
    assert.match(members.find((m) => m.includes('carol@acme.test')), /sso_manager\s*direct_assignment/);
    await shot(tab.page, 'orgs-acme');
  });

  it('mints a session for a member and revokes it', async () => {
    await tab.page.select('#mint-member', BOB);
    await tab.page.$eval('#mint-minutes', (e) => { e.value = '30'; });
    await tab.page.click('#mint-form button[type="submit"]');
    await tab.page.waitForSelector('#minted:not([hidden])', WAIT);
    const token = await tab.page.$eval('#minted-token', (e) => e.value);
    assert.match(token, /^session-test-/);
    assert.match(await tab.page.$eval('#minted-jwt', (e) => e.value), /^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    const state = (await call(server, 'GET', '/_emulator/state')).json;
    const s = state.sessions.find((x) => x.session_token === token);
    assert.ok(s, 'the minted session is in the state');
    assert.equal(s.member_id, BOB);
    const minutes = (Date.parse(s.expires_at) - Date.parse(s.started_at)) / 60000;
    assert.equal(minutes, 30);
    await tab.page.waitForSelector(`#sessions-table tr[data-session-id="${s.member_session_id}"]`, WAIT);
    /* The session works on the API until it is revoked. */
    const auth = await call(server, 'POST', '/sdk/v1/b2b/sessions/authenticate', { session: token, body: {} });
    assert.equal(auth.status, 200, auth.text);
    await shot(tab.page, 'orgs-session-minted');
    await tab.page.click(`#sessions-table tr[data-session-id="${s.member_session_id}"] button`);
    await tab.page.waitForFunction((id) => !document.querySelector(`#sessions-table tr[data-session-id="${id}"]`), WAIT, s.member_session_id);
    const after = (await call(server, 'GET', '/_emulator/state')).json;
    assert.ok(!after.sessions.some((x) => x.session_token === token), 'the revoked session is gone');
    const gone = await call(server, 'POST', '/sdk/v1/b2b/sessions/authenticate', { session: token, body: {} });
    assert.equal(gone.status, 404, gone.text);
    assert.equal(gone.json.error_type, 'session_not_found');
  });

  it('shows a mint refused by the server', async () => {
    await tab.page.$eval('#mint-minutes', (e) => { e.value = '1'; });
    await clearNotice(tab.page);
    await tab.page.click('#mint-form button[type="submit"]');
    await tab.page.waitForSelector('#notice.error:not([hidden])', WAIT);
    assert.match(await tab.page.$eval('#notice', (e) => e.textContent), /bad_request: session_duration_minutes must be an integer from 5/);
    await tab.page.$eval('#mint-minutes', (e) => { e.value = '60'; });
  });

  it('shows the request log live, filters it and opens a request', async () => {
    await switchTo(tab.page, 'requests');
    const bad = await call(server, 'GET', `/v1/b2b/sso/${ACME}`);
    assert.equal(bad.status, 401);
    const good = await call(server, 'GET', `/v1/b2b/sso/${GLOBEX}`, { basic: true });
    assert.equal(good.status, 200);
    const sdk = await call(server, 'GET', '/sdk/v1/b2b/sso');
    assert.ok(sdk.status >= 400);
    /* A SCIM provisioning call with the connection's bearer token shows under its own surface. */
    const scimCall = await fetch(`${server.url}/v1/b2b/scim/${scimConnection.id}/Users`, { headers: { Authorization: `Bearer ${scimConnection.token}` } });
    assert.equal(scimCall.status, 200);
    const scimLog = (await call(server, 'GET', '/_emulator/requests')).json.requests.find((e) => e.path.includes(scimConnection.id));
    assert.ok(scimLog, 'the SCIM call is in the request log');
    assert.ok(!JSON.stringify(scimLog).includes(scimConnection.token));
    await tab.page.waitForSelector(`#requests-table tr[data-request-id="${scimLog.request_id}"]`, WAIT);
    await tab.page.select('#filter-surface', scimLog.surface);
    assert.deepEqual(await texts(tab.page, '#requests-table tbody tr td:nth-child(3)'), [scimLog.path]);
    await tab.page.select('#filter-surface', '');
    for (const r of [bad, good, sdk]) {
      await tab.page.waitForSelector(`#requests-table tr[data-request-id="${r.json.request_id}"]`, WAIT);
    }
    const log = (await call(server, 'GET', '/_emulator/requests')).json.requests;
    const entry = log.find((e) => e.request_id === bad.json.request_id);
    const cells = await tab.page.$$eval(`#requests-table tr[data-request-id="${bad.json.request_id}"] td`, (tds) => tds.map((t) => t.textContent));
    assert.deepEqual(cells.slice(1), [entry.method, entry.path, String(entry.status), entry.error_type, entry.surface, String(entry.duration_ms)]);
    await shot(tab.page, 'requests');

    await tab.page.select('#filter-status', '4');
    const statuses = await texts(tab.page, '#requests-table tbody tr td:nth-child(4)');
    assert.ok(statuses.length >= 2);
    assert.ok(statuses.every((s) => s.startsWith('4')), statuses.join());
    await tab.page.select('#filter-status', '');
    await tab.page.select('#filter-surface', 'sdk');
    const surfaces = await texts(tab.page, '#requests-table tbody tr td:nth-child(6)');
    assert.ok(surfaces.length >= 1);
    assert.ok(surfaces.every((s) => s === 'sdk'), surfaces.join());
    await tab.page.select('#filter-surface', '');

    await tab.page.click(`#requests-table tr[data-request-id="${bad.json.request_id}"] button`);
    await tab.page.waitForSelector('#details[open]', WAIT);
    const details = await tab.page.$eval('#details-list', (e) => e.textContent);
    assert.ok(details.includes(bad.json.request_id));
    assert.ok(details.includes('unauthorized_credentials'));
    await shot(tab.page, 'requests-details');
    await tab.page.click('#details-close');
    await tab.page.waitForSelector('#details:not([open])', WAIT);

    /* Paused, a new request does not show; resumed, it does. */
    await tab.page.click('#requests-pause');
    const later = await call(server, 'GET', `/v1/b2b/sso/${ACME}`, { basic: true });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await tab.page.$(`#requests-table tr[data-request-id="${later.json.request_id}"]`), null);
    await tab.page.click('#requests-pause');
    await tab.page.waitForSelector(`#requests-table tr[data-request-id="${later.json.request_id}"]`, WAIT);
  });

  it('shows sign-in flows and callbacks where this build has sign-in', async () => {
    const flows = await call(server, 'GET', '/_emulator/sso/flows?limit=20');
    const assertions = await call(server, 'GET', '/_emulator/sso/assertions?limit=20');
    await tab.page.reload({ waitUntil: 'load' });
    await tab.page.waitForSelector('body[data-loaded="requests"]', WAIT);
    const hidden = await tab.page.$eval('#signin-panel', (e) => e.hidden);
    if (flows.status === 404) {
      assert.equal(flows.json.error_type, 'route_not_found');
      assert.equal(hidden, true, 'no sign-in in this build: the panel stays hidden');
      return;
    }
    assert.equal(flows.status, 200, flows.text);
    assert.equal(assertions.status, 200, assertions.text);
    assert.equal(hidden, false);
    /* One headless SAML sign-in through the built-in IdP (SIGNIN.md), then one that fails. */
    const login = async () => {
      let loc = `${server.url}/v1/public/sso/start?public_token=${PUBLIC_TOKEN}&connection_id=${GLOBEX_SAML}&provider_login_hint=grace@globex.test`;
      for (let i = 0; i < 3 && loc && loc.startsWith(server.url); i++) {
        const res = await fetch(loc, { redirect: 'manual' });
        loc = res.headers.get('location');
        if (loc && loc.startsWith('/')) loc = server.url + loc;
      }
    };
    await login();
    const preset = await call(server, 'POST', '/_emulator/sso/presets', { body: { protocol: 'saml', email: 'grace@globex.test', outcome: 'wrong_key' } });
    assert.equal(preset.status, 200, preset.text);
    await login();
    const after = {
      flows: (await call(server, 'GET', '/_emulator/sso/flows?limit=20')).json.flows,
      assertions: (await call(server, 'GET', '/_emulator/sso/assertions?limit=20')).json.assertions,
    };
    assert.ok(after.flows.length >= 2 && after.assertions.length >= 2, JSON.stringify(after).slice(0, 500));
    const rows = (id) => tab.page.$$eval(`#${id} tbody tr:not(.empty)`, (trs) => trs.map((t) => t.textContent));
    await tab.page.waitForFunction((n) => document.querySelectorAll('#assertions-table tbody tr:not(.empty)').length === n, WAIT, after.assertions.length);
    assert.equal((await rows('flows-table')).length, after.flows.length);
    const shown = await rows('assertions-table');
    after.assertions.forEach((a, i) => {
      assert.ok(shown[i].includes(a.email || ''), shown[i]);
      if (a.error_type) assert.ok(shown[i].includes(a.error_type), shown[i]);
    });
    assert.ok(after.assertions.some((a) => a.error_type), 'the wrong_key login failed');
    await shot(tab.page, 'requests-signin');
  });

  it('adds, lists and clears fault rules', async () => {
    await switchTo(tab.page, 'faults');
    await tab.page.select('#fault-method', 'GET');
    await tab.page.type('#fault-path', '/v1/b2b/sso/*');
    await tab.page.type('#fault-status', '503');
    await tab.page.$eval('#fault-count', (e) => { e.value = '2'; });
    await tab.page.click('#fault-form button[type="submit"]');
    await tab.page.waitForSelector('#faults-table tr[data-fault-id]', WAIT);
    const faults = (await call(server, 'GET', '/_emulator/faults')).json.faults;
    assert.equal(faults.length, 1);
    assert.deepEqual({ ...faults[0], id: undefined },
      { id: undefined, method: 'GET', path: '/v1/b2b/sso/*', status: 503, error_type: 'service_unavailable', count: 2, delay_ms: 0 });
    const row = await tab.page.$$eval(`#faults-table tr[data-fault-id="${faults[0].id}"] td`, (tds) => tds.map((t) => t.textContent));
    assert.deepEqual(row.slice(0, 6), [faults[0].id, 'GET', '/v1/b2b/sso/*', '503', 'service_unavailable', '2']);
    /* The fault answers the next request, and the list follows. */
    const hit = await call(server, 'GET', `/v1/b2b/sso/${GLOBEX}`, { basic: true });
    assert.equal(hit.status, 503);
    await tab.page.waitForFunction(() => {
      const td = document.querySelector('#faults-table tr[data-fault-id] td:nth-child(6)');
      return td && td.textContent === '1';
    }, WAIT);

    /* A rule the server refuses shows its reason. */
    await tab.page.$eval('#fault-status', (e) => { e.value = ''; });
    await tab.page.type('#fault-error', 'no_such_error');
    await clearNotice(tab.page);
    await tab.page.click('#fault-form button[type="submit"]');
    await tab.page.waitForSelector('#notice.error:not([hidden])', WAIT);
    assert.match(await tab.page.$eval('#notice', (e) => e.textContent), /^bad_request: /);
    assert.equal((await call(server, 'GET', '/_emulator/faults')).json.faults.length, 1);
    await shot(tab.page, 'faults');

    await tab.page.click('#faults-clear');
    await tab.page.waitForSelector('#faults-table tr.empty', WAIT);
    assert.deepEqual((await call(server, 'GET', '/_emulator/faults')).json.faults, []);
  });

  it('turns the rate limit off, on and changes it', async () => {
    assert.equal(await tab.page.$eval('#rate-on', (e) => e.checked), true);
    assert.equal(await tab.page.$eval('#rate-requests', (e) => e.value), '100');
    await tab.page.click('#rate-on');
    await tab.page.click('#config-form button[type="submit"]');
    await tab.page.waitForFunction(() => /no rate limit/.test(document.querySelector('#config-now').textContent), WAIT);
    assert.equal((await call(server, 'GET', '/_emulator/config')).json.rate_limit, null);

    await tab.page.click('#rate-on');
    await tab.page.$eval('#rate-requests', (e) => { e.value = '2'; });
    await tab.page.$eval('#rate-seconds', (e) => { e.value = '60'; });
    await tab.page.click('#member-actions');
    await tab.page.click('#config-form button[type="submit"]');
    await tab.page.waitForFunction(() => /2 requests per 60 s/.test(document.querySelector('#config-now').textContent), WAIT);
    const cfg = (await call(server, 'GET', '/_emulator/config')).json;
    assert.deepEqual(cfg.rate_limit, { requests: 2, seconds: 60 });
    assert.equal(cfg.sdk_member_actions_enabled, false);
    /* Any other setting of this build shows with its value, and a boolean one can be flipped. */
    const extra = Object.entries(cfg).filter(([key]) => key !== 'rate_limit' && key !== 'sdk_member_actions_enabled');
    for (const [key, value] of extra) {
      const shown = await tab.page.$eval(`#setting-${key}`, (e) => (e.type === 'checkbox' ? e.checked : Number(e.value)));
      assert.equal(shown, value, key);
    }
    const flip = extra.find(([, value]) => typeof value === 'boolean');
    if (flip) {
      await tab.page.click(`#setting-${flip[0]}`);
      await clearNotice(tab.page);
      await tab.page.click('#config-form button[type="submit"]');
      await tab.page.waitForSelector('#notice:not([hidden]):not(.error)', WAIT);
      assert.equal((await call(server, 'GET', '/_emulator/config')).json[flip[0]], !flip[1]);
    }
    /* The limit is real: the third call in the minute is refused. */
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await call(server, 'GET', `/v1/b2b/sso/${GLOBEX}`, { basic: true })).status);
    assert.deepEqual(codes, [200, 200, 429]);
    await shot(tab.page, 'faults-rate-limit');

    /* Out of range: the server's message, and nothing changes. */
    await tab.page.$eval('#rate-seconds', (e) => { e.value = '100000'; });
    await clearNotice(tab.page);
    await tab.page.click('#config-form button[type="submit"]');
    await tab.page.waitForSelector('#notice.error:not([hidden])', WAIT);
    assert.match(await tab.page.$eval('#notice', (e) => e.textContent), /rate_limit\.seconds must be from 1 to 86400/);
    assert.deepEqual((await call(server, 'GET', '/_emulator/config')).json.rate_limit, { requests: 2, seconds: 60 });
  });

  it('downloads the state, imports a fixtures file, shows a refused one, and resets', async () => {
    await switchTo(tab.page, 'state');
    const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'ssoemu-ui-downloads-'));
    try {
      const cdp = await tab.page.createCDPSession();
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
      await tab.page.click('#state-export');
      let file = null;
      for (let i = 0; i < 100 && !file; i++) {
        const done = fs.readdirSync(downloads).filter((f) => f.endsWith('.json'));
        if (done.length) file = path.join(downloads, done[0]);
        else await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(file, 'the state was downloaded');
      assert.match(path.basename(file), /^ssoemu-state-.*\.json$/);
      const downloaded = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.deepEqual(downloaded, (await call(server, 'GET', '/_emulator/state')).json);
      await shot(tab.page, 'state');

      /* A refused document: the server's own message, and nothing changes. */
      const before = (await call(server, 'GET', '/_emulator/state')).text;
      const broken = JSON.parse(JSON.stringify(downloaded));
      broken.members[0].organization_id = 'organization-test-00000000-0000-4000-8000-000000000000';
      const brokenFile = path.join(downloads, 'broken.json');
      fs.writeFileSync(brokenFile, JSON.stringify(broken));
      const direct = await call(server, 'PUT', '/_emulator/state', { body: broken });
      assert.equal(direct.status, 400);
      const input = await tab.page.$('#import-file');
      await input.uploadFile(brokenFile);
      await tab.page.click('#import-form button[type="submit"]');
      await tab.page.waitForSelector('#import-result.error:not([hidden])', WAIT);
      const shown = await tab.page.$eval('#import-result', (e) => e.textContent);
      assert.ok(shown.includes(direct.json.error_message), `${shown} lacks ${direct.json.error_message}`);
      assert.equal((await call(server, 'GET', '/_emulator/state')).text, before);
      await shot(tab.page, 'state-import-refused');

      /* A good one replaces the state. */
      const renamed = JSON.parse(JSON.stringify(downloaded));
      renamed.organizations[0].organization_name = 'Acme Renamed';
      const goodFile = path.join(downloads, 'renamed.json');
      fs.writeFileSync(goodFile, JSON.stringify(renamed));
      await input.uploadFile(goodFile);
      await tab.page.click('#import-form button[type="submit"]');
      await tab.page.waitForSelector('#import-result.ok:not([hidden])', WAIT);
      const now = (await call(server, 'GET', '/_emulator/state')).json;
      assert.equal(now.organizations.find((o) => o.organization_id === ACME).organization_name, 'Acme Renamed');
      await tab.page.waitForFunction(() => /organizations\s*2/.test(document.querySelector('#state-summary').textContent), WAIT);
    } finally {
      fs.rmSync(downloads, { recursive: true, force: true });
    }

    /* Reset (the page asks first; the test accepts). */
    await clearNotice(tab.page);
    await tab.page.click('#reset');
    await tab.page.waitForSelector('#notice:not([hidden]):not(.error)', WAIT);
    const reset = (await call(server, 'GET', '/_emulator/state')).json;
    assert.equal(reset.organizations.find((o) => o.organization_id === ACME).organization_name, 'Acme');
    assert.equal(reset.saml_connections.length, 1);
    assert.deepEqual((await call(server, 'GET', '/_emulator/requests')).json.requests, []);
    assert.deepEqual((await call(server, 'GET', '/_emulator/config')).json.rate_limit, { requests: 100, seconds: 1 });
    await switchTo(tab.page, 'orgs');
    await chooseOrg(tab.page, ACME);
    assert.match(await tab.page.$eval('#sso-table tbody', (t) => t.textContent), /No SSO connection/);
  });

  it('works in a narrow window', async () => {
    const narrow = await openPage(server, { width: 390, height: 844 });
    const seen = [await call(server, 'GET', `/v1/b2b/sso/${GLOBEX}`, { basic: true }), await call(server, 'GET', `/v1/b2b/sso/${ACME}`)];
    try {
      for (const view of ['orgs', 'requests', 'faults', 'state']) {
        await go(narrow.page, server, view);
        if (view === 'orgs') await chooseOrg(narrow.page, GLOBEX);
        if (view === 'requests') {
          for (const r of seen) await narrow.page.waitForSelector(`#requests-table tr[data-request-id="${r.json.request_id}"]`, WAIT);
        }
        /* The page itself never scrolls sideways; wide tables scroll in their own box. */
        await shot(narrow.page, `narrow-${view}`);
        const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${view}: the page is ${overflow}px wider than the window`);
      }
      /* Controls stay usable: mint from the narrow page. */
      await go(narrow.page, server, 'orgs');
      await chooseOrg(narrow.page, ACME);
      await narrow.page.select('#mint-member', BOB);
      await narrow.page.click('#mint-form button[type="submit"]');
      await narrow.page.waitForSelector('#minted:not([hidden])', WAIT);
      const token = await narrow.page.$eval('#minted-token', (e) => e.value);
      assert.ok((await call(server, 'GET', '/_emulator/state')).json.sessions.some((s) => s.session_token === token));
    } finally {
      await narrow.page.close();
    }
    assert.deepEqual(narrow.problems, []);
  });
});

describe('dashboard with --admin-token', () => {
  const TOKEN = 'ui-test-admin-token';
  let server;

  before(async () => {
    server = await startServer(['--admin-token', TOKEN]);
  });

  after(async () => {
    if (server) await server.stop();
  });

  it('loads without the token, asks for it, keeps it in sessionStorage and sends it on every call', async () => {
    const tab = await openPage(server);
    const sent = [];
    tab.page.on('request', (r) => {
      if (r.resourceType() === 'fetch') sent.push({ url: r.url(), auth: r.headers().authorization });
    });
    try {
      const res = await tab.page.goto(`${server.url}/_emulator/ui#orgs`, { waitUntil: 'load' });
      assert.equal(res.status(), 200);
      await tab.page.waitForSelector('#token-dialog[open]', WAIT);
      await shot(tab.page, 'admin-token-prompt');

      await tab.page.type('#token-input', 'wrong-token');
      await tab.page.click('#token-form button[type="submit"]');
      await tab.page.waitForSelector('#token-error:not([hidden])', WAIT);
      assert.match(await tab.page.$eval('#token-error', (e) => e.textContent), /refused/);

      await tab.page.$eval('#token-input', (e) => { e.value = ''; });
      await tab.page.type('#token-input', TOKEN);
      const mark = sent.length;
      await tab.page.click('#token-form button[type="submit"]');
      await tab.page.waitForSelector('body[data-loaded="orgs"]', WAIT);
      assert.equal(await tab.page.$eval('#token-dialog', (d) => d.open), false);
      assert.equal(await tab.page.evaluate(() => sessionStorage.getItem('ssoemu.adminToken')), TOKEN);
      await chooseOrg(tab.page, GLOBEX);
      assert.match(await tab.page.$eval('#members-table tbody', (t) => t.textContent), /grace@globex\.test/);

      /* A write with the token: mint, then check through the API with the token. */
      await tab.page.click('#mint-form button[type="submit"]');
      await tab.page.waitForSelector('#minted:not([hidden])', WAIT);
      const token = await tab.page.$eval('#minted-token', (e) => e.value);
      const state = await call(server, 'GET', '/_emulator/state', { token: TOKEN });
      assert.ok(state.json.sessions.some((s) => s.session_token === token));
      assert.equal((await call(server, 'GET', '/_emulator/state')).status, 401);

      /* A reload in the same tab keeps the token: no prompt. */
      await tab.page.reload({ waitUntil: 'load' });
      await tab.page.waitForSelector('body[data-loaded="orgs"]', WAIT);
      assert.equal(await tab.page.$eval('#token-dialog', (d) => d.open), false);

      /* Before any token the calls went without one; once the right one was given, every call carried it. */
      assert.ok(mark >= 1 && sent[0].auth === undefined, JSON.stringify(sent.slice(0, 2)));
      const later = sent.slice(mark);
      assert.ok(later.length >= 3);
      assert.deepEqual(later.filter((s) => s.auth !== `Bearer ${TOKEN}`), []);
    } finally {
      await tab.page.close();
    }
    assert.deepEqual(tab.problems, []);
  });
});
