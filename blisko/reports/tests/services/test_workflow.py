import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from django.utils.translation import ngettext
from PIL import Image

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.officers.models import Role
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    UnitFactory,
)
from blisko.reports.models import CLOSED_STATUSES, OPEN_STATUSES, Report, ReportEvent, Status
from blisko.reports.services import workflow
from blisko.reports.services.workflow import (
    ALLOWED_TRANSITIONS,
    report_add_note,
    report_confirm,
    report_mark_duplicate,
    report_not_confirm,
    report_refer,
    report_resolve,
    report_take_up,
    reports_escalate_overdue,
)
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.models import Country, Level

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2025, 3, 4, 11, 15, 30, tzinfo=dt.UTC)
SUBMITTED_AT = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
TAKE_UP_DUE = SUBMITTED_AT + dt.timedelta(days=2)
VERIFY_DUE = SUBMITTED_AT + dt.timedelta(days=5)
STARTED = dt.date(2020, 1, 1)
ROAD_AUTHORITY = "Zarząd Dróg Miejskich w Koninie"


@pytest.fixture
def region():
    return AreaFactory(level=Level.REGION, boundary=None)


@pytest.fixture
def area(region):
    return AreaFactory(parent=region, centre=(24.0, 48.2))


@pytest.fixture
def other_area(region):
    return AreaFactory(parent=region, centre=(24.1, 48.2))


def _police(django_user_model, name, area, role=Role.COMMUNITY_OFFICER, email=""):
    user = django_user_model.objects.create_user(username=name, password="secret", email=email)
    AssignmentFactory(officer=OfficerFactory(user=user), area=area, role=role, starts_on=STARTED)
    return user


@pytest.fixture
def officer(django_user_model, area):
    return _police(django_user_model, "olena", area)


@pytest.fixture
def stranger(django_user_model, other_area):
    """An officer of the neighbouring area."""
    return _police(django_user_model, "petro", other_area)


def _events(report):
    return list(ReportEvent.objects.filter(report=report).order_by("id"))


def _audits(report):
    return list(AuditEvent.objects.filter(entity="reports.report", entity_id=str(report.pk)))


def _move(report, actor, to, note="", duplicate_of=None):
    """The public service of the move to `to` (the private one for "submitted": none exists)."""
    if to == Status.IN_VERIFICATION:
        return report_take_up(report=report, actor=actor, note=note)
    if to == Status.CONFIRMED:
        return report_confirm(report=report, actor=actor, note=note)
    if to == Status.NOT_CONFIRMED:
        return report_not_confirm(report=report, actor=actor, note=note)
    if to == Status.RESOLVED:
        return report_resolve(report=report, actor=actor, note=note)
    if to == Status.REFERRED:
        return report_refer(report=report, actor=actor, referred_to=ROAD_AUTHORITY, note=note)
    if to == Status.DUPLICATE:
        return report_mark_duplicate(
            report=report, actor=actor, duplicate_of=duplicate_of, note=note
        )
    return workflow._transition(report, actor, to, note)


MATRIX = [(a, b) for a in Status.values for b in Status.values]
ALLOWED = [(a, b) for a, b in MATRIX if b in ALLOWED_TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in MATRIX if b not in ALLOWED_TRANSITIONS[a]]


def test_the_table_is_the_kmzb_workflow():
    assert set(ALLOWED) == {
        (Status.SUBMITTED, Status.IN_VERIFICATION),
        (Status.IN_VERIFICATION, Status.CONFIRMED),
        (Status.IN_VERIFICATION, Status.NOT_CONFIRMED),
        (Status.CONFIRMED, Status.RESOLVED),
        (Status.CONFIRMED, Status.REFERRED),
        *((status, Status.DUPLICATE) for status in OPEN_STATUSES),
    }
    assert len(REFUSED) == 49 - 8
    for status in CLOSED_STATUSES:
        assert ALLOWED_TRANSITIONS[status] == frozenset()


