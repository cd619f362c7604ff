import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.officers.models import Role
from blisko.public.tests.data import assign, officer_make, unit_make
from blisko.reports import rules
from blisko.reports.models import Attachment, Report, ReportEvent, Status
from blisko.reports.services import submit as submit_module
from blisko.reports.services.submit import (
    CODE_ALPHABET,
    report_submit,
    report_submit_or_replay,
    tracking_code_new,
)
from blisko.reports.tests.factories import category
from blisko.reports.tests.uploads import PDF_BYTES, photo, stored_files, upload
from blisko.territories.models import Area, AreaBoundary
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

KONIN_GMINA = "3062011"
IP = "203.0.113.7"
CODE = re.compile(
    r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){2}$"
)


def submit(**fields):
    """A valid report in Konin, with whatever `fields` change."""
    fields.setdefault("category_code", "vandalism")
    fields.setdefault("lon", KONIN_CENTRE[0])
    fields.setdefault("lat", KONIN_CENTRE[1])
    fields.setdefault("client_ip", IP)
    return report_submit(**fields)


def refused(**fields) -> ApplicationError:
    """Submit, expect a refusal, and check nothing at all was stored."""
    files_before = stored_files()
    with pytest.raises(ApplicationError) as caught:
        submit(**fields)
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert not AuditEvent.objects.filter(entity="reports.report").exists()
    assert stored_files() == files_before
    return caught.value


def in_three_languages(msgid: str, **fields) -> dict[str, str]:
    """The refusal's message in uk, pl and en; each is the catalog's translation of `msgid`."""
    messages = {}
    for language in ("uk", "pl", "en"):
        with translation.override(language):
            error = refused(**fields)
            assert error.message == gettext(msgid), (language, error.message)
            messages[language] = error.message
    with translation.override("pl"):
        if gettext(msgid) != msgid:  # translated by now: the three must differ
            assert len(set(messages.values())) == 3, messages
    return messages


# --- what a submitted report holds --------------------------------------------------------


def test_a_report_goes_to_the_district_officer_of_the_area_holding_the_point():
    konin = Area.objects.get(code=KONIN_GMINA)
    unit = unit_make(area=konin, name="KMP Konin", lon=18.2446, lat=52.2269)
    officer = officer_make(
        unit=unit, first_name="Anna", last_name="Nowak", rank="st. sierż.", badge="PL-1"
    )
    assign(officer=officer, area=konin, role=Role.DISTRICT_OFFICER)
    frozen = timezone.make_aware(dt.datetime(2026, 3, 10, 9, 30))

    with time_machine.travel(frozen, tick=False):
        report = submit(description="Broken bus stop glass.", reporter_email="jan@example.org")

    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert report.area == konin
    assert report.area_boundary == AreaBoundary.objects.get(area=konin, valid_to__isnull=True)
    assert report.assigned_officer == officer
    assert report.assigned_unit == unit
    assert (report.location.x, report.location.y) == pytest.approx(KONIN_CENTRE)
    assert (report.public_location.x, report.public_location.y) == pytest.approx(KONIN_CENTRE)
    assert report.created_at == frozen
    assert report.take_up_due_at == frozen + dt.timedelta(days=2)
    assert report.verify_due_at == frozen + dt.timedelta(days=5)
    assert report.description == "Broken bus stop glass."
    assert report.reporter_email == "jan@example.org"
    assert report.client_ip == IP
    assert report.client_hash == rules.client_hash(IP)
    assert report.idempotency_key is None
    assert CODE.match(report.tracking_code)
    event = report.events.get()
    assert (event.action, event.from_status, event.to_status) == ("submitted", "", "submitted")
    assert event.is_public and event.actor is None
    audit = AuditEvent.objects.get(entity="reports.report", entity_id=str(report.pk))
    assert audit.action == "submitted"
    assert audit.after["assigned_officer"] == officer.pk
    assert "jan@example.org" not in str(audit.after) and IP not in str(audit.after)


def test_a_hidden_category_keeps_the_exact_point_for_police_and_none_for_the_public():
    report = submit(category_code="drug-use")
    assert report.location is not None
    assert report.public_location is None


def test_a_reduced_category_is_shown_at_the_centre_of_a_grid_cell_not_at_the_point():
    report = submit(category_code="homeless-in-need")
    assert report.public_location is not None
    assert not report.public_location.equals_exact(report.location, tolerance=1e-6)
    assert report.public_location.distance(report.location) < 0.003


