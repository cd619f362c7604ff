import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import translation

from blisko.core.exceptions import NotFoundError
from blisko.core.geo import GEO_SRID
from blisko.officers.models import Role
from blisko.public.tests.data import assign, officer_make, unit_make
from blisko.reports.models import Category, Precision, ReportEvent, Status
from blisko.reports.selectors.tracking import (
    categories_for_residents,
    event_public_actor,
    report_expected_by,
    report_get_by_code,
    report_public_history,
    report_public_location,
    tracking_code_normalise,
)
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.models import Area

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db

KONIN_GMINA = "3062011"


def test_a_code_is_found_whatever_its_case_spaces_or_dashes():
    report = ReportFactory(tracking_code="K7QM-3XPA-9DRT")
    for typed in ("K7QM-3XPA-9DRT", "k7qm3xpa9drt", " k7qm 3xpa 9drt ", "K7QM–3XPA–9DRT"):
        assert report_get_by_code(code=typed) == report


def test_an_unknown_or_malformed_code_is_not_found_in_the_language_of_the_request():
    ReportFactory(tracking_code="K7QM-3XPA-9DRT")
    messages = set()
    for language in ("uk", "pl", "en"):
        with translation.override(language):
            for typed in ("K7QM-3XPA-9DRX", "K7QM", "", "'; DROP TABLE x; --", "Ж" * 12):
                with pytest.raises(NotFoundError) as caught:
                    report_get_by_code(code=typed)
                assert caught.value.status == 404
            messages.add(caught.value.message)
    assert "No report has this tracking code. Check the code and try again." in messages


def test_normalising_refuses_what_cannot_be_a_code():
    assert tracking_code_normalise("abcd-efgh-jkmn") == "ABCD-EFGH-JKMN"
    assert tracking_code_normalise("ABCD-EFGH-JKM") is None
    assert tracking_code_normalise("ABCD/EFGH/JKMN") is None


def test_the_public_history_leaves_out_police_only_events(django_user_model):
    report = ReportFactory()
    ReportEvent.objects.create(report=report, action="submitted", to_status="submitted")
    ReportEvent.objects.create(report=report, action="rerouted", is_public=False, note="A → B")
    ReportEvent.objects.create(report=report, action="note", is_public=False, note="internal")
    ReportEvent.objects.create(report=report, action="note", note="We will check on Monday.")
    history = report_public_history(report=report)
    assert [event.action for event in history] == ["submitted", "note"]


def test_the_public_actor_is_a_role_never_a_name(django_user_model):
    konin = Area.objects.get(code=KONIN_GMINA)
    unit = unit_make(area=konin, name="KMP Konin", lon=18.2446, lat=52.2269)
    officer = officer_make(
        unit=unit, first_name="Anna", last_name="Nowak", rank="sierż.", badge="PL-9"
    )
    assign(officer=officer, area=konin, role=Role.DISTRICT_OFFICER)
    officer.user = django_user_model.objects.create_user(username="anowak", password="x")
    officer.save(update_fields=["user"])
    admin = django_user_model.objects.create_user(username="admin-user", password="x")
    report = ReportFactory(area=konin)
    submitted = ReportEvent.objects.create(report=report, action="submitted")
    by_officer = ReportEvent.objects.create(
        report=report, action="status_changed", actor=officer.user, to_status="in_verification"
    )
    by_admin = ReportEvent.objects.create(report=report, action="note", actor=admin)
    automatic = ReportEvent.objects.create(report=report, action="rerouted")
    imported_move = ReportEvent.objects.create(
        report=report, action="status_changed", from_status="submitted", to_status="confirmed"
    )

    with translation.override("en"):
        assert event_public_actor(event=submitted, report=report) == "resident"
        assert event_public_actor(event=by_officer, report=report) == "district officer"
        assert event_public_actor(event=by_admin, report=report) == "police"
        assert event_public_actor(event=automatic, report=report) == "Blisko"
        assert event_public_actor(event=imported_move, report=report) == "police"
        labels = [event_public_actor(event=e, report=report) for e in report.events.all()]
    assert not any("Nowak" in label or "admin" in label for label in labels)


def test_the_public_location_is_never_more_precise_than_the_category_allows_today():
    point = Point(18.25131, 52.22301, srid=GEO_SRID)
    exact = ReportFactory(location=point, category=category("vandalism"))
    assert report_public_location(report=exact).equals_exact(point)

    hidden = ReportFactory(location=point, category=category("drug-use"))
    assert report_public_location(report=hidden) is None

    reduced = ReportFactory(location=point, category=category("begging"))
    shown = report_public_location(report=reduced)
    assert not shown.equals_exact(point, tolerance=1e-5)

    # A category made stricter after the report was stored: today's rule wins.
    vandalism = Category.objects.get(code="vandalism")
    vandalism.precision = Precision.HIDDEN
    vandalism.save(update_fields=["precision"])
    exact.refresh_from_db()
    assert report_public_location(report=exact) is None


def test_residents_choose_among_the_active_categories_only():
    retired = category("begging")
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    codes = [c.code for c in categories_for_residents()]
    assert "begging" not in codes
    assert len(codes) == 26


def test_the_expected_times_are_those_of_the_steps_still_to_come():
    due = {
        "take_up_due_at": NOW + dt.timedelta(days=2),
        "verify_due_at": NOW + dt.timedelta(days=5),
    }
    waiting = ReportFactory(status=Status.SUBMITTED, **due)
    taken_up = ReportFactory(status=Status.IN_VERIFICATION, taken_up_at=NOW, **due)
    closed = ReportFactory(status=Status.RESOLVED, taken_up_at=NOW, verified_at=NOW, **due)

    assert report_expected_by(report=waiting) == (due["take_up_due_at"], due["verify_due_at"])
    assert report_expected_by(report=taken_up) == (None, due["verify_due_at"])
    assert report_expected_by(report=closed) == (None, None)
