'use strict';
/*
 * Stytch's own Admin Portal in a real browser against ssoemu: Debian's Chromium driven by
 * puppeteer-core renders AdminPortalSSO and AdminPortalSCIM (@stytch/react 20.1.0, with the
 * @stytch/vanilla-js 6.3.0 client, bundled by esbuild from app.jsx) on a page of another origin
 * (http://localhost:<port>, the API being http://127.0.0.1:<port>), signed in by a stytch_session
 * cookie, and walks through what an administrator does; then renders both for a member without
 * permissions. Every step writes a screenshot to $PORTAL_SCREENSHOTS (default
 * <repo>/build/screenshots/portal). Each step's result is also checked on the server with the
 * backend API. The walk must cause no console error, no page error, no failed request and no
 * answer >= 400 from ssoemu.
 *
 * Usage: node portal.test.js   (env SSOEMU_BIN: the binary; CHROMIUM: the browser, default
 * /usr/bin/chromium). Exit code 0 when everything passed.
 */

const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const puppeteer = require('puppeteer-core');
const { startServer, REPO_ROOT } = require('../conformance/lib/server');
const { bundle } = require('./build');

const PUBLIC_TOKEN = 'public-token-test-11111111-1111-4111-8111-111111111111';
const PROJECT_ID = 'project-test-11111111-1111-4111-8111-111111111111';
const SECRET = 'secret-test-ssoemu-local-secret-0000000000000';
const ACME = 'organization-test-aaaaaaaa-0000-4000-8000-000000000001';
const STEP_TIMEOUT_MS = 15000;
const OUT = process.env.PORTAL_SCREENSHOTS || path.join(REPO_ROOT, 'build', 'screenshots', 'portal');
// A self-signed IdP certificate; the wizard's one-line field turns its line breaks into spaces.
const IDP_CERT = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'conformance', 'data', 'idp-cert-1.pem'), 'utf8');

const problems = [];
let shotNo = 0;

/** The backend API with the project's secret: how each step's result is checked. */
async function api(server, method, p, body) {
  const res = await fetch(`${server.url}/v1${p}`, {
    method,
    headers: { Authorization: `Basic ${Buffer.from(`${PROJECT_ID}:${SECRET}`).toString('base64')}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.equal(res.status, 200, `${method} ${p}: ${JSON.stringify(json)}`);
  return json;
}

/** The page server: index.html, the bundle, and an OIDC discovery document for the OIDC step. */
function startPageServer(apiUrl, js) {
  const srv = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${srv.address().port}`;
    if (req.url.startsWith('/app.js')) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(js);
    } else if (req.url === '/idp/.well-known/openid-configuration') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        issuer: `${base}/idp`, authorization_endpoint: `${base}/idp/authorize`, token_endpoint: `${base}/idp/token`,
        userinfo_endpoint: `${base}/idp/userinfo`, jwks_uri: `${base}/idp/jwks`,
      }));
    } else if (req.url === '/' || req.url.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><meta charset="utf-8"><title>Admin Portal</title><link rel="icon" href="data:,">'
        + `<script>window.SSOEMU_URL=${JSON.stringify(apiUrl)}</script></head>`
        + '<body><div id="root"></div><script src="/app.js"></script></body></html>');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

/** Opens the portal (sso or scim) for a session in a fresh page that records every problem. */
async function openPortal(browser, server, origin, session, portal) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  if (process.env.PORTAL_DEBUG) page.on('request', (r) => { if (r.method() !== 'GET' && r.method() !== 'OPTIONS') console.log('   >', r.method(), r.url(), r.postData()); });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  await page.setCookie({ name: 'stytch_session', value: session, url: origin });
  await page.goto(`${origin}/?portal=${portal}`);
  return page;
}

