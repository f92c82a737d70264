'use strict';
// A loopback document server for metadata URLs on the frontend surface, where file:// is never
// read: serves the files of tests/conformance/data by name on 127.0.0.1 (port 0), 404 otherwise.
// The server unrefs itself and closes after `lifetimeMs` (default 30 s) at the latest.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { DATA_DIR } = require('./data');

function startDocs({ lifetimeMs = 30000 } = {}) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent(req.url));
    const full = path.join(DATA_DIR, name);
    if (req.method !== 'GET' || req.url !== `/${name}` || !fs.existsSync(full)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/xml' });
    res.end(fs.readFileSync(full));
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
      resolve({ url: (name) => `${base}/${name}`, close });
    });
  });
}

module.exports = { startDocs };
