#!/usr/bin/env bash
# Configures and builds aduan into a build folder (default: build/ in the checkout).
#   deploy/build.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
cmake -S "$top" -B "$build" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
