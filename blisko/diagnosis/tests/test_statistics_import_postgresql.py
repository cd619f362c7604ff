"""The statistics import's bulk path on PostgreSQL: the foreign keys dropped for the load and
re-created as they were (each checked once for the whole table), and the per-row checks when
the table cannot be had in time."""

import io
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from blisko.diagnosis.models import Statistic
from blisko.diagnosis.services import statistics

pytestmark = pytest.mark.django_db

VINNYTSIA = "UA05020030000031457"
KONIN = "3062011"
GOOD = (
    "area_code,period,offence,count\n"
    f"{VINNYTSIA},2025-03,theft,41\n"
    f"{VINNYTSIA},2025-04,theft,40\n"
    f"{KONIN},2025-03,Kradzieże,12\n"
)


@pytest.fixture(autouse=True)
def _postgresql_only(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the bulk path is PostgreSQL's")
    monkeypatch.setattr(statistics, "BULK_ROWS", 1)  # every import of these tests is bulk


def _foreign_keys() -> list[tuple[str, str, bool, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), condeferrable, convalidated "
            "FROM pg_constraint WHERE conrelid = 'diagnosis_statistic'::regclass "
            "AND contype = 'f' ORDER BY conname"
        )
        return cursor.fetchall()


def _import(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "statistics.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("statistics_import", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_foreign_keys_are_re_created_as_they_were(tmp_path):
    before = _foreign_keys()
    assert {definition.split(" REFERENCES ")[1].split("(")[0] for _n, definition, *_ in before} == {
        "territories_area",
        "diagnosis_statisticcategory",
    }
    _import(tmp_path, GOOD, "--commit")
    assert Statistic.objects.count() == 3
    assert _foreign_keys() == before  # same names, definitions, deferrable, validated
    _import(tmp_path, GOOD.replace(",41", ",42"), "--commit")  # a re-import replaces, in bulk
    assert Statistic.objects.get(count=42)
    assert Statistic.objects.count() == 3
    assert _foreign_keys() == before


def test_a_dry_run_leaves_the_foreign_keys_and_the_figures(tmp_path):
    before = _foreign_keys()
    _import(tmp_path, GOOD)
    assert Statistic.objects.count() == 0
    assert _foreign_keys() == before


def test_the_re_created_keys_still_refuse_a_figure_of_no_area(tmp_path):
    _import(tmp_path, GOOD, "--commit")
    with pytest.raises(Exception, match="foreign key"), connection.cursor() as cursor:
        cursor.execute("SAVEPOINT k")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            cursor.execute("UPDATE diagnosis_statistic SET area_id = -1 WHERE count = 41")
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT k")


def test_when_the_table_is_busy_the_rows_are_checked_one_at_a_time(tmp_path, monkeypatch):
    """Another session reading the table holds a lock the drop would wait for: after the
    wait the import goes on without dropping anything, and succeeds."""
    monkeypatch.setattr(statistics, "_LOCK_WAIT", "200ms")
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
    )
    before = _foreign_keys()
    try:
        other.execute("LOCK TABLE diagnosis_statistic IN ACCESS SHARE MODE")
        dropped: list = []
        original = statistics._foreign_keys_dropped
        monkeypatch.setattr(
            statistics,
            "_foreign_keys_dropped",
            lambda cursor: dropped.extend(original(cursor)) or dropped,
        )
        _import(tmp_path, GOOD, "--commit")
        assert dropped == []
    finally:
        other.rollback()
        other.close()
    assert Statistic.objects.count() == 3
    assert _foreign_keys() == before
