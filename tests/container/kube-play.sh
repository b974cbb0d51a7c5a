#!/usr/bin/env bash
# `podman kube play` smoke test of deploy/k8s/aduan.yaml, run by tests/container/run.sh at its end
# with the image it built and the CURVE keys it made. Debian 12's podman 4.3.1 plays Pods,
# Deployments, PersistentVolumeClaims, ConfigMaps and Secrets (as podman secrets) — not the
# Namespace, StatefulSets, the Job, Services, PodDisruptionBudgets, HPAs or NetworkPolicies — and it
# panics on a Secret volume. So this plays the ConfigMap aduan-config and the Deployment gateway as
# the manifest has them, with only what kube_play.py lists changed (image, Secret volumes as
# hostPath, the aduan-db secret's name, ports on 127.0.0.1, so one replica), and checks that the pod's container
# runs and that /healthz answers on its admin port. /readyz stays 503: there is no intake (and no
# database: the gateway reaches PostgreSQL only per request). Then `podman kube play --down` and
# the podman secret are removed, also on failure. Bounded: about a minute.
#   tests/container/kube-play.sh IMAGE KEYSDIR WORKDIR NAME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
image=$1 keys=$2 work=$3 name=$4
db_secret=$name-aduan-db
play=$work/kube-play.yaml
say() { echo "kube play: $*" >&2; }

down() {
  local rc=$?
  trap - EXIT
  if [ "$rc" != 0 ]; then
    say "failed ($rc); the pod's containers:"
    podman ps -a --filter pod=gateway-pod-0 >&2 || true
    podman logs --tail 20 gateway-pod-0-gateway 2>&1 | cut -c1-300 >&2 || true
  fi
  if [ -f "$play" ]; then podman kube play --down "$play" >/dev/null 2>&1 || true; fi
  podman pod rm -f gateway-pod-0 >/dev/null 2>&1 || true
  podman secret rm "$db_secret" >/dev/null 2>&1 || true
  exit "$rc"
}
trap down EXIT

# The Secret volumes' files, as the manifest's comments tell an operator to make the Secrets.
mkdir -p "$work/kube/db-ca" "$work/kube/key" "$work/kube/peers"
cp "$keys/gateway.cert_secret" "$work/kube/key/"
cp "$keys"/*.cert "$work/kube/peers/"
: >"$work/kube/db-ca/ca.crt"
chown -R 10001:10001 "$work/kube"
chmod 0440 "$work/kube/key/gateway.cert_secret"
# No database: nothing listens on port 1. The gateway starts without one.
url=postgresql://aduan_gateway:unused@127.0.0.1:1/aduan
printf '{"gateway": "%s"}' "$(printf %s "$url" | base64 -w0)" | podman secret create "$db_secret" - >/dev/null

ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
read -r admin_port http_port <<<"$ports"
python3 "$here/kube_play.py" "$top/deploy/k8s/aduan.yaml" "$image" "$work/kube" "$db_secret" \
  "$admin_port" "$http_port" >"$play"

say "playing the ConfigMap aduan-config and the Deployment gateway"
timeout 60 podman kube play "$play" >"$work/kube-play.log" 2>&1 || { cat "$work/kube-play.log" >&2; exit 1; }
for _ in $(seq 1 30); do
  curl -fsS -o /dev/null "http://127.0.0.1:$admin_port/healthz" 2>/dev/null && break
  sleep 1
done
[ "$(podman inspect --format '{{.State.Status}}' gateway-pod-0-gateway)" = running ] \
  || { say "the gateway container is not running"; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$admin_port/healthz" \
  || { say "/healthz does not answer on 127.0.0.1:$admin_port"; exit 1; }
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin_port/readyz" || true)
[ "$ready" = 503 ] || { say "/readyz answered $ready, not 503 (there is no intake)"; exit 1; }
# The ConfigMap reached the container (envFrom), and the keys (hostPath) were read.
podman exec gateway-pod-0-gateway printenv ADUAN_INTAKE_ENDPOINTS | grep -q '^tcp://intake-0.intake:7101,' \
  || { say "the ConfigMap's ADUAN_INTAKE_ENDPOINTS is not in the container"; exit 1; }
say "the gateway pod runs: /healthz 200, /readyz 503 (no intake, as expected)"
