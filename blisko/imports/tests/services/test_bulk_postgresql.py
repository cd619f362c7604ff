"""The bulk import's PostgreSQL path: keys checked once per referenced row, under the same
locks the per-row foreign-key triggers take, and the per-row triggers when it may not."""

import datetime as dt

import numpy as np
import psycopg
import pytest
from django.db import connection

from blisko.core.exceptions import ApplicationError
from blisko.imports.services import bulk
from blisko.officers.models import Role
from blisko.officers.tests.factories import AssignmentFactory
from blisko.reports.models import Report, ReportEvent
from blisko.territories.models import Area
from conftest import VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("COPY and row locks are PostgreSQL's")


def _replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def _may_set_replica() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        return bool(cursor.fetchone()[0])


def _import_one_routed_report():
    vinnytsia = Area.objects.get(code="UA05020030000031457")
    officer = AssignmentFactory(area=vinnytsia, role=Role.COMMUNITY_OFFICER).officer
    result = bulk.reports_bulk_import(
        lon=[VINNYTSIA_CENTRE[0]] * 3,
        lat=[VINNYTSIA_CENTRE[1]] * 3,
        category_codes=["vandalism"] * 3,
    )
    return officer, result


def test_set_based_keys_switch_back_to_origin_after_the_copy():
    if not _may_set_replica():
        pytest.skip("this database role may not set session_replication_role")
    officer, result = _import_one_routed_report()
    assert _replication_role() == "origin"
    reports = Report.objects.filter(pk__in=result.report_ids.tolist())
    assert {r.assigned_officer_id for r in reports} == {officer.pk}
    assert ReportEvent.objects.filter(report__in=reports).count() == 3


def test_without_the_privilege_each_row_is_checked_by_its_triggers():
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE blisko_test_plain NOLOGIN NOSUPERUSER")
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO blisko_test_plain")
        cursor.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO blisko_test_plain")
        cursor.execute("SET LOCAL ROLE blisko_test_plain")
        assert bulk._set_based_keys(cursor) is False
        officer, result = _import_one_routed_report()
        # The deferred foreign-key triggers are queued; firing them now must find every key.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("RESET ROLE")
    assert _replication_role() == "origin"
    assert Report.objects.filter(pk__in=result.report_ids.tolist()).count() == 3


def test_a_table_with_a_trigger_of_its_own_keeps_the_row_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION blisko_test_noop() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER blisko_test_noop BEFORE INSERT ON reports_reportevent "
            "FOR EACH ROW EXECUTE FUNCTION blisko_test_noop()"
        )
        assert bulk._set_based_keys(cursor) is False
    assert _replication_role() == "origin"


def test_a_referenced_row_that_is_gone_refuses_the_import_and_writes_nothing():
    rows = bulk._Rows(
        codes=bulk.tracking_codes(1),
        category_ids=np.array([bulk.Category.objects.get(code="vandalism").pk]),
        lon=np.array([28.4]),
        lat=np.array([49.2]),
        plon=np.array([28.4]),
        plat=np.array([49.2]),
        shown=np.array([True]),
        area_ids=np.array([Area.objects.get(code="UA05020030000031457").pk]),
        versions=np.array([-1]),
        officers=np.array([987_654_321]),  # no such officer
        units=np.array([-1]),
        statuses=np.array(["submitted"]),
        created_us=bulk._microseconds([dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]),
        text=[""],
        take_up=dt.timedelta(days=2),
        verify=dt.timedelta(days=5),
        now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    before = Report.objects.count()
    with pytest.raises(ApplicationError, match="changed during the import"):
        bulk._copy_postgresql(rows)
    assert Report.objects.count() == before
    assert _replication_role() == "origin"


def test_the_referenced_rows_stay_locked_against_deletion_until_the_import_commits():
    """What the foreign-key triggers guarantee, held once per area rather than per report:
    another connection cannot delete a referenced area while the import is open."""
    area = Area.objects.get(code="UA05020030000031457")  # committed with the demo boundaries
    rows = bulk._Rows(
        codes=[],
        category_ids=np.array([], dtype=np.int64),
        lon=np.array([]),
        lat=np.array([]),
        plon=np.array([]),
        plat=np.array([]),
        shown=np.array([], dtype=bool),
        area_ids=np.array([area.pk]),
        versions=np.array([], dtype=np.int64),
        officers=np.array([], dtype=np.int64),
        units=np.array([], dtype=np.int64),
        statuses=np.array([]),
        created_us=np.array([], dtype=np.int64),
        text=[],
        take_up=dt.timedelta(days=2),
        verify=dt.timedelta(days=5),
        now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    with connection.cursor() as cursor:
        bulk._lock_referenced_rows(cursor, rows)
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
    )
    try:
        other.execute("SET lock_timeout = '300ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("DELETE FROM territories_area WHERE id = %s", [area.pk])
    finally:
        other.rollback()
        other.close()
