#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every ctest label (unit,
# integration, e2e, ...) against throwaway PostgreSQL clusters the harness creates and removes.
#   tests/run.sh                  normal build in build/
#   ADUAN_SANITIZE=1 tests/run.sh AddressSanitizer + UBSan build in build-sanitize/
#   ADUAN_FUZZ=1 tests/run.sh -L fuzz   clang build with the libFuzzer targets in build-fuzz/
# Extra arguments go to ctest (e.g. tests/run.sh -L unit).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/deploy/install-deps.sh"
if [ "${ADUAN_FUZZ:-0}" = 1 ]; then
  build=$top/build-fuzz
  CC=clang "$top/deploy/build.sh" "$build" -DADUAN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
elif [ "${ADUAN_SANITIZE:-0}" = 1 ]; then
  build=$top/build-sanitize
  "$top/deploy/build.sh" "$build" -DADUAN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  build=$top/build
  "$top/deploy/build.sh" "$build"
fi
cd "$build"
ctest --output-on-failure --timeout 600 -j 2 "$@"
