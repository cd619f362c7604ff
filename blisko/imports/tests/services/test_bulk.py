import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from blisko.imports.services.bulk import reports_bulk_import, tracking_codes
from blisko.officers.models import Role
from blisko.officers.services.assignments import assignment_create
from blisko.officers.tests.factories import OfficerFactory
from blisko.reports.models import Precision, Report, ReportEvent, Status
from blisko.territories.models import Area
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db


def test_tracking_codes_are_unique_and_readable():
    codes = tracking_codes(20_000)
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 14 and c[4] == "-" and c[9] == "-" for c in codes)
    assert not set("".join(codes)) & set("01ILO")


def test_bulk_import_routes_each_report_to_its_area_and_officer_and_skips_the_sea():
    vinnytsia = Area.objects.get(code="UA05020030000031457")
    officer = OfficerFactory()
    assignment_create(
        actor=None,
        officer=officer,
        area=vinnytsia,
        role=Role.COMMUNITY_OFFICER,
        starts_on=dt.date(2020, 1, 1),
    )
    result = reports_bulk_import(
        lon=[VINNYTSIA_CENTRE[0], KONIN_CENTRE[0], BLACK_SEA[0]],
        lat=[VINNYTSIA_CENTRE[1], KONIN_CENTRE[1], BLACK_SEA[1]],
        category_codes=["vandalism", "vandalism", "vandalism"],
    )
    assert (result.imported, result.outside) == (2, 1)
    reports = {r.area.code: r for r in Report.objects.filter(pk__in=result.report_ids.tolist())}
    assert set(reports) == {"UA05020030000031457", "3062011"}
    assert reports["UA05020030000031457"].assigned_officer == officer
    assert reports["UA05020030000031457"].area_boundary.area_id == vinnytsia.pk
    assert ReportEvent.objects.filter(report__in=reports.values(), action="imported").count() == 2


def test_bulk_import_keeps_statuses_times_and_public_precision():
    created = timezone.now() - dt.timedelta(days=40)
    result = reports_bulk_import(
        lon=np.array([VINNYTSIA_CENTRE[0]] * 3),
        lat=np.array([VINNYTSIA_CENTRE[1]] * 3),
        category_codes=["vandalism", "homeless-in-need", "drug-use"],
        created_at=[created] * 3,
        statuses=[Status.RESOLVED, Status.CONFIRMED, Status.SUBMITTED],
    )
    by_code = {r.category.code: r for r in Report.objects.filter(pk__in=result.report_ids.tolist())}
    exact, reduced, hidden = by_code["vandalism"], by_code["homeless-in-need"], by_code["drug-use"]
    assert exact.category.precision == Precision.EXACT
    assert exact.public_location.coords == pytest.approx(exact.location.coords)
    assert reduced.public_location.coords != pytest.approx(reduced.location.coords)
    assert abs(reduced.public_location.x - reduced.location.x) < 0.003
    assert hidden.public_location is None
    assert exact.status == Status.RESOLVED and exact.closed_at is not None
    assert abs((exact.created_at - created).total_seconds()) < 1
    assert exact.verify_due_at - exact.created_at == dt.timedelta(days=5)


def test_bulk_import_refuses_unknown_categories_and_writes_nothing():
    from blisko.core.exceptions import ApplicationError

    before = Report.objects.count()
    with pytest.raises(ApplicationError):
        reports_bulk_import(lon=[28.4], lat=[49.2], category_codes=["no-such-category"])
    assert Report.objects.count() == before


def test_bulk_import_writes_every_column_exactly():
    """The COPY writer (PostGIS) and bulk_create (SpatiaLite) store the same values: exact
    coordinates and microseconds, text with tabs, newlines, backslashes and markup as given."""
    created = dt.datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=dt.UTC)
    text = 'Tab\there, line\nbreak, back\\slash, <script>alert("x")</script> — ґ ż'
    result = reports_bulk_import(
        lon=[28.468213],
        lat=[49.233107],
        category_codes=["vandalism"],
        created_at=[created],
        statuses=[Status.NOT_CONFIRMED],
        descriptions=[text],
    )
    report = Report.objects.get(pk=int(result.report_ids[0]))
    assert report.location.coords == (28.468213, 49.233107)
    assert report.public_location.coords == (28.468213, 49.233107)
    assert report.description == text
    assert report.created_at == created
    assert report.take_up_due_at == created + dt.timedelta(days=2)
    assert report.verify_due_at == created + dt.timedelta(days=5)
    step = dt.timedelta(hours=20)
    assert (report.taken_up_at, report.verified_at, report.closed_at) == (
        created + step,
        created + 2 * step,
        created + 3 * step,
    )
    assert (report.reporter_email, report.client_hash, report.referred_to) == ("", "", "")
    assert report.seen_count == 0 and report.duplicate_of_id is None
    assert len(report.tracking_code) == 14
    event = ReportEvent.objects.get(report=report)
    assert (event.action, event.from_status, event.to_status) == ("imported", "", "not_confirmed")


def test_with_history_each_report_gets_the_events_of_its_moves_in_order():
    created = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    result = reports_bulk_import(
        lon=[VINNYTSIA_CENTRE[0]] * 4,
        lat=[VINNYTSIA_CENTRE[1]] * 4,
        category_codes=["vandalism"] * 4,
        created_at=[created] * 4,
        statuses=[Status.SUBMITTED, Status.NOT_CONFIRMED, Status.REFERRED, Status.DUPLICATE],
        history=True,
    )
    step = dt.timedelta(hours=20)
    histories = {}
    for report in Report.objects.filter(pk__in=result.report_ids.tolist()):
        events = list(report.events.order_by("at", "id"))
        histories[report.status] = [(e.action, e.from_status, e.to_status, e.at) for e in events]
        assert all(e.is_public and e.actor_id is None for e in events)
        assert events[-1].to_status == report.status
    assert histories == {
        "submitted": [("submitted", "", "submitted", created)],
        "not_confirmed": [
            ("submitted", "", "submitted", created),
            ("status_changed", "submitted", "in_verification", created + step),
            ("status_changed", "in_verification", "not_confirmed", created + 2 * step),
        ],
        "referred": [
            ("submitted", "", "submitted", created),
            ("status_changed", "submitted", "in_verification", created + step),
            ("status_changed", "in_verification", "confirmed", created + 2 * step),
            ("status_changed", "confirmed", "referred", created + 3 * step),
        ],
        "duplicate": [
            ("submitted", "", "submitted", created),
            ("status_changed", "submitted", "duplicate", created + step),
        ],
    }