@pytest.mark.parametrize("from_status, to_status", ALLOWED)
def test_every_allowed_move_changes_the_status_and_records_who_when_from_to(
    officer, area, from_status, to_status
):
    report = ReportFactory(area=area, status=from_status)
    original = ReportFactory(area=area)

    with time_machine.travel(MOMENT, tick=False):
        result = _move(report, officer, to_status, note="Checked on site.", duplicate_of=original)

    assert result is report
    assert report.status == to_status
    stored = Report.objects.get(pk=report.pk)
    assert stored.status == to_status
    assert stored.updated_at == MOMENT
    (event,) = _events(report)
    assert (event.actor, event.at, event.action) == (officer, MOMENT, "status_changed")
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert event.note == "Checked on site."
    assert event.is_public
    (audit,) = _audits(report)
    assert audit.actor == officer
    assert audit.before == {"status": from_status}
    assert audit.after["status"] == to_status
    assert audit.note == "Checked on site."


@pytest.mark.parametrize("from_status, to_status", REFUSED)
def test_every_move_the_table_forbids_is_refused_and_changes_nothing(
    officer, area, from_status, to_status
):
    report = ReportFactory(area=area, status=from_status)
    original = ReportFactory(area=area)
    before = Report.objects.filter(pk=report.pk).values().get()

    with translation.override("en"), pytest.raises(ApplicationError) as error:
        _move(report, officer, to_status, note="No.", duplicate_of=original)

    assert error.value.status == 400
    assert error.value.extra["from"] == from_status
    assert error.value.extra["to"] == to_status
    with translation.override("en"):
        assert str(Status(from_status).label) in error.value.message
        assert str(Status(to_status).label) in error.value.message
    assert Report.objects.filter(pk=report.pk).values().get() == before
    assert _events(report) == []
    assert _audits(report) == []


def test_each_move_stamps_its_own_time(officer, area):
    report = ReportFactory(area=area)
    times = [MOMENT + dt.timedelta(hours=hours) for hours in (0, 5, 30)]

    with time_machine.travel(times[0], tick=False):
        report_take_up(report=report, actor=officer)
    with time_machine.travel(times[1], tick=False):
        report_confirm(report=report, actor=officer)
    with time_machine.travel(times[2], tick=False):
        report_resolve(report=report, actor=officer)

    report.refresh_from_db()
    assert (report.taken_up_at, report.verified_at, report.closed_at) == tuple(times)
    assert [e.at for e in _events(report)] == times


def test_not_confirmed_is_verified_and_closed_at_once(officer, area):
    report = ReportFactory(area=area, status=Status.IN_VERIFICATION)

    with time_machine.travel(MOMENT, tick=False):
        report_not_confirm(report=report, actor=officer, note="Nothing found.")

    report.refresh_from_db()
    assert report.verified_at == report.closed_at == MOMENT
    assert report.taken_up_at is None


def test_referring_names_the_body(officer, area):
    report = ReportFactory(area=area, status=Status.CONFIRMED)

    report_refer(report=report, actor=officer, referred_to=f"  {ROAD_AUTHORITY} ")

    report.refresh_from_db()
    assert report.status == Status.REFERRED
    assert report.referred_to == ROAD_AUTHORITY
    assert _audits(report)[0].after["referred_to"] == ROAD_AUTHORITY


@pytest.mark.parametrize("body", ["", "   ", "x" * 201, None])
def test_referring_without_a_body_or_with_too_long_a_name_is_refused(officer, area, body):
    report = ReportFactory(area=area, status=Status.CONFIRMED)

    with pytest.raises(ApplicationError) as error:
        report_refer(report=report, actor=officer, referred_to=body)

    assert error.value.extra == {"field": "referred_to"}
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED
    assert _events(report) == []


def test_a_note_over_2000_characters_is_refused_and_nothing_moves(officer, area):
    report = ReportFactory(area=area)

    with pytest.raises(ApplicationError) as error:
        report_take_up(report=report, actor=officer, note="x" * 2001)

    assert error.value.extra == {"field": "note"}
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_html_in_a_note_is_kept_as_text(officer, area):
    report = ReportFactory(area=area)
    note = "<script>alert(1)</script> & <b>bold</b>"

    report_take_up(report=report, actor=officer, note=note)

    assert _events(report)[0].note == note


