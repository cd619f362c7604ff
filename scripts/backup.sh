#!/usr/bin/env bash
# Back up Blisko's PostgreSQL/PostGIS database: a pg_dump in the custom format (-Fc:
# compressed, restored with scripts/restore.sh, tables can be picked out with pg_restore -t).
#   scripts/backup.sh [FILE]
# The database is DATABASE_URL's (postgis://, postgres:// or postgresql://, as the app reads
# it). FILE defaults to var/backups/blisko-<database>-<UTC time>.dump; an existing file is
# never overwritten. The dump is written next to FILE first and renamed when complete, so a
# failed backup leaves no half file behind. Uploaded files (MEDIA_ROOT) are not in it.
set -euo pipefail

usage() {
  echo "usage: DATABASE_URL=postgis://user@host:port/name $0 [FILE]" >&2
  echo "Writes a pg_dump (custom format) of DATABASE_URL's database to FILE" >&2
  echo "(default: var/backups/blisko-<database>-<UTC time>.dump)." >&2
}

fail() { echo "backup.sh: $*" >&2; exit 2; }

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -le 1 ] || { usage; exit 2; }
url=${DATABASE_URL:-}
[ -n "$url" ] || { usage; fail "DATABASE_URL is not set."; }
case "$url" in
  postgis://*|postgres://*|postgresql://*|pgsql://*) url="postgresql://${url#*://}" ;;
  spatialite://*|sqlite://*)
    fail "DATABASE_URL is a SQLite file; this script backs up PostgreSQL. For SQLite use" \
      "sqlite3 FILE \".backup COPY\" (safe while the app runs)." ;;
  *) fail "DATABASE_URL is not a PostgreSQL URL (postgis://user@host:port/name): ${url%%://*}://…" ;;
esac
command -v pg_dump >/dev/null || fail "pg_dump not found (apt-get install postgresql-client)."

name=${url#*://}; name=${name#*/}; name=${name%%\?*}
[ -n "$name" ] && [ "$name" != "$url" ] || fail "DATABASE_URL names no database."
target=${1:-var/backups/blisko-$name-$(date -u +%Y%m%dT%H%M%SZ).dump}
[ ! -e "$target" ] || fail "$target exists already; choose another file."
mkdir -p "$(dirname "$target")"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-password --file="$partial" --dbname="$url" \
  || fail "pg_dump failed; nothing written."
mv "$partial" "$target"
trap - EXIT
echo "$target"
