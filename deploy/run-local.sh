#!/usr/bin/env bash
# One command for a fresh Debian machine: installs what is missing, builds, starts a private
# PostgreSQL cluster inside the checkout (.aduan/pg: initdb, unix socket only, no system service),
# applies migrations, seeds and grants (aduan-admin migrate, as the database owner), starts every
# built service, each connected as its own PostgreSQL role (docs/architecture.md, "Who owns which
# table"; the cluster trusts its unix socket, so no passwords), and prints where the API is.
#
# It supervises: a service that dies is started again after a pause that doubles from 1 s up to
# 30 s (back to 1 s once it has run for 30 s), with a line in .aduan/logs/runner.log and on the
# terminal. Ctrl-C stops everything cleanly; the next start reuses the data.
#   deploy/run-local.sh                 start the local system
#   deploy/run-local.sh restart NAME    restart one service (gateway, intake, verify, route, notify,
#                                       stats, federate) of the running local system, e.g. after a
#                                       setting changed
#
# E-mail goes to a local mail sink (a real SMTP server on 127.0.0.1:2525 that keeps every message in
# .aduan/mail/ as .eml files with an index.jsonl) unless ADUAN_SMTP_URL names a real mail server.
#
# CURVE keys (docs/operations.md "Keys"): made on the first start into .aduan/keys (aduan-admin keys),
# one pair per service plus "admin" (aduan-admin rebuild-stats) and "analytics" (aduan-tail and the
# example consumer); every service gets its own secret and the folder as its allow-list.
# aduan-federate reads its upstreams' api_keys from .aduan/upstreams (docs/open311.md "Federation"),
# made empty: with no upstream it forwards nothing.
#
# Settings: ADUAN_HTTP_ADDR (default 127.0.0.1:8080) and any other ADUAN_* variable are passed on.
# For a second system beside the first (the tests do this), three settings of the runner itself:
#   ADUAN_LOCAL_DIR        the state folder instead of .aduan in the checkout
#   ADUAN_LOCAL_BUILD      an existing build folder to run; nothing is installed or built
#   ADUAN_LOCAL_PORT_BASE  a free block of 100 ports for everything the runner starts instead of the
#                          defaults (admin BASE+0..7, commands BASE+11..15, stream BASE+20..21,
#                          mail sink BASE+25, HTTP BASE+80)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
state=${ADUAN_LOCAL_DIR:-$top/.aduan}
run=$state/run   # what a running runner tells `restart`: its pid, each service's pid and admin address
names="gateway intake verify route notify stats federate"

# `restart NAME`: the supervisor starts a service again as soon as it stops; a request file makes
# it do so at once, without the pause that follows a crash.
if [ "${1:-}" = restart ]; then
  name=${2:-}
  case " $names " in *" $name "*) ;; *) echo "usage: $0 restart {${names// /|}}" >&2; exit 2 ;; esac
  if ! [ -s "$run/runner.pid" ] || ! kill -0 "$(cat "$run/runner.pid")" 2>/dev/null; then
    echo "aduan: no local system is running from $state" >&2; exit 1
  fi
  old=$(cat "$run/$name.pid")
  touch "$run/$name.restart"
  kill -TERM "$old" 2>/dev/null || true
  for _ in $(seq 1 300); do
    new=$(cat "$run/$name.pid" 2>/dev/null || true)
    if [ -n "$new" ] && [ "$new" != "$old" ] && curl -fsS "http://$(cat "$run/$name.admin")/readyz" >/dev/null 2>&1; then
      echo "aduan: $name restarted (pid $new)" >&2; exit 0
    fi
    sleep 0.1
  done
  echo "aduan: $name did not come back; see $state/logs/$name.log" >&2; exit 1
