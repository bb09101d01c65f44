#!/usr/bin/env bash
# test.sh — runs every test: installs what is missing, builds, then runs ctest on the Release
# build (unit, integration against the real chatd, browser tests in Chromium), then the C++
# tests again on an AddressSanitizer + UndefinedBehaviorSanitizer build; between the two, the
# libFuzzer targets of fuzz/ run for FUZZ_SECONDS (20) each. Tests take free
# loopback ports, never 8080, so this runs while the demo is up. Ends with ctest's summary.
# Last, the routing state machine and the event log writer (the threaded part that is cheap to
# build) under ThreadSanitizer, in a build dir of their own with only those targets.
#   SANITIZE=0 scripts/test.sh   skips the sanitizer passes; FUZZ=0 skips the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)

scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$JOBS" --timeout 600

if [ "${FUZZ:-1}" != 0 ]; then
  # libFuzzer targets (fuzz/CMakeLists.txt), built with clang in their own build dir, each run
  # for a bounded time from its committed corpus; new inputs go to a scratch dir.
  echo "== libFuzzer targets, ${FUZZ_SECONDS:-20} s each"
  cmake -S fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
  cmake --build build-fuzz -j"$JOBS"
  for target in frame faq log_line blank ws logged; do
    scratch=$(mktemp -d)
    if ! build-fuzz/bin/fuzz_$target -max_total_time="${FUZZ_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="$scratch/" "$scratch" "fuzz/corpus/$target" >"$scratch/log" 2>&1; then
      cat "$scratch/log"; echo "fuzz_$target failed; the crashing input is in $scratch"; exit 1
    fi
    echo "fuzz_$target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$scratch/log")"
    rm -rf "$scratch"
  done
fi

if [ "${SANITIZE:-1}" != 0 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
  # -O1 without debug info: the usual sanitizer setting, and the quickest to build on 2 cores.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1" \
        -DSANITIZE=address,undefined -DCHAT_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$JOBS" --timeout 900 -LE "browser|nosan"
fi

if [ "${SANITIZE:-1}" != 0 ]; then
  echo "== ThreadSanitizer: router, event log writer and live KPIs' thread tests, and chatd's threads under the integration and fault tests"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1" \
        -DSANITIZE=thread -DCHAT_BUILD_BENCH=OFF >/dev/null
  cmake --build build-tsan -j"$JOBS" --target router_tests log_tests server_unit_tests chatd chat-kpi chatd_integration_tests chatd_fault_tests
  # chatd's own reports fail the test that saw them (tests/support/chatd_process.cpp reads its output).
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan --output-on-failure -j"$JOBS" --timeout 900 -R "^(router|log|server.integration|server.faults|server.unit:kpi view):"
fi
