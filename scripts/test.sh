#!/usr/bin/env bash
# The whole test run: lint, migrations check, the suite on SpatiaLite (with the browser tests)
# and on PostGIS. PostGIS comes from DATABASE_URL when set, otherwise from a throwaway cluster
# started here in a temporary folder and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

export DJANGO_SETTINGS_MODULE=config.settings.test
PY=.venv/bin/python
pg_url=${DATABASE_URL:-}
unset DATABASE_URL

echo "== lint (ruff, mypy) and the floors (import-linter: each app imports only those below)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache

echo "== migrations are complete"
$PY manage.py makemigrations --check --dry-run --settings=config.settings.test

echo "== test suite on SpatiaLite, with the browser tests"
.venv/bin/pytest -q -m "not concurrency" "$@"

# Many clients at once and database faults need a database gunicorn's processes open too:
# a SpatiaLite file here (the suite above runs in memory), the PostGIS database below.
sqlite_dir=$(mktemp -d /tmp/blisko-sqlite.XXXXXX)
echo "== concurrency and faults on a SpatiaLite file, against gunicorn"
BLISKO_TEST_SQLITE_FILE="$sqlite_dir/blisko-test.sqlite3" .venv/bin/pytest -q -m concurrency "$@"
rm -rf "$sqlite_dir"

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && scripts/pg_throwaway.sh stop "$pg_dir"; return 0; }
trap cleanup EXIT
if [ -z "$pg_url" ]; then
  read -r pg_dir pg_url < <(scripts/pg_throwaway.sh)
  echo "== started a throwaway PostgreSQL + PostGIS in $pg_dir"
fi
echo "== test suite on PostGIS (browser tests ran above)"
DATABASE_URL=$pg_url .venv/bin/pytest -q -m "not browser" "$@"
