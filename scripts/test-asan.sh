#!/usr/bin/env bash
# Builds ssoemu and its tests with AddressSanitizer (leak checking on) and UndefinedBehaviorSanitizer
# in build-asan and runs the whole test suite there; any report fails the run. Extra arguments go
# to `meson test` (for example --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f build-asan/meson-private/coredata.dat ]; then
	meson setup --reconfigure build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null ||
		meson setup --wipe build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
else
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
meson compile -C build-asan

# Every process the tests start (the server included) inherits these: a leak, an invalid access
# or undefined behaviour aborts it, which its test reports as a failure.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# Sanitized code is several times slower: give every test more time.
# Browser and container tests exercise the same binary from outside; they run once, in the plain build.
exec meson test -C build-asan --print-errorlogs --timeout-multiplier 4 --no-suite browser --no-suite docker "$@"
