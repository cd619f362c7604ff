#!/usr/bin/env bash
# Install what Blisko needs on a Debian/Ubuntu machine, then the Python packages into .venv.
#   scripts/setup.sh demo    runtime: GDAL/GEOS/PROJ, SpatiaLite, gettext
#   scripts/setup.sh test    + PostgreSQL with PostGIS, Debian's Chromium
#   scripts/setup.sh bench   + PostgreSQL with PostGIS, wrk
# System packages are installed with apt when run as root; otherwise the exact apt command is
# printed and the script stops. Python packages are reinstalled only when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}

missing=()
need() { # need <debian package> <test command...>
  local pkg=$1; shift
  "$@" >/dev/null 2>&1 || missing+=("$pkg")
}
need gdal-bin sh -c 'ldconfig -p | grep -q libgdal.so'
need libsqlite3-mod-spatialite sh -c 'ls /usr/lib/*/mod_spatialite.so* /usr/lib/mod_spatialite.so* 2>/dev/null | grep -q .'
need gettext command -v msgfmt
need python3-venv sh -c 'python3 -c "import venv, ensurepip"'
if [ "$mode" = test ] || [ "$mode" = bench ]; then
  need postgresql sh -c 'ls /usr/lib/postgresql/*/bin/initdb | grep -q .'
  need postgresql-postgis sh -c 'ls /usr/share/postgresql/*/extension/postgis.control | grep -q .'
fi
[ "$mode" = test ] && need chromium test -x /usr/bin/chromium
[ "$mode" = bench ] && need wrk command -v wrk

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Blisko needs these system packages. Run as root:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "Blisko needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))." >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# Compiled translations are build products, made from locale/*/LC_MESSAGES/django.po.
.venv/bin/python manage.py compilemessages -v0 --ignore=.venv