def test_a_stale_copy_of_the_report_cannot_skip_the_table(officer, area):
    report = ReportFactory(area=area)
    stale = Report.objects.get(pk=report.pk)
    report_take_up(report=report, actor=officer)
    report_confirm(report=report, actor=officer)
    report_resolve(report=report, actor=officer)

    # The stale copy still says "submitted"; the stored row is what counts, and the caller is
    # told someone moved it meanwhile (409), not that the move is forbidden.
    with pytest.raises(ApplicationError) as error:
        report_take_up(report=stale, actor=officer)

    assert error.value.status == 409
    assert error.value.extra["status"] == Status.RESOLVED
    assert "Someone else has just changed this report" in error.value.message
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED


# --- duplicates ---------------------------------------------------------------------------


def test_a_duplicate_points_at_the_original_and_is_closed(officer, area):
    original = ReportFactory(area=area, status=Status.CONFIRMED)
    report = ReportFactory(area=area, category=category("illegal-dump"))

    with time_machine.travel(MOMENT, tick=False):
        report_mark_duplicate(report=report, actor=officer, duplicate_of=original)

    report.refresh_from_db()
    assert report.status == Status.DUPLICATE
    assert report.duplicate_of == original
    assert report.closed_at == MOMENT
    assert _audits(report)[0].after["duplicate_of"] == original.pk


def test_a_report_cannot_be_a_duplicate_of_itself(officer, area):
    report = ReportFactory(area=area)

    with pytest.raises(ApplicationError) as error:
        report_mark_duplicate(report=report, actor=officer, duplicate_of=report)

    assert error.value.extra == {"field": "duplicate_of"}
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_a_duplicate_chain_cannot_loop_back(officer, area):
    first = ReportFactory(area=area)
    second = ReportFactory(area=area)
    report_mark_duplicate(report=second, actor=officer, duplicate_of=first)

    with pytest.raises(ApplicationError) as error:
        report_mark_duplicate(report=first, actor=officer, duplicate_of=second)

    assert error.value.extra == {"field": "duplicate_of"}
    first.refresh_from_db()
    assert first.status == Status.SUBMITTED
    assert first.duplicate_of is None


def test_a_duplicate_of_a_duplicate_points_at_the_original(officer, area):
    original = ReportFactory(area=area)
    copy = ReportFactory(area=area)
    report_mark_duplicate(report=copy, actor=officer, duplicate_of=original)
    third = ReportFactory(area=area)

    report_mark_duplicate(report=third, actor=officer, duplicate_of=copy)

    third.refresh_from_db()
    assert third.duplicate_of == original


def test_a_duplicate_needs_the_report_it_duplicates(officer, area):
    report = ReportFactory(area=area)

    with pytest.raises(ApplicationError) as error:
        report_mark_duplicate(report=report, actor=officer, duplicate_of=None)

    assert error.value.extra == {"field": "duplicate_of"}


def test_an_officer_cannot_tie_a_report_to_one_of_another_area(officer, area, other_area):
    report = ReportFactory(area=area)
    foreign = ReportFactory(area=other_area)

    with pytest.raises(ApplicationError) as error:
        report_mark_duplicate(report=report, actor=officer, duplicate_of=foreign)

    assert error.value.status == 403
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("from_status, to_status", ALLOWED)
def test_an_officer_of_another_area_can_make_no_move_and_nothing_changes(
    stranger, area, from_status, to_status
):
    report = ReportFactory(area=area, status=from_status)
    original = ReportFactory(area=area)
    before = Report.objects.filter(pk=report.pk).values().get()

    with pytest.raises(ApplicationError) as error:
        _move(report, stranger, to_status, duplicate_of=original)

    assert error.value.status == 403
    assert Report.objects.filter(pk=report.pk).values().get() == before
    assert _events(report) == []
    assert _audits(report) == []


def test_an_officer_of_another_area_cannot_add_a_note(stranger, area):
    report = ReportFactory(area=area)

    with pytest.raises(ApplicationError) as error:
        report_add_note(report=report, actor=stranger, note="Seen it.")

    assert error.value.status == 403
    assert _events(report) == []


