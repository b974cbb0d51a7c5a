#!/usr/bin/env bash
# Checks the Kubernetes manifests without a cluster (CI runs it from .ci/run): installs Node.js and
# npm when missing, the pinned validators from package-lock.json, then tests/k8s/validate.mjs over
# deploy/k8s/*.yaml — YAML, the Kubernetes schemas, unknown fields, the house rules — and the
# Grafana dashboard's metric names against the code.
#   tests/k8s/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "k8s check: installing nodejs npm" >&2
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
(cd "$here" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# Every metric the dashboard queries is one the services export (a renamed metric fails here).
dashboard=$top/deploy/grafana/aduan-dashboard.json
missing=0
for metric in $(grep -oE 'aduan_[a-z_]+' "$dashboard" | sed -E 's/_(bucket|sum|count)$//' | sort -u); do
  if ! grep -rqF "\"$metric\"" "$top/common" "$top/services"; then
    echo "k8s check: the dashboard queries $metric, which no service exports" >&2
    missing=$((missing + 1))
  fi
done
[ "$missing" = 0 ] || exit 1

cd "$here" && node validate.mjs "$@"
