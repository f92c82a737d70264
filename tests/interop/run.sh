#!/bin/sh
# Runs the interoperability tests (outside SAML and OIDC implementations from npm, exact versions)
# against the ssoemu binary (env SSOEMU_BIN, default <repo>/build/ssoemu); with --browser, the
# real-browser test instead (Debian's chromium, env CHROMIUM). Exit code = test result.
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund --ignore-scripts
fi
if [ "${1:-}" = "--browser" ]; then
    exec node --test browser.test.js
fi
exec node --test --test-concurrency=2 saml.test.js oidc.test.js oidc_provider.test.js