def test_tracking_codes_are_twelve_unambiguous_characters_and_do_not_repeat():
    codes = {tracking_code_new() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(CODE.match(code) for code in codes)
    assert not set("01ILO") & set(CODE_ALPHABET)


def test_html_in_the_description_is_stored_as_the_text_typed():
    text = '<script>alert("x")</script> <b>bold</b> & more'
    report = submit(description=text)
    report.refresh_from_db()
    assert report.description == text


def test_windows_line_ends_fold_and_nul_characters_are_dropped():
    report = submit(description="  one\r\ntwo\x00  ")
    assert report.description == "one\ntwo"


def test_a_description_of_exactly_the_limit_is_accepted():
    report = submit(description="x" * 500)
    assert len(report.description) == 500


def test_the_time_of_the_event_is_kept_and_a_naive_time_is_local():
    report = submit(occurred_at="2026-01-05T18:45")
    expected = timezone.make_aware(dt.datetime(2026, 1, 5, 18, 45))
    assert report.occurred_at == expected


def test_a_client_address_that_is_not_an_ip_is_not_stored_but_still_limits():
    report = submit(client_ip="not-an-address")
    assert report.client_ip is None
    assert report.client_hash == rules.client_hash("not-an-address")


def test_a_trusted_internal_caller_without_a_client_has_no_daily_limit():
    with override_settings(BLISKO_REPORT_DAILY_LIMIT=1):
        first = submit(client_ip=None)
        second = submit(client_ip=None)
    assert first.pk != second.pk
    assert first.client_hash == "" and first.client_ip is None


# --- bad input: a clear translated error, nothing stored -----------------------------------


def test_a_point_outside_every_territory_is_refused():
    error = refused(lon=BLACK_SEA[0], lat=BLACK_SEA[1])
    assert error.extra["field"] == "location"
    assert "outside every territory" in error.message


def test_a_missing_or_impossible_point_is_refused():
    assert refused(lat="", lon="").message == (
        "Mark the place on the map, or give its latitude and longitude."
    )
    assert refused(lat="").extra["field"] == "location"
    assert refused(lat="abc").extra["field"] == "location"
    assert refused(lon="200").extra["field"] == "location"
    assert refused(lat="nan").extra["field"] == "location"


def test_an_unknown_category_is_refused():
    error = refused(category_code="flying-saucers")
    assert error.extra == {
        "field": "category",
        "fields": {"category": ["There is no category “flying-saucers”."]},
    }


def test_a_missing_category_is_refused():
    assert refused(category_code="").extra["field"] == "category"


def test_a_retired_category_is_refused():
    retired = category("begging")
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    error = refused(category_code="begging")
    assert error.extra["field"] == "category"
    assert "no longer used" in error.message


def test_a_description_over_500_characters_is_refused():
    error = refused(description="x" * 501)
    assert error.extra["field"] == "description"
    assert "500" in error.message and "501" in error.message


def test_a_time_of_the_event_in_the_future_is_refused():
    later = timezone.now() + dt.timedelta(hours=2)
    assert refused(occurred_at=later).extra["field"] == "occurred_at"
    assert refused(occurred_at="yesterday").extra["field"] == "occurred_at"
    assert refused(occurred_at="2026-13-45T10:00").extra["field"] == "occurred_at"


def test_an_invalid_email_is_refused():
    assert refused(reporter_email="not an e-mail").extra["field"] == "email"


@pytest.mark.parametrize(
    ("email", "language", "kept"),
    [
        ("jan@example.org", "uk", "uk"),
        ("jan@example.org", "pl-PL", "pl"),
        ("jan@example.org", "de", None),  # not a language of the site: the country's is used
        ("", "uk", None),  # no e-mail, nothing to write in it: not kept
    ],
)
def test_the_reporters_language_is_kept_only_with_an_email(email, language, kept):
    report = submit(reporter_email=email, reporter_language=language)
    assert report.reporter_language == kept


def test_an_unusable_idempotency_key_is_refused():
    assert refused(idempotency_key="x" * 101).extra["field"] == "idempotency_key"
    assert refused(idempotency_key="with space").extra["field"] == "idempotency_key"


def test_every_mistake_is_named_at_once_each_under_its_field():
    error = refused(
        category_code="nope", lat="", description="y" * 600, reporter_email="bad", occurred_at="x"
    )
    assert error.extra["field"] == "category"
    assert set(error.extra["fields"]) == {
        "category",
        "location",
        "description",
        "email",
        "occurred_at",
    }
    for messages in error.extra["fields"].values():
        assert all(message in error.message for message in messages)


def test_refusals_are_worded_in_the_language_of_the_request():
    in_three_languages("Choose a category.", category_code="")
    in_three_languages(
        "The time of the event cannot be in the future.",
        occurred_at=timezone.now() + dt.timedelta(days=1),
    )


def test_a_filled_honeypot_is_refused_with_a_generic_message():
    error = refused(honeypot="http://spam.example")
    assert error.status == 400
    assert error.extra == {}
    assert "honeypot" not in error.message.lower()
    in_three_languages(
        "The report could not be accepted. Reload the page and send it again.", honeypot="x"
    )


def test_a_failure_while_storing_files_leaves_no_report_and_no_file(monkeypatch):
    real_store = submit_module.attachment_store
    calls = []

    def store_then_fail(**kwargs):
        calls.append(1)
        attachment = real_store(**kwargs)
        if len(calls) == 2:
            raise OSError("disk full")
        return attachment

    monkeypatch.setattr(submit_module, "attachment_store", store_then_fail)
    files_before = stored_files()
    with pytest.raises(OSError):
        submit(files=[photo(), upload("plan.pdf", PDF_BYTES)])
    assert len(calls) == 2
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored_files() == files_before


# --- the daily limit ------------------------------------------------------------------------


WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


@override_settings(BLISKO_REPORT_DAILY_LIMIT=2)
def test_a_client_is_refused_after_the_daily_limit_and_allowed_again_the_next_day():
    morning = dt.datetime(2026, 5, 4, 8, 0, tzinfo=WARSAW)
    with time_machine.travel(morning, tick=False):
        submit()
        submit()
        with pytest.raises(ApplicationError) as caught:
            submit()
    error = caught.value
    assert error.status == 429
    assert error.extra["limit"] == 2
    assert error.extra["retry_after"] == 16 * 3600  # until midnight in Konin
    assert Report.objects.count() == 2
    # Another client is not affected.
    with time_machine.travel(morning, tick=False):
        assert submit(client_ip="198.51.100.1").pk

    # Just after local midnight the count starts again.
    with time_machine.travel(dt.datetime(2026, 5, 5, 0, 1, tzinfo=WARSAW), tick=False):
        assert submit().pk
    assert Report.objects.filter(client_hash=rules.client_hash(IP)).count() == 3


@override_settings(BLISKO_REPORT_DAILY_LIMIT=1)
def test_the_day_of_the_limit_is_the_day_where_the_report_is_not_the_utc_one():
    # 23:30 in Kyiv is 20:30 UTC; half an hour later it is a new day in Vinnytsia.
    vinnytsia = {"lon": VINNYTSIA_CENTRE[0], "lat": VINNYTSIA_CENTRE[1]}
    with time_machine.travel(dt.datetime(2026, 5, 4, 23, 30, tzinfo=KYIV), tick=False):
        submit(**vinnytsia)
    with time_machine.travel(dt.datetime(2026, 5, 5, 0, 5, tzinfo=KYIV), tick=False):
        assert submit(**vinnytsia).pk


@override_settings(BLISKO_REPORT_DAILY_LIMIT=1)
def test_a_resident_of_konin_starts_a_new_day_at_midnight_in_warsaw_not_in_kyiv():
    with time_machine.travel(dt.datetime(2026, 5, 4, 22, 0, tzinfo=WARSAW), tick=False):
        submit()
    # 23:30 in Warsaw is already 00:30 of the next day in Kyiv: still the same day in Konin.
    late = dt.datetime(2026, 5, 4, 23, 30, tzinfo=WARSAW)
    with time_machine.travel(late, tick=False), pytest.raises(ApplicationError) as caught:
        submit()
    assert caught.value.status == 429
    assert caught.value.extra["retry_after"] == 30 * 60
    with time_machine.travel(dt.datetime(2026, 5, 5, 0, 0, 1, tzinfo=WARSAW), tick=False):
        assert submit().pk


# --- idempotency --------------------------------------------------------------------------


def test_the_same_key_returns_the_same_report_and_makes_no_second_one():
    fields = {
        "idempotency_key": "6f1c0b9e-2a8d-4f7b-9c55-0d7e1a3b2c4d",
        "description": "Dogs at the school gate",
        "occurred_at": "2026-01-05T18:45",
    }
    first = report_submit_or_replay(
        category_code="stray-dogs",
        lon=KONIN_CENTRE[0],
        lat=KONIN_CENTRE[1],
        client_ip=IP,
        files=[photo()],
        **fields,
    )
    again = report_submit_or_replay(
        category_code="stray-dogs",
        lon=str(KONIN_CENTRE[0]),
        lat=str(KONIN_CENTRE[1]),
        client_ip="198.51.100.9",
        files=[photo()],
        **fields,
    )
    assert first.created is True
    assert again.created is False
    assert again.report.pk == first.report.pk
    assert Report.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert ReportEvent.objects.count() == 1


@override_settings(BLISKO_REPORT_DAILY_LIMIT=1)
def test_a_retry_is_answered_even_after_the_daily_limit_is_reached():
    first = submit(idempotency_key="retry-1")
    assert submit(idempotency_key="retry-1").pk == first.pk
    with pytest.raises(ApplicationError) as caught:
        submit(idempotency_key="retry-2")
    assert caught.value.status == 429


def test_the_same_key_with_a_different_report_is_refused():
    submit(idempotency_key="key-1", description="first")
    files_before = stored_files()
    for changed in (
        {"description": "second"},
        {"category_code": "speeding"},
        {"lon": KONIN_CENTRE[0] + 0.001},
        {"files": [photo()]},
        {"reporter_email": "a@example.org"},
    ):
        fields = {"idempotency_key": "key-1", "description": "first", **changed}
        with pytest.raises(ApplicationError) as caught:
            submit(**fields)
        assert caught.value.status == 422
        assert caught.value.extra == {"field": "idempotency_key"}
    assert Report.objects.count() == 1
    assert stored_files() == files_before


def test_a_race_lost_on_the_unique_key_returns_the_winners_report(monkeypatch):
    """Two requests with one key both find no report, both insert: the database keeps one,
    and the loser answers with the winner's report (its files removed)."""
    winner = submit(idempotency_key="race", files=[photo()])
    real_by_key = submit_module._by_key
    calls = []

    def not_yet(key):
        calls.append(key)
        # The first look happens before the winner committed: it sees nothing.
        return None if len(calls) == 1 else real_by_key(key)

    monkeypatch.setattr(submit_module, "_by_key", not_yet)
    files_before = stored_files()
    again = report_submit_or_replay(
        category_code="vandalism",
        lon=KONIN_CENTRE[0],
        lat=KONIN_CENTRE[1],
        client_ip=IP,
        idempotency_key="race",
        files=[photo()],
    )
    assert len(calls) == 2
    assert again.created is False and again.report.pk == winner.pk
    assert Report.objects.count() == 1
    assert stored_files() == files_before


# --- what a submission asks the database -----------------------------------------------------


@pytest.fixture
def _long_checks():
    """Freshness checks an hour apart, as between two requests of a warm server; this
    process's category list is dropped afterwards, so no later test sees it unchecked."""
    from blisko.reports.selectors.categories import category_list_clear

    category_list_clear()
    with override_settings(BLISKO_INDEX_CHECK_SECONDS=3600):
        yield
    category_list_clear()


@pytest.mark.usefixtures("_long_checks")
def test_a_warm_submission_only_locks_counts_and_inserts():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submit(idempotency_key="warm-1")  # fills the area index, officers' cache, category list
    with CaptureQueriesContext(connection) as queries:
        report = submit(idempotency_key="warm-2", client_ip="198.51.100.2")
    statements = [q["sql"] for q in queries.captured_queries]
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    # The daily-limit count, and under PostgreSQL the client's advisory lock: nothing else
    # is read (no category, area, boundary version, officer, nor a look-up of the key).
    assert len(reads) == (2 if connection.vendor == "postgresql" else 1), reads
    assert "pg_advisory_xact_lock" in reads[0] or "COUNT(*)" in reads[0]
    writes = [sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "WITH"))]
    tables = ["reports_report", "reports_reportevent", "core_auditevent"]
    if connection.vendor == "postgresql":
        # The three rows in one statement (blisko.reports.services.submit_insert).
        assert len(writes) == 1, writes
        found = [t for t in tables if f'INSERT INTO "{t}"' in writes[0]]
        assert found == tables
    else:
        assert [sql.split()[2].strip('"') for sql in writes] == tables
    assert (
        report.area_boundary_id
        == AreaBoundary.objects.get(area__code=KONIN_GMINA, valid_to__isnull=True).pk
    )
