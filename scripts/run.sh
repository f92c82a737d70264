#!/usr/bin/env bash
# Installs the dependencies, builds ssoemu and runs it with the default fixtures (built into the
# binary). Arguments go to ssoemu; relative paths in them are taken from the caller's directory.
# Build output goes to stderr so that the server's first stdout line stays
# `ssoemu listening on http://HOST:PORT`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

bash "$root/scripts/deps.sh" >&2
if [ -f "$root/build/meson-private/coredata.dat" ]; then
	meson setup --reconfigure "$root/build" "$root" >&2 || meson setup --wipe "$root/build" "$root" >&2
else
	meson setup "$root/build" "$root" >&2
fi
meson compile -C "$root/build" ssoemu >&2
exec "$root/build/ssoemu" "$@"
