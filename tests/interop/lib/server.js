'use strict';
/*
 * Starts the real ssoemu binary for one test file.
 *
 * - Binary: env SSOEMU_BIN (absolute, or relative to the current directory), else
 *   <repo root>/build/ssoemu, the repo root being two levels above tests/conformance.
 * - Always `--port 0` (a free port) and, unless the caller passes its own, `--db :memory:`,
 *   so every test file gets a fresh store built from the bundled fixtures.
 * - Readiness: the first stdout line must be `ssoemu listening on http://HOST:PORT`
 *   (EMULATOR.md "Program"); anything else, an early exit, or no line within the timeout
 *   (env SSOEMU_START_TIMEOUT_MS, default 10 s) rejects with the server's stderr attached.
 * - stop(): SIGTERM, then SIGKILL after 3 s; resolves with the exit code. Servers still running
 *   when the process exits are killed.
 * - stderr is kept (last 64 KiB) and printed when SSOEMU_TEST_VERBOSE=1.
 */

const { spawn } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const readline = require('node:readline');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function binaryPath() {
  const fromEnv = process.env.SSOEMU_BIN;
  if (fromEnv) return path.resolve(process.cwd(), fromEnv);
  return path.join(REPO_ROOT, 'build', 'ssoemu');
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/**
 * startServer(extraArgs = [], {timeoutMs, env}) -> Promise<{url, host, port, stop(), stderr()}>
 */
function startServer(extraArgs = [], opts = {}) {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    return Promise.reject(new Error(
      `ssoemu binary not found at ${bin}: build it (meson setup build && meson compile -C build) or set SSOEMU_BIN`));
  }
  const timeoutMs = opts.timeoutMs ?? Number(process.env.SSOEMU_START_TIMEOUT_MS || 10000);
  const args = ['--port', '0'];
  if (!extraArgs.includes('--db')) args.push('--db', ':memory:');
  args.push(...extraArgs);

  // Keep SSOEMU_* settings of the caller's shell out of the server: tests rely on defaults.
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('SSOEMU_')) env[k] = v;
  }
  Object.assign(env, opts.env || {});

  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  running.add(child);
  let stderrBuf = '';
  child.stderr.on('data', (d) => {
    stderrBuf = (stderrBuf + d.toString()).slice(-65536);
    if (process.env.SSOEMU_TEST_VERBOSE === '1') process.stderr.write(d);
  });
  let exitCode = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      exitCode = code === null ? `signal ${signal}` : code;
      resolve(exitCode);
    });
  });

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (msg) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try { child.kill('SIGKILL'); } catch { /* gone */ }
      reject(new Error(`${msg}\ncommand: ${bin} ${args.join(' ')}\nstderr:\n${stderrBuf}`));
    };
    const timer = setTimeout(() => fail(`ssoemu did not print its listening line within ${timeoutMs} ms`), timeoutMs);
    child.on('error', (e) => fail(`cannot start ssoemu: ${e.message}`));
    child.on('exit', () => fail(`ssoemu exited (${exitCode}) before printing its listening line`));

    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      const m = /^ssoemu listening on (http:\/\/([^\s:]+|\[[^\]]+\]):(\d+))\s*$/.exec(line);
      if (!m) {
        fail(`unexpected first stdout line: ${JSON.stringify(line)}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      // Keep draining stdout so the server never blocks on a full pipe.
      rl.on('line', () => {});
      const url = m[1];
      const port = Number(m[3]);
      resolve({
        url,
        host: m[2],
        port,
        bin,
        args,
        stderr: () => stderrBuf,
        exited,
        async stop() {
          if (exitCode !== null) return exitCode;
          child.kill('SIGTERM');
          const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, 3000);
          const code = await exited;
          clearTimeout(t);
          return code;
        },
      });
    });
  });
}

module.exports = { startServer, binaryPath, REPO_ROOT };
