#!/usr/bin/env bash
# Installs the dependencies, builds ssoemu in build/ and runs every test: the whole suite (unit,
# end-to-end, conformance with the real npm clients, a short soak), the whole suite again under
# AddressSanitizer and UndefinedBehaviorSanitizer (scripts/test-asan.sh), and a bounded fuzzing
# run of the request pipeline (scripts/fuzz.sh). Extra arguments go to `meson test`.
# Ends with one line "N passed, M failed" counting the meson tests of both runs and the fuzz run.
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
meson test -C build --print-errorlogs "$@" || status=1
bash scripts/test-asan.sh "$@" || status=1
fuzz=0
bash scripts/fuzz.sh "${SSOEMU_FUZZ_SECONDS:-30}" || { fuzz=1; status=1; }

# testlog.json holds one JSON object per meson test, with its result.
python3 - "$fuzz" build/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = 0
fuzz_failed = sys.argv[1] == "1"
for path in sys.argv[2:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        if line.strip():
            if json.loads(line).get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
                passed += 1
            else:
                failed += 1
passed += 0 if fuzz_failed else 1
failed += 1 if fuzz_failed else 0
print(f"{passed} passed, {failed} failed")
PY
exit "$status"
