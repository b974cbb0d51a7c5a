#!/bin/bash
# First start: initdb with POSTGRES_USER as the superuser and POSTGRES_PASSWORD (scram), network
# connections with a password, then POSTGRES_DB. Every start: PostgreSQL as user postgres, PID 1.
set -euo pipefail
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
[ -n "${POSTGRES_PASSWORD:-}" ] || { echo "postgres-entrypoint: POSTGRES_PASSWORD is empty" >&2; exit 1; }
as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)

chown postgres:postgres "$PGDATA" /var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  "${as_postgres[@]}" initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" |
      "${as_postgres[@]}" postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec "${as_postgres[@]}" postgres -D "$PGDATA" "$@"
