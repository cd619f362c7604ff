#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a database.
#   scripts/restore.sh FILE DATABASE_URL
# DATABASE_URL (postgis://, postgres:// or postgresql://) names the database to restore into;
# it must exist (createdb NAME). Objects of the backup already in it are dropped first
# (--clean --if-exists), ownership is given to the restoring user (--no-owner), and the whole
# restore runs in one transaction: on any error the database is left as it was.
# Stop the app servers while restoring into the live database.
set -euo pipefail

usage() {
  echo "usage: $0 FILE DATABASE_URL" >&2
  echo "Restores FILE (a pg_dump custom-format backup from scripts/backup.sh) into the" >&2
  echo "database DATABASE_URL names (postgis://user@host:port/name)." >&2
}

fail() { echo "restore.sh: $*" >&2; exit 2; }

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -eq 2 ] || { usage; exit 2; }
file=$1 url=$2
[ -f "$file" ] || fail "$file: no such backup file."
case "$url" in
  postgis://*|postgres://*|postgresql://*|pgsql://*) url="postgresql://${url#*://}" ;;
  *) fail "not a PostgreSQL URL (postgis://user@host:port/name): ${url%%://*}://…" ;;
esac
command -v pg_restore >/dev/null || fail "pg_restore not found (apt-get install postgresql-client)."
pg_restore --list "$file" >/dev/null 2>&1 || fail "$file is not a pg_dump custom-format backup."
pg_restore --clean --if-exists --no-owner --single-transaction --no-password \
  --dbname="$url" "$file" || fail "pg_restore failed; the database was left as it was."
echo "restored $file"
