#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder: initdb, unix socket only, no system service.
#   pg_cluster.sh start DIR [--fast]   create (first time) and start; prints the connection URL
#   pg_cluster.sh stop DIR             stop (fast shutdown); DIR is kept
#   pg_cluster.sh destroy DIR          stop and remove DIR
#   pg_cluster.sh url DIR              print the connection URL
#   pg_cluster.sh restart DIR          stop then start (used by fault tests)
# --fast (tests): fsync, full_page_writes and synchronous_commit off.
# PostgreSQL refuses to run as root, so when run as root the cluster belongs to `nobody`.
set -euo pipefail

cmd=${1:?usage: pg_cluster.sh start|stop|destroy|url|restart DIR [--fast]}
dir=${2:?usage: pg_cluster.sh start|stop|destroy|url|restart DIR [--fast]}
fast=${3:-}
dir=$(realpath -m "$dir")
# As root the cluster runs as `nobody`, which must be able to reach the folder; a checkout under a
# private home (e.g. /root) is not reachable, so the cluster then lives in /var/tmp and the folder
# in the checkout is a link to it. Unix socket paths are limited to 107 bytes: same remedy.
if [ ! -e "$dir" ]; then
  mkdir -p "$(dirname "$dir")"
  probe_parent=$(dirname "$dir")
  if { [ "$(id -u)" = 0 ] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$probe_parent"; } \
     || [ ${#dir} -gt 80 ]; then
    real=/var/tmp/aduan-pg-$(printf '%s' "$dir" | md5sum | cut -c1-12)
    mkdir -p "$real"
    ln -s "$real" "$dir"
  else
    mkdir -p "$dir"
  fi
fi
dir=$(cd "$dir" && pwd -P)
data="$dir/data"
sock="$dir/run"
db_user=aduan
port=5432   # only names the socket file: listen_addresses is empty

pg_bindir() {
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "pg_cluster: no PostgreSQL server binaries found (apt-get install postgresql)" >&2; exit 1; }
  echo "$d"
}
bin=$(pg_bindir)

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgresql://${db_user}@/aduan?host=${sock}&port=${port}"; }

init_cluster() {
  mkdir -p "$data" "$sock"
  [ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$dir"
  chmod 700 "$data"
  as_owner "$bin/initdb" -D "$data" -U "$db_user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  {
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$sock'"
    echo "port = $port"
    echo "max_connections = 200"
    echo "shared_buffers = 128MB"
    echo "log_min_messages = warning"
    if [ "$fast" = "--fast" ]; then
      echo "fsync = off"; echo "full_page_writes = off"; echo "synchronous_commit = off"
      # A transaction PostgreSQL can prepare has sent no NOTIFY: test_event_log checks the append's.
      echo "max_prepared_transactions = 2"
    fi
  } >>"$data/postgresql.conf"
}

running() { [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  [ -f "$data/PG_VERSION" ] || init_cluster
  if ! running; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
      || { tail -n 30 "$dir/postgres.log" >&2; exit 1; }
  fi
  # The application database; created once, reused afterwards.
  if ! as_owner "$bin/psql" -h "$sock" -p "$port" -U "$db_user" -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = 'aduan'" | grep -q 1; then
    as_owner "$bin/createdb" -h "$sock" -p "$port" -U "$db_user" aduan
  fi
  url
}

stop() { if running; then as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null; fi; }

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) stop; start >/dev/null ;;
  destroy) stop; link=$(realpath -ms "${2}"); rm -rf "$dir"; [ -L "$link" ] && rm -f "$link"; true ;;
  url) url ;;
  *) echo "pg_cluster: unknown command $cmd" >&2; exit 2 ;;
esac
