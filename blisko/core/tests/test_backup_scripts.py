"""scripts/backup.sh and scripts/restore.sh, run for real against the test database."""

import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
BACKUP, RESTORE = ROOT / "scripts" / "backup.sh", ROOT / "scripts" / "restore.sh"


def _url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgis://{s['USER']}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def _connect(name: str) -> psycopg.Connection:
    return psycopg.connect(_url(name).replace("postgis://", "postgresql://"), autocommit=True)


def _blisko_tables() -> list[str]:
    tables = set()
    for config in apps.get_app_configs():
        if config.name.startswith("blisko."):
            for model in config.get_models(include_auto_created=True):
                tables.add(model._meta.db_table)
    return sorted(tables)


def test_backup_without_database_url_says_how_to_call_it():
    done = subprocess.run([BACKUP], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "DATABASE_URL is not set" in done.stderr and "usage:" in done.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.dump"
    junk.write_text("not a dump")
    done = subprocess.run([RESTORE, str(junk), "postgis://u@h/db"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "not a pg_dump custom-format backup" in done.stderr


@pytest.mark.django_db
def test_a_backup_restored_into_a_new_database_holds_the_same_rows_and_geometries(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore back up PostgreSQL; SpatiaLite is one file to copy")
    source = connection.settings_dict["NAME"]
    copy = f"blisko_restore_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "blisko.dump"
    # The session's territories are committed, so the dump (another connection) sees them.
    done = subprocess.run(
        [BACKUP, str(dump)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": _url(source)},
    )
    assert done.returncode == 0, done.stderr
    with _connect(source) as admin:
        admin.execute(f'CREATE DATABASE "{copy}"')
    try:
        done = subprocess.run([RESTORE, str(dump), _url(copy)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        with _connect(source) as old, _connect(copy) as new:
            for table in _blisko_tables():
                query = f'SELECT count(*) FROM "{table}"'
                assert new.execute(query).fetchone() == old.execute(query).fetchone(), table
            rows = old.execute(
                "SELECT id, ST_AsEWKB(boundary) FROM territories_areaboundary ORDER BY id LIMIT 5"
            ).fetchall()
            assert len(rows) == 5
            for pk, wkb in rows:
                same = new.execute(
                    "SELECT ST_Equals(boundary, ST_GeomFromEWKB(%s)) "
                    "FROM territories_areaboundary WHERE id = %s",
                    (wkb, pk),
                ).fetchone()
                assert same == (True,), pk
    finally:
        with _connect(source) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
