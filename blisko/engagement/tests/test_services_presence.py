"""Recording a presence day: who may record whose day, the rules of the hours, the reason and
the day, the audit events, replacing and deleting, and two submits at once storing one row."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.engagement.models import PresenceDay
from blisko.engagement.services.presence import (
    DAYS_BACK_OWN,
    hours_value,
    presence_delete,
    presence_record,
    reason_value,
)
from blisko.engagement.tests.presence_data import last_month, record, team, today, user
from blisko.officers.models import Role
from blisko.officers.tests.factories import AreaFactory, AssignmentFactory

pytestmark = pytest.mark.django_db


def _refusal(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


def _day(t, back: int = 3) -> dt.date:
    return today(t.officer) - dt.timedelta(days=back)


def _events(row_or_id) -> list[AuditEvent]:
    entity_id = getattr(row_or_id, "pk", row_or_id)
    return list(
        AuditEvent.objects.filter(entity="presence", entity_id=str(entity_id)).order_by("id")
    )


# --- the officer's own days ---------------------------------------------------------------


def test_an_officer_records_their_own_day_with_an_audit_event():
    t = team()
    day = _day(t)

    row = presence_record(
        actor=t.officer_user,
        officer=t.officer,
        day=day,
        hours_in="6,5",
        hours_out="1.5",
        reason_out="training",
        note="Course in Vinnytsia",
    )

    row.refresh_from_db()
    assert (row.hours_in, row.hours_out, row.reason_out) == (
        Decimal("6.50"),
        Decimal("1.50"),
        "training",
    )
    assert row.recorded_by == t.officer_user and row.note == "Course in Vinnytsia"
    (event,) = _events(row)
    assert event.action == "created" and event.actor == t.officer_user and event.before is None
    assert event.after == {
        "officer": t.officer.pk,
        "day": day.isoformat(),
        "hours_in": "6.50",
        "hours_out": "1.50",
        "reason_out": "training",
        "note": "Course in Vinnytsia",
    }


def test_recording_a_day_again_replaces_it_and_audits_before_and_after():
    t = team()
    day = _day(t)
    first = presence_record(actor=t.officer_user, officer=t.officer, day=day, hours_in="8")

    second = presence_record(
        actor=t.officer_user,
        officer=t.officer,
        day=day,
        hours_in="7",
        hours_out="1",
        reason_out="court",
    )

    assert second.pk == first.pk
    assert PresenceDay.objects.filter(officer=t.officer, day=day).count() == 1
    created, replaced = _events(first)
    assert created.action == "created" and replaced.action == "replaced"
    assert replaced.before["hours_in"] == "8.00" and replaced.before["reason_out"] == ""
    assert replaced.after["hours_in"] == "7.00" and replaced.after["reason_out"] == "court"


def test_recording_exactly_what_is_on_record_writes_no_event():
    t = team()
    day = _day(t)
    row = presence_record(actor=t.officer_user, officer=t.officer, day=day, hours_in="8")

    presence_record(actor=t.officer_user, officer=t.officer, day=day, hours_in="8.00")

    assert len(_events(row)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7,5", "7.50"), ("7.5", "7.50"), (" 8 ", "8.00"), ("7.25", "7.25"), ("0,75", "0.75")],
)
def test_hours_are_read_with_a_comma_or_a_point(text, expected):
    assert hours_value(text, field="hours_in", label="Hours") == Decimal(expected)


def test_hours_finer_than_a_quarter_are_refused():
    t = team()
    error = _refusal(
        presence_record, actor=t.officer_user, officer=t.officer, day=_day(t), hours_in="7.3"
    )
    assert error.status == 400 and error.extra["field"] == "hours_in"
    assert "quarters" in error.message
    assert not PresenceDay.objects.exists()


@pytest.mark.parametrize(
    ("hours_in", "hours_out", "field", "words"),
    [
        ("25", "0", "hours_in", "at most 24 hours"),
        ("8", "24.25", "hours_out", "at most 24 hours"),
        ("-1", "0", "hours_in", "cannot be negative"),
        (Decimal("-0.5"), "0", "hours_in", "cannot be negative"),
        ("8", "−2", "hours_out", "cannot be negative"),
        ("20", "5", "hours_out", "add up to 25"),
        ("abc", "0", "hours_in", "must be a number"),
        ("NaN", "0", "hours_in", "must be a number"),
        (float("inf"), "0", "hours_in", "must be a number"),
        ("1e1", "0", "hours_in", "must be a number"),
        ("", "0", "hours_in", "give the number of hours"),
        ("0", "0", "hours_in", "both are 0"),
    ],
)
def test_bad_hours_are_refused_and_nothing_is_written(hours_in, hours_out, field, words):
    t = team()

    error = _refusal(
        presence_record,
        actor=t.officer_user,
        officer=t.officer,
        day=_day(t),
        hours_in=hours_in,
        hours_out=hours_out,
        reason_out="court" if hours_out not in ("0", "") else "",
    )

    assert error.status == 400 and error.extra["field"] == field
    assert words in error.message
    assert not PresenceDay.objects.exists() and not AuditEvent.objects.filter(entity="presence")


def test_a_whole_day_in_the_community_and_a_whole_day_elsewhere_are_allowed():
    t = team()
    presence_record(actor=t.officer_user, officer=t.officer, day=_day(t, 1), hours_in="24")
    presence_record(
        actor=t.officer_user,
        officer=t.officer,
        day=_day(t, 2),
        hours_in="0",
        hours_out="24",
        reason_out="leave",
    )
    assert PresenceDay.objects.count() == 2


def test_hours_elsewhere_need_a_reason():
    t = team()
    error = _refusal(
        presence_record,
        actor=t.officer_user,
        officer=t.officer,
        day=_day(t),
        hours_in="6",
        hours_out="2",
    )
    assert error.status == 400 and error.extra["field"] == "reason_out"


def test_a_reason_without_hours_elsewhere_is_refused():
    t = team()
    error = _refusal(
        presence_record,
        actor=t.officer_user,
        officer=t.officer,
        day=_day(t),
        hours_in="8",
        hours_out="0",
        reason_out="court",
    )
    assert error.status == 400 and error.extra["field"] == "reason_out"


def test_an_unknown_reason_is_refused():
    t = team()
    error = _refusal(
        presence_record,
        actor=t.officer_user,
        officer=t.officer,
        day=_day(t),
        hours_in="6",
        hours_out="2",
        reason_out="fishing",
    )
    assert error.status == 400 and error.extra["field"] == "reason_out"


def test_a_day_in_the_future_is_refused():
    t = team()
    error = _refusal(
        presence_record,
        actor=t.officer_user,
        officer=t.officer,
        day=today(t.officer) + dt.timedelta(days=1),
        hours_in="8",
    )
    assert error.status == 400 and error.extra["field"] == "day"
    assert "future" in error.message


def test_today_may_be_recorded():
    t = team()
    row = presence_record(
        actor=t.officer_user, officer=t.officer, day=today(t.officer), hours_in="8"
    )
    assert row.day == today(t.officer)


def test_a_day_before_the_officers_first_assignment_is_refused():
    t = team()
    first = t.officer.assignments.get().starts_on
    error = _refusal(
        presence_record,
        actor=t.supervisor_user,
        officer=t.officer,
        day=first - dt.timedelta(days=1),
        hours_in="8",
    )
    assert error.status == 400 and error.extra["field"] == "day"
    assert first.isoformat() in error.message


def test_an_officer_with_no_assignment_serving_an_area_records_nothing():
    t = team()
    error = _refusal(
        presence_record, actor=t.supervisor_user, officer=t.supervisor, day=_day(t), hours_in="8"
    )
    assert error.status == 400 and "no assignment" in error.message


def test_a_day_that_is_not_a_date_is_refused():
    t = team()
    error = _refusal(
        presence_record, actor=t.officer_user, officer=t.officer, day="2025-01-01", hours_in="8"
    )
    assert error.status == 400 and error.extra["field"] == "day"


def test_a_note_too_long_is_refused_and_control_characters_dropped():
    t = team()
    error = _refusal(
        presence_record,
        actor=t.officer_user,
        officer=t.officer,
        day=_day(t),
        hours_in="8",
        note="x" * 301,
    )
    assert error.status == 400 and error.extra["field"] == "note"
    row = presence_record(
        actor=t.officer_user, officer=t.officer, day=_day(t), hours_in="8", note=" a\x00b "
    )
    assert row.note == "ab"


# --- how far back, and who ----------------------------------------------------------------


def test_an_officer_records_their_own_days_only_so_far_back_their_supervisor_any_day():
    t = team()
    oldest = today(t.officer) - dt.timedelta(days=DAYS_BACK_OWN)
    presence_record(actor=t.officer_user, officer=t.officer, day=oldest, hours_in="8")
    too_old = oldest - dt.timedelta(days=1)

    error = _refusal(
        presence_record, actor=t.officer_user, officer=t.officer, day=too_old, hours_in="8"
    )
    row = presence_record(actor=t.supervisor_user, officer=t.officer, day=too_old, hours_in="8")

    assert error.status == 403 and "supervisor" in error.message
    assert row.recorded_by == t.supervisor_user


def test_the_supervisor_records_the_day_of_an_officer_they_supervise():
    t = team()
    day = _day(t)

    row = presence_record(
        actor=t.supervisor_user,
        officer=t.cover,
        day=day,
        hours_in="5",
        hours_out="3",
        reason_out="hq_duty",
    )

    assert row.officer == t.cover and row.recorded_by == t.supervisor_user
    (event,) = _events(row)
    assert event.actor == t.supervisor_user and event.action == "created"


@pytest.mark.parametrize("who", ["colleague_user", "stranger_user", "far_supervisor_user"])
def test_another_officers_day_is_refused_to_who_does_not_supervise_them(who):
    t = team()

    error = _refusal(
        presence_record, actor=getattr(t, who), officer=t.officer, day=_day(t), hours_in="8"
    )

    assert error.status == 403
    assert not PresenceDay.objects.exists() and not AuditEvent.objects.filter(entity="presence")


def test_a_user_who_is_no_officer_records_nobodys_day():
    t = team()
    admin = user("admin", is_superuser=True, is_staff=True)
    error = _refusal(presence_record, actor=admin, officer=t.officer, day=_day(t), hours_in="8")
    assert error.status == 403


def test_the_supervisor_records_no_day_the_officer_served_elsewhere():
    t = team()
    moved = t.colleague
    assignment = moved.assignments.get()
    assignment.ends_on = today(moved) - dt.timedelta(days=30)
    assignment.save(update_fields=["ends_on"])
    AssignmentFactory(
        officer=moved,
        area=AreaFactory(parent=t.far_region, centre=(24.4, 48.2)),
        role=Role.COMMUNITY_OFFICER,
        starts_on=today(moved) - dt.timedelta(days=29),
    )

    before_move = presence_record(
        actor=t.supervisor_user,
        officer=moved,
        day=today(moved) - dt.timedelta(days=31),
        hours_in="8",
    )
    error = _refusal(
        presence_record,
        actor=t.supervisor_user,
        officer=moved,
        day=today(moved) - dt.timedelta(days=10),
        hours_in="8",
    )

    assert before_move.pk and error.status == 403 and "did not serve" in error.message
    assert presence_record(
        actor=t.far_supervisor_user,
        officer=moved,
        day=today(moved) - dt.timedelta(days=10),
        hours_in="8",
    )


def test_the_system_records_any_past_day_after_the_first_assignment():
    t = team()
    day = last_month(t.officer)
    assert record(t.officer, day, "8").recorded_by is None


# --- deleting -----------------------------------------------------------------------------


def test_an_officer_deletes_their_recorded_day_with_an_audit_event():
    t = team()
    row = record(t.officer, _day(t), "8")

    presence_delete(actor=t.officer_user, officer=t.officer, day=row.day)

    assert not PresenceDay.objects.exists()
    created, deleted = _events(row.pk)
    assert deleted.action == "deleted" and deleted.after is None
    assert deleted.before["hours_in"] == "8.00" and deleted.actor == t.officer_user


def test_deleting_a_day_not_recorded_is_a_404():
    t = team()
    error = _refusal(presence_delete, actor=t.officer_user, officer=t.officer, day=_day(t))
    assert error.status == 404


def test_deleting_another_officers_day_is_refused_to_a_non_supervisor():
    t = team()
    row = record(t.officer, _day(t), "8")
    error = _refusal(presence_delete, actor=t.stranger_user, officer=t.officer, day=row.day)
    assert error.status == 403 and PresenceDay.objects.filter(pk=row.pk).exists()


def test_the_supervisor_deletes_an_officers_day():
    t = team()
    row = record(t.officer, _day(t), "8")
    presence_delete(actor=t.supervisor_user, officer=t.officer, day=row.day)
    assert not PresenceDay.objects.exists()


# --- reasons ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "code"),
    [("hq_duty", "hq_duty"), ("COURT", "court"), ("Duty at headquarters", "hq_duty"), ("", "")],
)
def test_a_reason_is_a_code_or_its_name(word, code):
    assert reason_value(word) == code


# --- two submits at once ------------------------------------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_day_at_once_store_one_row():
    from blisko.core.testing.live import shared_database_or_skip

    shared_database_or_skip()
    t = team()
    day = _day(t)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def submit(hours: str) -> None:
        from django.db import connections

        try:
            start.wait(timeout=30)
            presence_record(actor=t.officer_user, officer=t.officer, day=day, hours_in=hours)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(h,)) for h in ("8", "7", "6", "5")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    (row,) = PresenceDay.objects.filter(officer=t.officer, day=day)
    assert row.hours_in in {Decimal("8"), Decimal("7"), Decimal("6"), Decimal("5")}
    assert connection.vendor in ("postgresql", "sqlite")
