#!/bin/sh
# Runs the interoperability tests (outside SAML and OIDC implementations from npm, exact versions)
# against the ssoemu binary (env SSOEMU_BIN, default <repo>/build/ssoemu); with --browser, the
# real-browser test instead (Debian's chromium, env CHROMIUM). Exit code = test result.
set -eu
cd "$(dirname "$0")"
# Installed again whenever the committed lockfile differs from the one the installed tree was made from.
if ! cmp -s package-lock.json node_modules/.installed-lock.json 2>/dev/null; then
    npm ci --no-audit --no-fund --ignore-scripts
    cp package-lock.json node_modules/.installed-lock.json
fi
if [ "${1:-}" = "--browser" ]; then
    exec node --test browser.test.js
fi
exec node --test --test-concurrency=2 saml.test.js oidc.test.js oidc_provider.test.js
