#!/usr/bin/env bash
# Installs the dependencies, builds ssoemu in build/ and runs every test suite (unit, e2e,
# conformance). Extra arguments go to `meson test`. Exits with its status.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
if [ -f build/meson-private/coredata.dat ]; then
	meson setup --reconfigure build || meson setup --wipe build
else
	meson setup build
fi
meson compile -C build

status=0
meson test -C build --print-errorlogs "$@" || status=$?
exit "$status"
