#!/usr/bin/env bash
# Builds an optimized ssoemu, installs the pinned peer (Prism, bench/peers/package-lock.json) and measures the
# same GET workload against both in the same run (bench/peers.py). Arguments go to peers.py.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk meson ninja npm python3; do
	command -v "$tool" >/dev/null || { echo "peers: $tool is missing" >&2; exit 1; }
done
if [ ! -d build-bench ]; then
	meson setup build-bench --buildtype=release -Dtests=false >/dev/null
fi
meson compile -C build-bench ssoemu >/dev/null
if [ ! -x bench/peers/node_modules/.bin/prism ]; then
	(cd bench/peers && npm ci --no-audit --no-fund >/dev/null)
fi
exec python3 bench/peers.py --bin build-bench/ssoemu "$@"
