#!/bin/sh
# Runs the browser test: Stytch's Admin Portal in Debian's Chromium against the ssoemu binary
# (env SSOEMU_BIN). Screenshots go to $PORTAL_SCREENSHOTS. Exit code = test result.
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund
fi
exec node portal.test.js
