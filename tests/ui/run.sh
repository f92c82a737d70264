#!/bin/sh
# Runs the dashboard's browser tests: Debian's chromium (env CHROMIUM_BIN, default /usr/bin/chromium)
# driven by puppeteer-core against the ssoemu binary (env SSOEMU_BIN, default <repo>/build/ssoemu).
# Screenshots go to env SSOEMU_SCREENSHOTS (default <repo>/build/screenshots/ui). Exit code = result.
set -eu
cd "$(dirname "$0")"
# Installed again whenever the committed lockfile differs from the one the installed tree was made from.
if ! cmp -s package-lock.json node_modules/.installed-lock.json 2>/dev/null; then
    # puppeteer-core never downloads a browser; the variable keeps any other tool from trying.
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
    cp package-lock.json node_modules/.installed-lock.json
fi
exec node --test --test-concurrency=1 dashboard.test.js "$@"
