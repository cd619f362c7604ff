#!/usr/bin/env bash
# Start a throwaway PostgreSQL + PostGIS cluster in a temporary folder and print its
# DATABASE_URL. Stop and remove it with: scripts/pg_throwaway.sh stop <folder>;
# restart it with: scripts/pg_throwaway.sh restart <folder>
# Runs as root too: the cluster then belongs to the "postgres" system user.
set -euo pipefail

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PG_BIN" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql postgis)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = "restart" ]; then  # a fast restart, as an operator's would be (make soak)
  as_owner "$PG_BIN/pg_ctl" -D "$2/data" -l "$2/server.log" -m fast -w restart >/dev/null
  exit 0
fi

if [ "${1:-}" = "stop" ]; then
  dir=$2
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

dir=$(mktemp -d /tmp/blisko-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
port=${PGPORT_THROWAWAY:-$(( 20000 + RANDOM % 20000 ))}
as_owner "$PG_BIN/initdb" -D "$dir/data" -U blisko --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB -c max_wal_size=4GB -c checkpoint_timeout=30min" \
  start >/dev/null
as_owner "$PG_BIN/createdb" -h "$dir" -p "$port" -U blisko blisko
as_owner "$PG_BIN/psql" -q -h "$dir" -p "$port" -U blisko -d blisko -c "CREATE EXTENSION postgis" >/dev/null
echo "$dir postgis://blisko@127.0.0.1:$port/blisko"
