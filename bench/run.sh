#!/usr/bin/env bash
# Builds an optimized ssoemu and the bare libmicrohttpd ceiling (bench/ceiling.c), then runs the
# benchmark (bench/bench.py): wrk over loopback, every figure next to the ceiling measured in the
# same run. Arguments go to bench.py (--duration N, --only get,create,scale,startup,rsa, --json FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk meson ninja cc pkg-config python3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk meson ninja-build gcc pkg-config python3)" >&2; exit 1; }
done

if [ ! -d build-bench ]; then
	meson setup build-bench --buildtype=release -Dtests=false >/dev/null
fi
meson compile -C build-bench >/dev/null
cc -O2 -std=gnu11 -Wall -Wextra -Werror bench/ceiling.c $(pkg-config --cflags --libs libmicrohttpd) -lpthread \
	-o build-bench/ceiling

exec python3 bench/bench.py --bin build-bench/ssoemu --ceiling build-bench/ceiling "$@"
