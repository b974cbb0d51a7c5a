#!/usr/bin/env bash
# The container test (CI runs it from .ci/run): builds the aduan image with Debian's podman, starts
# deploy/compose.yaml with its replicas through podman-compose (override:
# tests/container/compose.test.yaml), submits ADUAN_CONTAINER_REPORTS reports (default 2000) through
# both gateways, SIGKILLs one replica of each service mid-run and starts it again, then counts
# (tests/container/drive.py says exactly what). Every ZeroMQ link is CURVE with keys made for the
# run by the image's `aduan-admin keys`; the database password, the idempotency secret and the
# delivery-id key are random per run as well.
# Last, it plays deploy/k8s/aduan.yaml's gateway Deployment with `podman kube play`, the same image
# and keys (tests/container/kube-play.sh). Afterwards it removes every container, pod, volume,
# network, podman secret and image it made (not the debian:bookworm base, which later runs reuse),
# also on failure.
#
# Root, Debian 12; installs what is missing. Bounded: each wait has a limit and the whole run stops
# after ADUAN_CONTAINER_TIMEOUT seconds (default 1200).
#   tests/container/run.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/container
reports=${ADUAN_CONTAINER_REPORTS:-2000}
limit=${ADUAN_CONTAINER_TIMEOUT:-1200}

# The whole run under one time limit: SIGTERM to every process of the run, then the EXIT trap below
# cleans up (it has 3 minutes before SIGKILL).
if [ -z "${ADUAN_CONTAINER_TIMED:-}" ]; then
  ADUAN_CONTAINER_TIMED=1 exec timeout --kill-after=180 "$limit" bash "$0" "$@"
fi

