'use strict';
// A loopback OpenID Provider for OIDC update tests: serves
// <issuer>/.well-known/openid-configuration on 127.0.0.1 (port 0) and records each request.
// issuerPath (default '/tenant-a') makes the issuer a URL with a path, as real providers use.
// The server unrefs itself and closes after `lifetimeMs` (default 30 s) at the latest.
// slow: true answers nothing (the request hangs until close): a discovery that must time out.

const http = require('node:http');

function startIssuer({ issuerPath = '/tenant-a', lifetimeMs = 30000, slow = false } = {}) {
  const hits = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (slow) return; // never answered; close() destroys the socket
    const base = `http://127.0.0.1:${server.address().port}`;
    const issuer = base + issuerPath;
    if (req.method === 'GET' && req.url === `${issuerPath}/.well-known/openid-configuration`) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/oauth2/authorize`,
        token_endpoint: `${issuer}/oauth2/token`,
        userinfo_endpoint: `${issuer}/oauth2/userinfo`,
        jwks_uri: `${issuer}/oauth2/keys`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const close = () => new Promise((resolve) => {
    clearTimeout(timer);
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  const timer = setTimeout(close, lifetimeMs);
  timer.unref();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const base = `http://127.0.0.1:${server.address().port}`;
      const issuer = base + issuerPath;
      resolve({
        issuer,
        hits,
        close,
        urls: {
          authorization_url: `${issuer}/oauth2/authorize`,
          token_url: `${issuer}/oauth2/token`,
          userinfo_url: `${issuer}/oauth2/userinfo`,
          jwks_url: `${issuer}/oauth2/keys`,
        },
      });
    });
  });
}

/** An issuer nothing listens on: discovery fails at once (connection refused). */
const UNREACHABLE_ISSUER = 'http://127.0.0.1:1/unreachable';

module.exports = { startIssuer, UNREACHABLE_ISSUER };