@pytest.mark.parametrize("who", ["anonymous", "nobody"])
def test_anonymous_and_unauthenticated_actors_are_refused(area, who):
    report = ReportFactory(area=area)
    actor = AnonymousUser() if who == "anonymous" else None

    with pytest.raises(ApplicationError) as error:
        report_take_up(report=report, actor=actor)

    assert error.value.status == 403
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_the_supervisor_of_the_region_may_act_on_its_reports(django_user_model, region, area):
    boss = _police(django_user_model, "boss", region, role=Role.SUPERVISOR)
    report = ReportFactory(area=area)

    report_take_up(report=report, actor=boss)

    assert Report.objects.get(pk=report.pk).status == Status.IN_VERIFICATION


def test_the_officer_a_report_is_assigned_to_may_act_on_it_outside_their_areas(stranger, area):
    report = ReportFactory(area=area, assigned_officer=stranger.officer)

    report_take_up(report=report, actor=stranger)

    assert Report.objects.get(pk=report.pk).status == Status.IN_VERIFICATION


# --- notes and photos ---------------------------------------------------------------------


def _jpeg(**exif_tags):
    image = Image.new("RGB", (16, 12), (200, 30, 30))
    exif = Image.Exif()
    for tag, value in exif_tags.items():
        exif[int(tag[1:])] = value
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_officer_adds_a_police_only_note_without_changing_the_status(officer, area):
    report = ReportFactory(area=area, status=Status.IN_VERIFICATION)

    with time_machine.travel(MOMENT, tick=False):
        result = report_add_note(report=report, actor=officer, note="Patrol sent.")

    assert result is report
    (event,) = _events(report)
    assert (event.action, event.note, event.actor, event.at) == (
        "note",
        "Patrol sent.",
        officer,
        MOMENT,
    )
    assert event.is_public is False
    assert (event.from_status, event.to_status) == ("", "")
    assert Report.objects.get(pk=report.pk).status == Status.IN_VERIFICATION
    assert _audits(report)[0].action == "note"


def test_a_note_can_be_public_and_closed_reports_take_notes_too(officer, area):
    report = ReportFactory(area=area, status=Status.RESOLVED)

    report_add_note(report=report, actor=officer, note="The bench was repaired.", is_public=True)

    assert _events(report)[0].is_public


def test_an_empty_note_without_a_photo_is_refused(officer, area):
    report = ReportFactory(area=area)

    with pytest.raises(ApplicationError) as error:
        report_add_note(report=report, actor=officer, note="   ")

    assert error.value.extra == {"field": "note"}
    assert _events(report) == []


def test_a_photo_is_kept_without_its_camera_metadata(officer, area):
    report = ReportFactory(area=area)
    data = _jpeg(t271="SpyCam Inc.", t272="Model X")
    assert b"SpyCam" in data

    report_add_note(report=report, actor=officer, note="", photo=_upload(data))

    event = _events(report)[0]
    stored = event.photo.read()
    assert stored and b"SpyCam" not in stored and b"Model X" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (16, 12)
        assert not image.getexif()


def test_a_confirmation_can_carry_a_png_photo(officer, area):
    report = ReportFactory(area=area, status=Status.IN_VERIFICATION)
    out = io.BytesIO()
    Image.new("RGBA", (4, 4)).save(out, format="PNG")

    report_confirm(report=report, actor=officer, photo=_upload(out.getvalue(), "a.png"))

    assert _events(report)[0].photo.name.endswith(".png")


@pytest.mark.parametrize(
    "data, name",
    [
        (b"%PDF-1.4 not an image at all", "photo.jpg"),
        (b"", "empty.jpg"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "broken.jpg"),
    ],
)
def test_a_photo_that_is_not_a_readable_jpeg_or_png_is_refused(officer, area, data, name):
    report = ReportFactory(area=area, status=Status.IN_VERIFICATION)

    with pytest.raises(ApplicationError) as error:
        report_confirm(report=report, actor=officer, photo=_upload(data, name))

    assert error.value.extra == {"field": "photo"}
    assert Report.objects.get(pk=report.pk).status == Status.IN_VERIFICATION
    assert _events(report) == []