packages=(podman podman-compose runc netavark aardvark-dns iptables uidmap debootstrap python3 python3-yaml catatonit curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "container test: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# This machine's sandbox refuses rlimits and crun's cgroups: containers.conf says so.
export CONTAINERS_CONF=$here/containers.conf
step_started=$SECONDS
step() { echo "container test: $* (at $((SECONDS - step_started)) s)" >&2; }

project=aduanct$$
image=localhost/aduan-ct:$project
pg_image=localhost/aduan-ct-postgres:$project
mail_image=localhost/aduan-ct-mail:$project
work=$(mktemp -d /var/tmp/aduan-ct.XXXXXX)
compose=(podman-compose -p "$project" -f "$top/deploy/compose.yaml" -f "$here/compose.test.yaml")
export ADUAN_TEST_IMAGE=$image ADUAN_TEST_PG_IMAGE=$pg_image ADUAN_TEST_MAIL_IMAGE=$mail_image
export ADUAN_TEST_MAIL_DIR=$work/mail ADUAN_TEST_KEYS_DIR=$work/keys ADUAN_TEST_SECRETS_DIR=$work/secrets
# A password made for this run only; nothing fixed.
ADUAN_DB_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export ADUAN_DB_PASSWORD

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" != 0 ] && podman container exists "${project}_migrate_1" 2>/dev/null; then
    echo "container test: failed ($rc); the last log lines of each container:" >&2
    for c in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
      echo "--- $c" >&2
      podman logs --tail 15 "$c" 2>&1 | cut -c1-300 >&2 || true
    done
  fi
  step "cleaning up"
  podman ps -a -q --filter "label=io.podman.compose.project=$project" | xargs -r podman rm -f -t 2 >/dev/null 2>&1 || true
  podman ps -a -q --filter "ancestor=$image" | xargs -r podman rm -f -t 2 >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman volume ls -q | grep "^${project}_" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  podman pod rm -f gateway-pod-0 >/dev/null 2>&1 || true   # tests/container/kube-play.sh's, if killed
  podman secret rm "$project-aduan-db" >/dev/null 2>&1 || true
  podman rmi -f "$image" "$pg_image" "$mail_image" >/dev/null 2>&1 || true
  podman image prune -f >/dev/null 2>&1 || true   # the build stages this run left untagged
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "base image"
"$here/base-image.sh"

build() {  # containerfile tag
  podman build --format docker --isolation=chroot --pull=never -f "$1" -t "$2" \
    --build-arg ADUAN_REVISION="$(git -C "$top" rev-parse HEAD 2>/dev/null || echo unknown)" \
    "$top" >"$work/build-${2##*:}-$(basename "$1").log" 2>&1 \
    || { tail -n 30 "$work/build-${2##*:}-$(basename "$1").log" >&2; return 1; }
}
step "building $image"
started=$SECONDS
build "$top/deploy/Dockerfile" "$image"
echo "container test: image built in $((SECONDS - started)) s, $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}')" >&2
[ "$(podman image inspect --format '{{.Config.User}}' "$image")" = "10001:10001" ] \
  || { echo "container test: the image does not run as user 10001" >&2; exit 1; }
step "building the PostgreSQL and mail sink images"
build "$here/postgres.Containerfile" "$pg_image"
build "$here/mail-sink.Containerfile" "$mail_image"

# CURVE keys for every service, aduan-admin and aduan-tail (analytics), and the two shared secrets,
# made for this run the way deploy/compose.yaml tells an operator to: by the image's own
# `aduan-admin keys`, as root in the image, then given to its user 10001.
step "making the CURVE keys and the secrets"
mkdir -p "$work/mail" "$work/keys" "$work/secrets/upstreams"
podman run --rm --no-healthcheck --network none -u 0 -v "$work/keys:/keys" -v "$work/secrets:/secrets" "$image" sh -c '
  set -e
  for p in gateway:gateway intake:service verify:service route:service notify:service stats:service \
    federate:service admin:admin analytics:analytics; do aduan-admin keys ${p%:*} ${p#*:} /keys >/dev/null; done
  for f in idempotency.secret delivery-id.key; do
    (umask 077; head -c 32 /dev/urandom | od -An -v -tx1 | tr -d " \n" > /secrets/$f); done
  chown -R 10001 /keys /secrets'
[ "$(find "$work/keys" -name '*.cert' | wc -l)" = 9 ] && [ "$(find "$work/keys" -name '*.cert_secret' | wc -l)" = 9 ] \
  || { echo "container test: aduan-admin keys did not make 9 key pairs" >&2; exit 1; }
grep -qxE '[0-9a-f]{64}' "$work/secrets/idempotency.secret" && grep -qxE '[0-9a-f]{64}' "$work/secrets/delivery-id.key" \
  || { echo "container test: the secrets are not 64 hex digits" >&2; exit 1; }

step "starting the stack ($project)"
"${compose[@]}" up -d >"$work/up.log" 2>&1 || { tail -n 30 "$work/up.log" >&2; exit 1; }

# The migration ran once and succeeded; every service is healthy (the image's HEALTHCHECK).
for _ in $(seq 1 90); do
  [ "$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "${project}_migrate_1")" = "exited 0" ] && break
  sleep 2
done
[ "$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "${project}_migrate_1")" = "exited 0" ] \
  || { echo "container test: aduan-admin migrate did not finish" >&2; exit 1; }
services=(intake-1_1 intake-2_1 verify-1_1 verify-2_1 route-1_1 route-2_1 notify-1_1 notify-2_1
          stats-1_1 stats-2_1 federate_1 gateway_1 gateway_2)
for s in "${services[@]}"; do
  for _ in $(seq 1 60); do
    podman healthcheck run "${project}_$s" >/dev/null 2>&1 && break
    sleep 1
  done
  podman healthcheck run "${project}_$s" >/dev/null 2>&1 \
    || { echo "container test: ${project}_$s is not healthy" >&2; exit 1; }
done
for num in 1 2; do
  port=$(podman port "${project}_gateway_$num" 8080/tcp | head -n 1)
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:${port##*:}/api/v1/categories" && break
    sleep 1
  done
  curl -fsS -o /dev/null "http://127.0.0.1:${port##*:}/api/v1/categories" \
    || { echo "container test: gateway $num does not answer" >&2; exit 1; }
done
step "stack up: migrate done, ${#services[@]} service containers healthy, both gateways answer"

# A national admin, for the verifications; made as the gateway's role, inside a gateway container.
head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$work/staff-password"
podman exec -i "${project}_gateway_1" aduan-admin create-staff nas national_admin NASIONAL "Admin uji" \
  <"$work/staff-password" >/dev/null

step "submitting $reports reports"
python3 "$here/drive.py" "$project" "$image" "$work/mail" "$work/staff-password" "$reports" "$work/keys"

# Memory of each process after the run: the figures docs/deploy.md sizes the Kubernetes limits by.
step "peak resident memory (VmHWM) per container"
for s in "${services[@]}" postgres_1; do
  pid=$(podman inspect --format '{{.State.Pid}}' "${project}_$s")
  printf '  %-12s %s\n' "$s" "$(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status")" >&2
done
# The Kubernetes manifests' gateway Deployment under `podman kube play`, with this image and keys.
step "podman kube play smoke test"
"$here/kube-play.sh" "$image" "$work/keys" "$work" "$project"
step "passed"
