'use strict';
// A real browser (Debian's chromium, driven by puppeteer-core) on a page of another origin: the page
// calls @stytch/vanilla-js 6.3.0's sso.start, the browser goes through the built-in IdP's login page
// (a click on a listed user), the HTTP-POST binding's auto-submitting form, the ACS redirect back to
// the page, which calls sso.authenticate; the SDK then holds a session.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const { startServer } = require('./lib/server');

const PT = 'public-token-test-11111111-1111-4111-8111-111111111111';
const SAML = 'saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001';
const OIDC = 'oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c003';
const SDK = fs.readFileSync(path.join(__dirname, 'node_modules/@stytch/vanilla-js/dist/iife/b2b/index.headless.js'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function page(api, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/sdk.js"></script></head><body>
<div id="result"></div><script>
window.client = new stytch.StytchB2BClient(${JSON.stringify(PT)}, { endpoints: { testAPIURL: ${JSON.stringify(api)}, liveAPIURL: ${JSON.stringify(api)} } });
${body}
</script></body></html>`;
}

describe('real browser: sso.start to sso.authenticate', { skip: !fs.existsSync(CHROMIUM) && 'no chromium' }, () => {
  let server;
  let app;
  let appUrl;
  let browser;

  before(async () => {
    server = await startServer();
    app = http.createServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      if (u.pathname === '/sdk.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' });
        return res.end(SDK);
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      if (u.pathname === '/authenticate') {
        return res.end(page(server.url, `
client.sso.authenticate({ sso_token: new URLSearchParams(location.search).get('token'), session_duration_minutes: 60 })
  .then((r) => { document.getElementById('result').textContent = JSON.stringify({ ok: true, email: r.member.email_address,
      session: client.session.getSync() && client.session.getSync().member_session_id }); })
  .catch((e) => { document.getElementById('result').textContent = JSON.stringify({ ok: false, error: e.error_type || String(e) }); });`));
      }
      return res.end(page(server.url, `
window.signIn = (connection_id) => client.sso.start({ connection_id,
  login_redirect_url: location.origin + '/authenticate', signup_redirect_url: location.origin + '/authenticate' });`));
    });
    await new Promise((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${app.address().port}`;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
  });
  after(async () => {
    if (browser) await browser.close();
    if (app) app.close();
    if (server) await server.stop();
  });

  for (const [name, conn, user] of [['SAML', SAML, 'grace@globex.test'], ['OIDC', OIDC, 'heidi@globex.test']]) {
    test(`${name} through the login page`, async () => {
      const tab = await browser.newPage();
      try {
        await tab.goto(appUrl + '/', { waitUntil: 'load' });
        await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.evaluate((c) => window.signIn(c), conn)]);
        assert.match(await tab.title(), /ssoemu built-in IdP/);
        const html = await tab.content();
        assert.ok(html.includes(user), 'the login page lists the user');
        await Promise.all([
          tab.waitForFunction(() => location.pathname === '/authenticate', { timeout: 10000 }),
          tab.click(`button[value="${user}"]`),
        ]);
        await tab.waitForFunction(() => document.getElementById('result') && document.getElementById('result').textContent,
          { timeout: 10000 });
        const result = JSON.parse(await tab.$eval('#result', (e) => e.textContent));
        assert.deepEqual({ ok: result.ok, email: result.email }, { ok: true, email: user }, JSON.stringify(result));
        assert.match(result.session, /^member-session-test-/);
      } finally {
        await tab.close();
      }
    });
  }
});