@override_settings(BLISKO_REPORT_MAX_ATTACHMENT_BYTES=1024)
def test_a_photo_over_the_size_limit_is_refused(officer, area):
    report = ReportFactory(area=area)
    image = Image.effect_noise((128, 128), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert len(out.getvalue()) > 1024

    with pytest.raises(ApplicationError) as error:
        report_add_note(report=report, actor=officer, note="x", photo=_upload(out.getvalue()))

    assert error.value.extra == {"field": "photo"}
    assert _events(report) == []


# --- the reporter's e-mail ----------------------------------------------------------------


def test_the_reporter_is_emailed_each_new_status_after_commit(
    officer, area, django_capture_on_commit_callbacks, mailoutbox
):
    report = ReportFactory(area=area, reporter_email="resident@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        report_take_up(report=report, actor=officer, note="We are on it.")

    (message,) = mailoutbox
    assert message.to == ["resident@example.org"]
    assert report.tracking_code in message.subject
    assert "We are on it." in message.body
    # A link to the report's public page, on the site's own address.
    assert f"http://blisko.test/report/{report.tracking_code}/" in message.body


def test_the_reporter_is_written_to_in_their_own_language_police_in_the_countrys(
    django_user_model, django_capture_on_commit_callbacks, mailoutbox
):
    # A Ukrainian resident of Konin who reported in Ukrainian; the police there are Polish.
    konin = AreaFactory(country=Country.POLAND, centre=(18.25, 52.22))
    officer = _police(django_user_model, "dzielnicowy", konin)
    _police(django_user_model, "szef", konin, role=Role.SUPERVISOR, email="szef@police.example")
    report = ReportFactory(
        area=konin,
        reporter_email="olena@example.org",
        reporter_language="uk",
        created_at=SUBMITTED_AT,
    )

    with django_capture_on_commit_callbacks(execute=True):
        report_take_up(report=report, actor=officer)
    with translation.override("uk"):
        status = str(Status.IN_VERIFICATION.label)
    (to_resident,) = mailoutbox
    assert status in to_resident.subject  # "на перевірці", not "w weryfikacji"

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reports_escalate_overdue(now=VERIFY_DUE + dt.timedelta(days=1))
    (to_police,) = mailoutbox
    with translation.override("pl"):
        expected = ngettext(
            "%(count)d report in your areas is overdue",
            "%(count)d reports in your areas are overdue",
            1,
        ) % {"count": 1}
    assert to_police.subject == expected


def test_no_email_is_sent_without_an_address_or_for_a_refused_move(
    officer, area, django_capture_on_commit_callbacks, mailoutbox
):
    silent = ReportFactory(area=area)
    refused = ReportFactory(area=area, reporter_email="resident@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        report_take_up(report=silent, actor=officer)
        with pytest.raises(ApplicationError):
            report_resolve(report=refused, actor=officer)

    assert mailoutbox == []


# --- escalation ---------------------------------------------------------------------------


def _overdue(area, **kwargs):
    return ReportFactory(area=area, created_at=SUBMITTED_AT, **kwargs)


def test_overdue_reports_are_escalated_once_with_a_police_only_event(
    django_user_model, region, area, django_capture_on_commit_callbacks, mailoutbox
):
    _police(django_user_model, "boss", region, role=Role.SUPERVISOR, email="boss@police.example")
    late = _overdue(area)
    taken_up = _overdue(area, status=Status.IN_VERIFICATION)
    after_deadline = TAKE_UP_DUE + dt.timedelta(seconds=1)

    with time_machine.travel(after_deadline, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert reports_escalate_overdue() == 1
        assert reports_escalate_overdue() == 0

    late.refresh_from_db()
    assert late.escalated_at == after_deadline
    (event,) = _events(late)
    assert (event.action, event.is_public, event.actor) == ("escalated", False, None)
    assert event.from_status == event.to_status == Status.SUBMITTED
    assert [a.action for a in _audits(late)] == ["escalated"]
    assert Report.objects.get(pk=taken_up.pk).escalated_at is None
    (message,) = mailoutbox
    assert message.to == ["boss@police.example"]
    assert late.tracking_code in message.body
    assert taken_up.tracking_code not in message.body
    assert f"http://blisko.test/police/reports/{late.tracking_code}/" in message.body


def test_the_escalation_gives_the_deadlines_on_the_clock_of_the_reports_country(
    django_user_model, django_capture_on_commit_callbacks, mailoutbox
):
    # 11:30 UTC is 13:30 in Warsaw and 14:30 in Kyiv (summer time in both).
    konin = AreaFactory(country=Country.POLAND, centre=(18.25, 52.22))
    vinnytsia = AreaFactory(centre=(28.47, 49.23))
    submitted = dt.datetime(2025, 6, 2, 11, 30, tzinfo=dt.UTC)
    for area in (konin, vinnytsia):
        _police(
            django_user_model,
            f"boss-{area.pk}",
            area,
            role=Role.SUPERVISOR,
            email=f"boss-{area.country}@police.example",
        )
        ReportFactory(
            area=area,
            created_at=submitted,
            take_up_due_at=submitted,
            verify_due_at=submitted + dt.timedelta(days=3),
        )

    with django_capture_on_commit_callbacks(execute=True):
        assert reports_escalate_overdue(now=submitted + dt.timedelta(days=4)) == 2

    body = {m.to[0]: m.body for m in mailoutbox}
    assert "13:30" in body["boss-PL@police.example"]
    assert "14:30" not in body["boss-PL@police.example"]
    assert "14:30" in body["boss-UA@police.example"]


def test_escalation_waits_for_the_deadline_and_then_happens_once(area):
    late = _overdue(area)

    assert reports_escalate_overdue(now=TAKE_UP_DUE) == 0
    assert reports_escalate_overdue(now=TAKE_UP_DUE + dt.timedelta(microseconds=1)) == 1
    # Still late at the verification deadline: not escalated a second time.
    assert reports_escalate_overdue(now=VERIFY_DUE + dt.timedelta(days=1)) == 0
    assert len(_events(late)) == 1


def test_a_report_taken_up_in_time_is_escalated_when_verification_is_late(area):
    report = _overdue(area, status=Status.IN_VERIFICATION)

    assert reports_escalate_overdue(now=VERIFY_DUE) == 0
    assert reports_escalate_overdue(now=VERIFY_DUE + dt.timedelta(seconds=1)) == 1
    report.refresh_from_db()
    assert report.escalated_at == VERIFY_DUE + dt.timedelta(seconds=1)


def test_confirmed_and_closed_reports_are_never_escalated(area):
    for status in (Status.CONFIRMED, *CLOSED_STATUSES):
        _overdue(area, status=status)

    assert reports_escalate_overdue(now=VERIFY_DUE + dt.timedelta(days=10)) == 0


def test_without_a_supervisor_the_unit_is_emailed(
    area, django_capture_on_commit_callbacks, mailoutbox
):
    unit = UnitFactory(email="dyzhurna@police.example")
    late = _overdue(area, assigned_unit=unit)

    with django_capture_on_commit_callbacks(execute=True):
        assert reports_escalate_overdue(now=VERIFY_DUE + dt.timedelta(days=1)) == 1

    (message,) = mailoutbox
    assert message.to == ["dyzhurna@police.example"]
    assert late.tracking_code in message.body


def test_with_nobody_to_email_the_report_is_still_escalated(
    area, django_capture_on_commit_callbacks, mailoutbox
):
    late = _overdue(area)

    with django_capture_on_commit_callbacks(execute=True):
        assert reports_escalate_overdue(now=VERIFY_DUE + dt.timedelta(days=1)) == 1

    assert mailoutbox == []
    assert Report.objects.get(pk=late.pk).escalated_at is not None


def test_each_supervisor_gets_one_message_for_all_their_late_reports(
    django_user_model, region, area, other_area, django_capture_on_commit_callbacks, mailoutbox
):
    _police(django_user_model, "boss", region, role=Role.SUPERVISOR, email="boss@police.example")
    _police(
        django_user_model, "local", other_area, role=Role.SUPERVISOR, email="local@police.example"
    )
    here = [_overdue(area) for _ in range(2)]
    there = _overdue(other_area)

    with django_capture_on_commit_callbacks(execute=True):
        assert reports_escalate_overdue(now=VERIFY_DUE + dt.timedelta(days=1)) == 3

    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"boss@police.example", "local@police.example"}
    for report in here:
        assert report.tracking_code in by_address["boss@police.example"].body
    # The nearest supervisor of the other area is its own.
    assert there.tracking_code in by_address["local@police.example"].body
    assert there.tracking_code not in by_address["boss@police.example"].body
