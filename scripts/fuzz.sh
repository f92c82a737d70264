#!/usr/bin/env bash
# Builds the libFuzzer harness of the request pipeline (clang, AddressSanitizer and UBSan) in
# build-fuzz and runs it for a bounded time: `scripts/fuzz.sh [SECONDS] [extra libFuzzer flags]`
# (default 60). New inputs go to build-fuzz/corpus, seeded from tests/fuzz/corpus; a crash leaves
# build-fuzz/crash-* and a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true

command -v clang >/dev/null || { echo "fuzz: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
if [ ! -d build-fuzz ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
meson compile -C build-fuzz tests/fuzz/fuzz_pipeline tests/fuzz/fuzz_metadata >/dev/null

mkdir -p build-fuzz/corpus
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# The metadata reader from bytes first, for a third of the time (README "Outbound requests").
mkdir -p build-fuzz/corpus-metadata
build-fuzz/tests/fuzz/fuzz_metadata -max_total_time=$((seconds / 3 + 1)) -max_len=65536 -timeout=10 \
	-artifact_prefix=build-fuzz/metadata- build-fuzz/corpus-metadata tests/fuzz/corpus-metadata 2>&1 | tail -n 1
exec build-fuzz/tests/fuzz/fuzz_pipeline -max_total_time="$seconds" -max_len=16384 -timeout=30 \
	-artifact_prefix=build-fuzz/ -print_final_stats=1 "$@" build-fuzz/corpus tests/fuzz/corpus
