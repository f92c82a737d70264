#!/usr/bin/env bash
# Builds an optimized ssoemu, the bare libmicrohttpd ceiling (bench/ceiling.c) and a baseline ssoemu from
# an earlier commit (BENCH_BASELINE, default the last commit before the performance work; "none" skips
# it), then runs the benchmark (bench/bench.py): wrk over loopback, every figure next to the ceiling (in
# its fastest configuration and with ssoemu's own settings) measured in the same run. Arguments go to
# bench.py (--duration N, --only memory,get,create,burst,scale,startup,rsa, --json FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk meson ninja cc pkg-config python3 git; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk meson ninja-build gcc pkg-config python3 git)" >&2; exit 1; }
done

if [ ! -d build-bench ]; then
	meson setup build-bench --buildtype=release -Dtests=false >/dev/null
fi
meson compile -C build-bench >/dev/null
cc -O2 -std=gnu11 -Wall -Wextra -Werror bench/ceiling.c $(pkg-config --cflags --libs libmicrohttpd) -lpthread \
	-o build-bench/ceiling

baseline=()
rev="${BENCH_BASELINE:-90fe4c7}"
if [ "$rev" != none ] && git rev-parse -q --verify "$rev^{commit}" >/dev/null; then
	dir="build-bench-baseline/$(git rev-parse --short "$rev")"
	if [ ! -x "$dir/build/ssoemu" ]; then
		rm -rf "$dir" && mkdir -p "$dir/src"
		git archive "$rev" | tar -x -C "$dir/src"
		meson setup "$dir/build" "$dir/src" --buildtype=release -Dtests=false >/dev/null
		meson compile -C "$dir/build" ssoemu >/dev/null
	fi
	baseline=(--baseline-bin "$dir/build/ssoemu" --baseline-label "commit $rev")
fi

exec python3 bench/bench.py --bin build-bench/ssoemu --ceiling build-bench/ceiling "${baseline[@]}" "$@"
