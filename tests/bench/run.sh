#!/usr/bin/env bash
# The load benchmark of issue 11 in one command: an optimised build of its own (Release, in
# build-bench/ unless ADUAN_BENCH_BUILD says otherwise), then tests/bench/load_bench.py, which starts
# a private PostgreSQL cluster with fsync on and every service, and prints every figure with its
# ratio to the pgbench baseline of the same run, among them the open-loop latency at half the
# maximum accepted rate and the sustained rate, then where the cores went in the phases a target is
# about (docs/performance.md). About 15 minutes with the
# defaults (805 s at stop 30). Options go to load_bench.py:
#   tests/bench/run.sh [--seconds 20] [--pgbench-seconds 10] [--backlog 100000] [--drain-limit 240]
#                      [--open-seconds 30] [--step-seconds 60] [--steps 6]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ADUAN_BENCH_BUILD:-$top/build-bench}
"$top/deploy/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DADUAN_TESTS=OFF >/dev/null
cmake --build "$build" -j 2 >/dev/null
exec /usr/bin/python3 "$top/tests/bench/load_bench.py" "$build" "$@"
