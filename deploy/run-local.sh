#!/usr/bin/env bash
# One command for a fresh Debian machine: installs what is missing, builds, starts a private
# PostgreSQL cluster inside the checkout (.aduan/pg: initdb, unix socket only, no system service),
# applies migrations, seeds and grants (aduan-admin migrate, as the database owner), starts every
# built service, each connected as its own PostgreSQL role (docs/architecture.md, "Who owns which
# table"; the cluster trusts its unix socket, so no passwords), and prints where the API is. Ctrl-C stops everything cleanly; the next start reuses the data.
#
# E-mail goes to a local mail sink (a real SMTP server on 127.0.0.1:2525 that keeps every message in
# .aduan/mail/ as .eml files with an index.jsonl) unless ADUAN_SMTP_URL names a real mail server.
#
# CURVE keys (docs/operations.md "Keys"): made on the first start into .aduan/keys (aduan-admin keys),
# one pair per service plus "admin" (aduan-admin rebuild-stats) and "analytics" (aduan-tail and the
# example consumer); every service gets its own secret and the folder as its allow-list.
#
# Settings: ADUAN_HTTP_ADDR (default 127.0.0.1:8080) and any other ADUAN_* variable are passed on.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
state=$top/.aduan
mkdir -p "$state/logs"

"$top/deploy/install-deps.sh"
"$top/deploy/build.sh" "$top/build" >"$state/logs/build.log" || { tail -n 30 "$state/logs/build.log" >&2; exit 1; }
bin=$top/build/bin

keys=$state/keys
if [ ! -d "$keys" ]; then
  mkdir -p "$keys.new" && chmod 700 "$keys.new"
  for pair in gateway:gateway intake:service verify:service route:service notify:service stats:service \
              admin:admin analytics:analytics; do
    "$bin/aduan-admin" keys "${pair%%:*}" "${pair##*:}" "$keys.new" >/dev/null
  done
  mv "$keys.new" "$keys"   # all or none: a half-made folder is made again next time
  echo "aduan: CURVE keys made in $keys" >&2
fi
export ADUAN_CURVE_PEERS=$keys

db_url=$("$top/tests/harness/pg_cluster.sh" start "$state/pg")
role_url() { echo "${db_url/:\/\/aduan@/://aduan_$1@}"; }   # the same database as role aduan_<service>
ADUAN_DB_URL=$db_url "$bin/aduan-admin" migrate >>"$state/logs/migrate.log" 2>&1 \
  || { tail -n 30 "$state/logs/migrate.log" >&2; exit 1; }
export ADUAN_HTTP_ADDR=${ADUAN_HTTP_ADDR:-127.0.0.1:8080}
export ADUAN_PUBLIC_URL=${ADUAN_PUBLIC_URL:-http://$ADUAN_HTTP_ADDR}
mail_sink_port=2525
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

# One replica of each: aduan-notify binds its commands where the gateway looks for them by default
# (tcp://127.0.0.1:7104); stated here because the two must agree.
export ADUAN_NOTIFY_BIND=${ADUAN_NOTIFY_BIND:-tcp://127.0.0.1:7104}
export ADUAN_NOTIFY_ENDPOINTS=${ADUAN_NOTIFY_ENDPOINTS:-$ADUAN_NOTIFY_BIND}

# name  binary  admin-address  (each service also reads the exported ADUAN_* settings)
# One replica of each on the default command endpoints, e.g. aduan-stats' queries on
# ADUAN_STATS_QUERY_BIND=tcp://127.0.0.1:7105, which is the gateway's default ADUAN_STATS_ENDPOINTS;
# more replicas need an endpoint each, listed comma-separated in the gateway's *_ENDPOINTS.
services=(
  "stats   aduan-stats   127.0.0.1:9186"
  "intake  aduan-intake  127.0.0.1:9181"
  "verify  aduan-verify  127.0.0.1:9182"
  "route   aduan-route   127.0.0.1:9183"
  "notify  aduan-notify  127.0.0.1:9184"
  "gateway aduan-gateway 127.0.0.1:9180"
)

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "aduan: stopping services" >&2
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$top/tests/harness/pg_cluster.sh" stop "$state/pg"
  echo "aduan: stopped (data kept in $state/pg)" >&2
}
trap stop_all INT TERM EXIT

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
  pids+=($!)
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$mail_sink_port") 2>/dev/null && break
    sleep 0.1
  done
  echo "aduan: mail sink on 127.0.0.1:$mail_sink_port (messages in $state/mail/)" >&2
fi

for entry in "${services[@]}"; do
  read -r name binary admin <<<"$entry"
  [ -x "$bin/$binary" ] || continue
  ADUAN_DB_URL=$(role_url "$name") ADUAN_ADMIN_ADDR=$admin ADUAN_CURVE_SECRET=$keys/$name.cert_secret \
    "$bin/$binary" >>"$state/logs/$name.log" 2>&1 &
  pids+=($!)
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
  Pages:    http://$ADUAN_HTTP_ADDR/   (the citizens' pages: submit, follow a report)
  API:      http://$ADUAN_HTTP_ADDR/api/v1/   (OpenAPI: http://$ADUAN_HTTP_ADDR/api/v1/openapi.json)
  Staff:    sign in as "admin" with the password in $state/admin-password (POST /api/v1/sessions)
  Database: psql '$db_url'   (the owner; each service connects as aduan_<service>)
  E-mail:   $( [ "$use_mail_sink" = 1 ] && echo "kept in $state/mail/ (index.jsonl lists them)" || echo "sent through $ADUAN_SMTP_URL" )
  Logs:     $state/logs/
  Keys:     $keys   (aduan-tail: ADUAN_CURVE_PEERS=$keys ADUAN_CURVE_SECRET=$keys/analytics.cert_secret)
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}" || true
# Ctrl-C reaches every service at once and all of them stop within a second or two (they finish
# what they have in hand); one service gone while the others still run after that is a failure.
sleep 3
for pid in "${pids[@]}"; do
  if kill -0 "$pid" 2>/dev/null; then echo "aduan: a service exited; see $state/logs/" >&2; break; fi
done