/** Waits until the page's text contains text (a string or RegExp). */
async function waitText(page, text) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const body = await page.evaluate(() => document.body.innerText);
    if (typeof text === 'string' ? body.includes(text) : text.test(body)) return body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}; the page shows: ${body.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Clicks the visible element whose text is text: buttons first, then menu items, then anything. */
async function clickText(page, text, nth = 0) {
  await waitText(page, text);
  // Menus and dialogs animate in and out: let the last one settle before clicking through it.
  await new Promise((r) => setTimeout(r, 400));
  const h = await page.evaluateHandle((t, n) => {
    for (const sel of ['button', '[role=button], [role=menuitem], [role=option], a, li', 'label, span, p, div']) {
      const els = [...document.querySelectorAll(sel)].filter((x) => (x.innerText || '').trim() === t && x.offsetParent !== null);
      if (els[n]) return els[n];
    }
    return null;
  }, text, nth);
  const el = h.asElement();
  if (!el) throw new Error(`no element "${text}" to click`);
  await el.click();
}

/** Replaces the value of the input matching selector: typed, or inserted at once (as a paste) when long. */
async function typeInto(page, selector, value) {
  const el = await page.waitForSelector(selector, { visible: true, timeout: STEP_TIMEOUT_MS });
  await el.click();
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  if (value.length > 80) await page.keyboard.sendCharacter(value);
  else await el.type(value);
}

/** Waits until fn (on the server) stops throwing. */
async function eventually(fn) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function shot(page, name) {
  // Sections and dialogs animate: let them finish so the picture shows what the step left.
  await new Promise((r) => setTimeout(r, 600));
  const file = path.join(OUT, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${path.relative(process.cwd(), file)}`);
}

/** Picks option in the (first visible) select menu and checks it was taken. */
async function choose(page, option) {
  await page.click('div[role=combobox]');
  await page.waitForSelector('li[role=menuitem]', { visible: true, timeout: STEP_TIMEOUT_MS });
  // The menu grows in; items move until it has.
  await new Promise((r) => setTimeout(r, 600));
  await clickText(page, option);
  await eventually(async () => {
    const shown = await page.$eval('div[role=combobox]', (e) => e.innerText.trim());
    assert.equal(shown, option);
  });
}

async function step(name, fn) {
  const t0 = Date.now();
  await fn();
  console.log(`ok - ${name} (${Date.now() - t0} ms)`);
}

async function rowActions(page, displayName) {
  await waitText(page, displayName);
  const h = await page.evaluateHandle((n) => {
    const row = [...document.querySelectorAll('tr')].find((tr) => tr.innerText.includes(n));
    return row ? row.querySelector('button[aria-label=actions]') : null;
  }, displayName);
  const el = h.asElement();
  if (!el) throw new Error(`no actions button on the row of ${displayName}`);
  await el.click();
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.unlinkSync(path.join(OUT, f));
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssoemu-portal-'));
  const js = fs.readFileSync(await bundle(buildDir));
  const server = await startServer();
  const pages = await startPageServer(server.url, js);
  const origin = `http://localhost:${pages.address().port}`;
  const issuer = `http://127.0.0.1:${pages.address().port}/idp`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ssoemu-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    userDataDir: profile,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    let page = await openPortal(browser, server, origin, 'session-acme-admin', 'sso');
    let saml;
    let oidc;

    await step('AdminPortalSSO lists the connections', async () => {
      await waitText(page, 'SSO Connections');
      await waitText(page, 'No results found.');
      await shot(page, 'sso-list');
    });

    await step('create a SAML connection', async () => {
      await clickText(page, 'New connection');
      await typeInto(page, 'input[placeholder=Text]', 'Acme SAML');
      await choose(page, 'Custom SAML');
      await shot(page, 'saml-new');
      await clickText(page, 'Create');
      await waitText(page, 'Configure Acme SAML');
      const { saml_connections: list } = await api(server, 'GET', `/b2b/sso/${ACME}`);
      assert.equal(list.length, 1);
      saml = list[0];
      assert.equal(saml.status, 'pending');
      await shot(page, 'saml-wizard');
    });

    await step('configure it in the wizard: IdP URL, entity id, pasted certificate', async () => {
      await clickText(page, 'Enter the following from your IdP.');
      await clickText(page, 'Configure manually');
      await typeInto(page, "input[placeholder='Enter IdP Sign-on URL']", 'https://idp.acme.test/sso');
      await typeInto(page, "input[placeholder='Enter IdP Entity ID']", 'https://idp.acme.test/entity');
      // A one-line input: pasting a PEM there turns its line breaks into spaces.
      await typeInto(page, "input[placeholder='Enter x509 Certificate (PEM Format)']", IDP_CERT.trim().replace(/\n/g, ' '));
      await shot(page, 'saml-wizard-filled');
      await clickText(page, 'Create');
      await waitText(page, 'SSO Connections');
      await waitText(page, 'Active');
      const got = await eventually(async () => {
        const { saml_connections: [c] } = await api(server, 'GET', `/b2b/sso/${ACME}`);
        assert.equal(c.status, 'active');
        return c;
      });
      assert.equal(got.idp_sso_url, 'https://idp.acme.test/sso');
      assert.equal(got.idp_entity_id, 'https://idp.acme.test/entity');
      assert.equal(got.verification_certificates[0].issuer, 'Conformance IdP 1');
      await shot(page, 'saml-active');
    });

    await step('edit it: the display name', async () => {
      await rowActions(page, 'Acme SAML');
      await clickText(page, 'Edit connection');
      await waitText(page, 'Authentication settings');
      await clickText(page, 'Edit', 2);
      await typeInto(page, 'input[value="Acme SAML"]', 'Acme SAML (Okta)');
      await clickText(page, 'Save');
      await clickText(page, 'Save changes');
      await eventually(async () => {
        const { saml_connections: [c] } = await api(server, 'GET', `/b2b/sso/${ACME}`);
        assert.equal(c.display_name, 'Acme SAML (Okta)');
      });
      await waitText(page, 'Acme SAML (Okta)');
      await shot(page, 'saml-edited');
    });

    await step('set it as the default connection', async () => {
      await clickText(page, 'Back to all SSO connections');
      await rowActions(page, 'Acme SAML (Okta)');
      await clickText(page, 'Set as default');
      await waitText(page, 'as default?');
      await shot(page, 'saml-set-default');
      await clickText(page, 'Set as default');
      await eventually(async () => {
        const { organization } = await api(server, 'GET', `/b2b/organizations/${ACME}`);
        assert.equal(organization.sso_default_connection_id, saml.connection_id);
      });
      await waitText(page, 'Default');
      await shot(page, 'saml-default');
    });

    await step('create an OIDC connection (endpoints discovered from its issuer)', async () => {
      await clickText(page, 'New connection');
      await typeInto(page, 'input[placeholder=Text]', 'Acme OIDC');
      await choose(page, 'Custom OIDC');
      await clickText(page, 'Create');
      await waitText(page, 'Configure Acme OIDC');
      await clickText(page, 'Enter the following from your IdP.');
      await typeInto(page, "input[placeholder='Enter Client ID']", 'acme-client');
      await typeInto(page, "input[placeholder='Enter Client Secret']", 'acme-secret');
      await typeInto(page, "input[placeholder='Enter Issuer']", issuer);
      await shot(page, 'oidc-wizard');
      await clickText(page, 'Create');
      await waitText(page, 'Acme OIDC');
      oidc = await eventually(async () => {
        const { oidc_connections: [c] } = await api(server, 'GET', `/b2b/sso/${ACME}`);
        assert.equal(c.status, 'active');
        return c;
      });
      assert.equal(oidc.token_url, `${issuer}/token`);
      await waitText(page, 'SSO Connections');
      await shot(page, 'oidc-created');
    });

    await step('delete a connection: the OIDC one', async () => {
      await rowActions(page, 'Acme OIDC');
      await clickText(page, 'Delete');
      await waitText(page, /delete/i);
      await shot(page, 'oidc-delete-confirm');
      await page.evaluate(() => {}); // the modal's own Delete button comes last in the document
      const buttons = await page.$$('button');
      let target = null;
      for (const b of buttons) {
        const t = await b.evaluate((e) => (e.offsetParent !== null ? (e.innerText || '').trim() : ''));
        if (/^Delete( connection)?$/i.test(t)) target = b;
      }
      if (!target) throw new Error('no Delete button in the confirmation');
      await target.click();
      await eventually(async () => {
        const { oidc_connections: list } = await api(server, 'GET', `/b2b/sso/${ACME}`);
        assert.equal(list.length, 0);
      });
      await waitText(page, '1–1 of 1');
      await shot(page, 'oidc-deleted');
    });
    await page.close();

    page = await openPortal(browser, server, origin, 'session-acme-admin', 'scim');
    let token;
    await step('AdminPortalSCIM: create a SCIM connection and see its token and details', async () => {
      await waitText(page, 'Set up a SCIM connection');
      await shot(page, 'scim-empty');
      await clickText(page, 'Create');
      await typeInto(page, 'input[placeholder="Display name"]', 'Acme SCIM');
      await choose(page, 'Generic');
      await shot(page, 'scim-new');
      await clickText(page, 'Create');
      await waitText(page, 'Configure Acme SCIM');
      const { connection: made } = await api(server, 'GET', `/b2b/scim/${ACME}/connection`);
      assert.equal(made.identity_provider, 'generic');
      // The settings sit in the wizard's first section ("Copy the ... to your IdP."): open it.
      const title = await page.evaluate(() => [...document.querySelectorAll('button')].map((b) => b.innerText.trim())
        .find((t) => /^Copy the .* to your IdP\.$/.test(t)));
      if (title) await clickText(page, title);
      const body = await waitText(page, /\b[A-Za-z0-9]{48}\b/);
      token = /\b[A-Za-z0-9]{48}\b/.exec(body)?.[0];
      assert.ok(token, 'the bearer token is shown once');
      const { connection } = await api(server, 'GET', `/b2b/scim/${ACME}/connection`);
      assert.equal(connection.bearer_token_last_four, token.slice(-4));
      assert.ok(body.includes(connection.base_url), 'the base URL is shown');
      await shot(page, 'scim-token');
      await page.click('input[type=checkbox]');
      await clickText(page, 'Done');
      await waitText(page, 'Token Rotation');
      await waitText(page, `**********${token.slice(-4)}`);
      await shot(page, 'scim-details');
    });

    await step('rotate the SCIM token', async () => {
      await clickText(page, 'Start token rotation');
      const body = await waitText(page, 'Click to copy your new HTTP Header Bearer Token');
      const next = /\b[A-Za-z0-9]{48}\b/.exec(body.slice(body.indexOf('Click to copy')))?.[0];
      assert.ok(next && next !== token, 'a new token is shown');
      await shot(page, 'scim-rotation-started');
      await clickText(page, 'I have copied the token to my IdP.');
      await clickText(page, 'Done');
      await clickText(page, 'Complete rotation');
      // A confirmation may follow; its button says the same.
      const again = await page.evaluate(() => [...document.querySelectorAll('button')]
        .filter((b) => b.offsetParent !== null && b.innerText.trim() === 'Complete rotation').length);
      if (again > 1) await clickText(page, 'Complete rotation', again - 1);
      await eventually(async () => {
        const { connection } = await api(server, 'GET', `/b2b/scim/${ACME}/connection`);
        assert.equal(connection.bearer_token_last_four, next.slice(-4));
        assert.equal(connection.next_bearer_token_expires_at, null);
      });
      await waitText(page, `**********${next.slice(-4)}`);
      await shot(page, 'scim-rotated');
    });
    await page.close();

    assert.deepEqual(problems, [], 'no console error, page error, failed request or error answer');

    for (const portal of ['sso', 'scim']) {
      await step(`a member without permissions sees AdminPortal${portal.toUpperCase()} refuse`, async () => {
        page = await openPortal(browser, server, origin, 'session-acme-member', portal);
        const body = await waitText(page, `You do not have permission to view ${portal.toUpperCase()} Connections.`);
        assert.ok(!body.includes('New connection') && !body.includes('Acme'), 'nothing of the connections shows');
        await shot(page, `member-${portal}`);
        await page.close();
      });
    }
    assert.deepEqual(problems, [], 'no console error, page error, failed request or error answer');
  } finally {
    await browser.close();
    pages.close();
    await server.stop();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
}

main().then(() => {
  console.log(`all steps passed; ${shotNo} screenshots in ${OUT}`);
  process.exit(0);
}, (e) => {
  console.error(`not ok - ${e.stack || e}`);
  if (problems.length) console.error(`problems seen:\n  ${problems.join('\n  ')}`);
  process.exit(1);
});