fi
[ $# -eq 0 ] || { echo "usage: $0 [restart NAME]" >&2; exit 2; }

mkdir -p "$state/logs" "$run"
if [ -n "${ADUAN_LOCAL_BUILD:-}" ]; then
  bin=$(cd "$ADUAN_LOCAL_BUILD" && pwd)/bin
else
  "$top/deploy/install-deps.sh"
  "$top/deploy/build.sh" "$top/build" >"$state/logs/build.log" || { tail -n 30 "$state/logs/build.log" >&2; exit 1; }
  bin=$top/build/bin
fi
# aduan-admin reads an installed system's /etc/aduan files unless told otherwise: not this system's.
export ADUAN_ENV_FILES=

# port OFFSET DEFAULT: the default port, or BASE+OFFSET when ADUAN_LOCAL_PORT_BASE is set.
port() { if [ -n "${ADUAN_LOCAL_PORT_BASE:-}" ]; then echo $((ADUAN_LOCAL_PORT_BASE + $1)); else echo "$2"; fi; }
if [ -n "${ADUAN_LOCAL_PORT_BASE:-}" ]; then
  for pair in INTAKE:11 VERIFY:12 ROUTE:13 NOTIFY:14; do
    endpoint=tcp://127.0.0.1:$(port "${pair#*:}" 0)
    export "ADUAN_${pair%:*}_BIND=$endpoint" "ADUAN_${pair%:*}_ENDPOINTS=$endpoint"
  done
  export ADUAN_STATS_QUERY_BIND=tcp://127.0.0.1:$(port 15 0) ADUAN_STATS_ENDPOINTS=tcp://127.0.0.1:$(port 15 0)
  export ADUAN_STREAM_BIND=tcp://127.0.0.1:$(port 20 0) ADUAN_STREAM_ENDPOINTS=tcp://127.0.0.1:$(port 20 0)
  export ADUAN_REPLAY_BIND=tcp://127.0.0.1:$(port 21 0) ADUAN_REPLAY_ENDPOINTS=tcp://127.0.0.1:$(port 21 0)
fi

keys=$state/keys
key_pairs="gateway:gateway intake:service verify:service route:service notify:service stats:service
           federate:service admin:admin analytics:analytics"
if [ ! -d "$keys" ]; then
  mkdir -p "$keys.new" && chmod 700 "$keys.new"
  for pair in $key_pairs; do
    "$bin/aduan-admin" keys "${pair%%:*}" "${pair##*:}" "$keys.new" >/dev/null
  done
  mv "$keys.new" "$keys"   # all or none: a half-made folder is made again next time
  echo "aduan: CURVE keys made in $keys" >&2
fi
# A folder made before a service was added lacks only that service's pair.
for pair in $key_pairs; do
  [ -e "$keys/${pair%%:*}.cert" ] || "$bin/aduan-admin" keys "${pair%%:*}" "${pair##*:}" "$keys" >/dev/null
done
export ADUAN_CURVE_PEERS=$keys

db_url=$("$top/tests/harness/pg_cluster.sh" start "$state/pg")
role_url() { echo "${db_url/:\/\/aduan@/://aduan_$1@}"; }   # the same database as role aduan_<service>
ADUAN_DB_URL=$db_url "$bin/aduan-admin" migrate >>"$state/logs/migrate.log" 2>&1 \
  || { tail -n 30 "$state/logs/migrate.log" >&2; exit 1; }
export ADUAN_HTTP_ADDR=${ADUAN_HTTP_ADDR:-127.0.0.1:$(port 80 8080)}
export ADUAN_PUBLIC_URL=${ADUAN_PUBLIC_URL:-http://$ADUAN_HTTP_ADDR}
mail_sink_port=$(port 25 2525)
use_mail_sink=0
if [ -z "${ADUAN_SMTP_URL:-}" ]; then
  use_mail_sink=1
  export ADUAN_SMTP_URL=smtp://127.0.0.1:$mail_sink_port
fi

# Server secrets of this checkout (32 random bytes as hex, in files only you read), made once and
# kept with the data: intake seals its idempotency records with one, so answers stored before a
# restart still open after it; notify keys delivery ids with the other.
secret_file() {
  [ -s "$1" ] || (umask 077; head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$1")
  echo "$1"
}
export ADUAN_IDEMPOTENCY_SECRET=${ADUAN_IDEMPOTENCY_SECRET:-$(secret_file "$state/idempotency-secret")}
export ADUAN_DELIVERY_ID_KEY=${ADUAN_DELIVERY_ID_KEY:-$(secret_file "$state/delivery-id.key")}
export ADUAN_FEDERATE_KEYS_DIR=${ADUAN_FEDERATE_KEYS_DIR:-$state/upstreams}
mkdir -p -m 700 "$ADUAN_FEDERATE_KEYS_DIR"

# One replica of each: aduan-notify binds its commands where the gateway looks for them by default
# (tcp://127.0.0.1:7104); stated here because the two must agree.
export ADUAN_NOTIFY_BIND=${ADUAN_NOTIFY_BIND:-tcp://127.0.0.1:7104}
export ADUAN_NOTIFY_ENDPOINTS=${ADUAN_NOTIFY_ENDPOINTS:-$ADUAN_NOTIFY_BIND}

# name  binary  admin-address  (each service also reads the exported ADUAN_* settings)
# One replica of each on the default command endpoints, e.g. aduan-stats' queries on
# ADUAN_STATS_QUERY_BIND=tcp://127.0.0.1:7105, which is the gateway's default ADUAN_STATS_ENDPOINTS;
# more replicas need an endpoint each, listed comma-separated in the gateway's *_ENDPOINTS.
services=(
  "stats   aduan-stats   127.0.0.1:$(port 6 9186)"
  "intake  aduan-intake  127.0.0.1:$(port 1 9181)"
  "verify  aduan-verify  127.0.0.1:$(port 2 9182)"
  "route   aduan-route   127.0.0.1:$(port 3 9183)"
  "notify  aduan-notify  127.0.0.1:$(port 4 9184)"
  "federate aduan-federate 127.0.0.1:$(port 7 9187)"
  "gateway aduan-gateway 127.0.0.1:$(port 0 9180)"
)

say() { echo "aduan: $*" >&2; echo "$(date -u +%FT%TZ) $*" >>"$state/logs/runner.log"; }

# One supervisor per service: starts it, and when it stops without being asked to, starts it again
# after a pause. The service runs in a session of its own, so Ctrl-C on the terminal reaches only
# this script, which then stops every service itself (stop_all), none of them being restarted.
supervise() {  # name binary admin-address
  local name=$1 binary=$2 admin=$3 delay=1 started status child
  trap 'exit 0' TERM
  while :; do
    started=$SECONDS
    ADUAN_DB_URL=$(role_url "$name") ADUAN_ADMIN_ADDR=$admin ADUAN_CURVE_SECRET=$keys/$name.cert_secret \
      setsid "$bin/$binary" >>"$state/logs/$name.log" 2>&1 &
    child=$!
    # Renamed into place: a reader (restart, the runner test) never sees a half-written file.
    echo "$child" >"$run/$name.pid.new" && mv -f "$run/$name.pid.new" "$run/$name.pid"
    status=0
    wait "$child" || status=$?
    if [ -e "$run/$name.restart" ]; then
      rm -f "$run/$name.restart"
      say "$name stopped (status $status) and is restarted on request"
      delay=1
      continue
    fi
    [ $((SECONDS - started)) -lt 30 ] || delay=1
    say "$name exited (status $status); restarting it in $delay s (log $state/logs/$name.log)"
    sleep "$delay" & wait $!
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

supervisors=()
others=()   # the mail sink
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "aduan: stopping services" >&2
  for pid in "${supervisors[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${supervisors[@]}"; do wait "$pid" 2>/dev/null || true; done
  local service_pids=()
  for name in $names; do
    [ -s "$run/$name.pid" ] && service_pids+=("$(cat "$run/$name.pid")")
  done
  # Every service at once; they finish what they have in hand within a second or two.
  for pid in "${service_pids[@]}" "${others[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${service_pids[@]}" "${others[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
  rm -f "$run"/*.pid "$run"/*.admin "$run"/*.restart
  "$top/tests/harness/pg_cluster.sh" stop "$state/pg"
  echo "aduan: stopped (data kept in $state/pg)" >&2
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

wait_ready() {  # name admin-address
  for _ in $(seq 1 300); do
    curl -fsS "http://$2/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "aduan: $1 did not become ready; see $state/logs/$1.log" >&2
  return 1
}

if [ "$use_mail_sink" = 1 ]; then
  /usr/bin/python3 "$top/tests/harness/mail_sink.py" --port "$mail_sink_port" --dir "$state/mail" \
    >>"$state/logs/mail.log" 2>&1 &
  others+=($!)
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$mail_sink_port") 2>/dev/null && break
    sleep 0.1
  done
  echo "aduan: mail sink on 127.0.0.1:$mail_sink_port (messages in $state/mail/)" >&2
fi

echo $$ >"$run/runner.pid"
for entry in "${services[@]}"; do
  read -r name binary admin <<<"$entry"
  [ -x "$bin/$binary" ] || continue
  rm -f "$run/$name.restart"
  echo "$admin" >"$run/$name.admin"
  supervise "$name" "$binary" "$admin" &
  supervisors+=($!)
  wait_ready "$name" "$admin"
  echo "aduan: $name ready (admin http://$admin, log $state/logs/$name.log)" >&2
done

# A first national admin for this local system, once; its password stays in a file only you read.
if [ ! -s "$state/admin-password" ]; then
  (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$state/admin-password")
  ADUAN_DB_URL=$(role_url gateway) "$bin/aduan-admin" create-staff admin national_admin NASIONAL "Admin lokal" <"$state/admin-password" >&2 \
    || { rm -f "$state/admin-password"; echo "aduan: could not create the local admin" >&2; }
fi

cat <<MSG

aduan is running.
  Pages:    http://$ADUAN_HTTP_ADDR/   (the citizens' pages: submit, follow a report; public list /laporan)
  Console:  http://$ADUAN_HTTP_ADDR/konsol   (staff; public dashboard: http://$ADUAN_HTTP_ADDR/dasbor)
  API:      http://$ADUAN_HTTP_ADDR/api/v1/   (OpenAPI: http://$ADUAN_HTTP_ADDR/api/v1/openapi.json; Open311: /open311/v2/)
  Staff:    sign in as "admin" with the password in $state/admin-password (the console, or POST /api/v1/sessions)
  Database: psql '$db_url'   (the owner; each service connects as aduan_<service>)
  E-mail:   $( [ "$use_mail_sink" = 1 ] && echo "kept in $state/mail/ (index.jsonl lists them)" || echo "sent through $ADUAN_SMTP_URL" )
  Logs:     $state/logs/   (restarts in runner.log)
  Keys:     $keys   (aduan-tail: ADUAN_CURVE_PEERS=$keys ADUAN_CURVE_SECRET=$keys/analytics.cert_secret)
  Restart one service: $0 restart NAME
Press Ctrl-C to stop.
MSG
# The supervisors run until stop_all ends them; the pause keeps this loop idle should they all be gone.
while :; do wait || true; sleep 1 & wait $! || true; done
