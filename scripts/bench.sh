#!/usr/bin/env bash
# Benchmarks (not part of `make test`). Starts a throwaway PostGIS unless BENCH_POSTGIS_URL is
# set, runs every bench/bench_*.py, and leaves JSON records in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh bench
pg_dir=""
cleanup() { [ -n "$pg_dir" ] && scripts/pg_throwaway.sh stop "$pg_dir"; return 0; }
trap cleanup EXIT
if [ -z "${BENCH_POSTGIS_URL:-}" ]; then
  read -r pg_dir BENCH_POSTGIS_URL < <(scripts/pg_throwaway.sh)
  export BENCH_POSTGIS_URL
fi
for bench in bench/bench_*.py; do
  echo "== $bench"
  .venv/bin/python "$bench"
done
