"""Meetings: planning one (every bad input refused, nothing written), changing it while planned,
cancelling and holding it along the table of moves, correcting the minutes, the 409 of a stale
change, and the audit events."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.engagement.models import Meeting, MeetingKind, MeetingStatus
from blisko.engagement.services import meetings as services
from blisko.engagement.tests.meetings_data import CENTRE, local, planned, started, values, world
from blisko.officers.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def refusal(call, *args, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(*args, **kwargs)
    return caught.value


def audits(meeting: Meeting) -> list[str]:
    return list(
        AuditEvent.objects.filter(entity="meeting", entity_id=str(meeting.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- planning ----------------------------------------------------------------------------


def test_an_officer_plans_a_meeting_in_their_community_on_its_local_clock():
    w = world()
    meeting = planned(w)

    assert meeting.status == MeetingStatus.PLANNED and meeting.sequence == 0
    local_start = timezone.localtime(meeting.starts_at, timezone.get_default_timezone())
    assert local_start.replace(tzinfo=None) == local(w.area, 1, 18)
    assert list(meeting.officers.all()) == [w.officer]
    assert meeting.location.x == pytest.approx(CENTRE[0])
    assert meeting.created_by == w.officer_user
    event = AuditEvent.objects.get(entity="meeting", entity_id=str(meeting.pk))
    assert event.action == "created" and event.actor == w.officer_user
    assert event.after["title"] == "Safety on the way to school"


def test_a_naive_time_in_poland_is_read_on_the_warsaw_clock():
    w = world()
    meeting = planned(
        w,
        actor=w.polish_user,
        area=w.polish,
        lat=None,
        lon=None,
        starts_at=local(w.polish, 2, 18),
        ends_at=local(w.polish, 2, 19),
    )
    expected = local(w.polish, 2, 18).replace(tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))
    assert meeting.starts_at == expected
    assert meeting.starts_at.astimezone(dt.UTC) == expected.astimezone(dt.UTC)


def test_an_aware_time_is_kept_as_given():
    w = world()
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    meeting = planned(w, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    assert meeting.starts_at == start


def test_a_supervisor_plans_a_meeting_in_any_area_under_them_with_officers_of_it():
    w = world()
    meeting = planned(
        w,
        actor=w.supervisor_user,
        area=w.other,
        officers=[w.supervisor, w.other_officer],
        lat=None,
        lon=None,
    )
    assert set(meeting.officers.all()) == {w.supervisor, w.other_officer}


def test_a_meeting_online_needs_no_address():
    w = world()
    meeting = planned(w, lat=None, lon=None, address="", online_url="https://meet.example.org/a")
    assert meeting.online_url == "https://meet.example.org/a"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": "19:00 tomorrow"}, "starts_at"),
        ({"ends_at": ""}, "ends_at"),
        ({"kind": "party"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "<b>Meeting</b>"}, "title"),
        ({"description": "d" * 4001}, "description"),
        ({"partners": "p" * 501}, "partners"),
        ({"address": "", "online_url": ""}, "address"),
        ({"address": ""}, "address"),  # a point on the map with no address
        ({"online_url": "http://meet.example.org/a"}, "online_url"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "https://" + "a" * 500 + ".org"}, "online_url"),
        ({"lat": "north", "lon": "24"}, "location"),
        ({"lat": 48.5, "lon": 24.0}, "location"),  # outside the community
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(overrides, field):
    w = world()
    error = refusal(services.meeting_create, actor=w.officer_user, **values(w, **overrides))
    assert error.status == 400
    assert error.extra["field"] == field
    assert error.message
    assert Meeting.objects.count() == 0
    assert not AuditEvent.objects.filter(entity="meeting").exists()


def test_a_meeting_ending_before_it_starts_is_refused():
    w = world()
    error = refusal(
        services.meeting_create,
        actor=w.officer_user,
        **values(w, starts_at=local(w.area, 1, 18), ends_at=local(w.area, 1, 17)),
    )
    assert error.extra["field"] == "ends_at" and "end after it starts" in error.message
    error = refusal(
        services.meeting_create,
        actor=w.officer_user,
        **values(w, starts_at=local(w.area, 1, 18), ends_at=local(w.area, 1, 18)),
    )
    assert error.extra["field"] == "ends_at"
    assert Meeting.objects.count() == 0


def test_a_meeting_longer_than_twelve_hours_is_refused():
    w = world()
    error = refusal(
        services.meeting_create,
        actor=w.officer_user,
        **values(w, starts_at=local(w.area, 1, 6), ends_at=local(w.area, 1, 18, 1)),
    )
    assert error.extra["field"] == "ends_at" and "12 hours" in error.message


def test_a_planned_meeting_in_the_past_is_refused():
    w = world()
    error = refusal(
        services.meeting_create,
        actor=w.officer_user,
        **values(w, starts_at=local(w.area, -1, 18), ends_at=local(w.area, -1, 19)),
    )
    assert error.extra["field"] == "starts_at" and "past" in error.message
    assert Meeting.objects.count() == 0


def test_the_system_may_record_a_meeting_of_the_past():
    w = world()
    meeting = started(w)
    assert meeting.starts_at < timezone.now()


def test_a_meeting_in_an_area_the_officer_does_not_serve_is_refused():
    w = world()
    error = refusal(services.meeting_create, actor=w.other_user, **values(w, lat=None, lon=None))
    assert error.status == 403 and error.extra["field"] == "area"
    assert Meeting.objects.count() == 0


def test_an_officer_serving_the_community_cannot_hold_a_meeting_in_the_region():
    w = world()
    error = refusal(
        services.meeting_create,
        actor=w.officer_user,
        **values(w, area=w.region, lat=None, lon=None),
    )
    assert error.status == 403


def test_an_officer_taking_part_must_serve_or_supervise_the_area():
    w = world()
    stranger = OfficerFactory()
    error = refusal(
        services.meeting_create, actor=w.officer_user, **values(w, officers=[w.officer, stranger])
    )
    assert error.extra["field"] == "officers" and stranger.full_name in error.message
    assert Meeting.objects.count() == 0


def test_a_local_time_skipped_by_the_clocks_going_forward_is_refused():
    w = world()
    # The last Sunday of March, a year ahead at most: 03:30 does not exist in Kyiv.
    day = dt.date(timezone.now().year + 1, 3, 31)
    while day.weekday() != 6:
        day -= dt.timedelta(days=1)
    error = refusal(
        services.meeting_create,
        actor=w.officer_user,
        **values(
            w,
            starts_at=dt.datetime.combine(day, dt.time(3, 30)),
            ends_at=dt.datetime.combine(day, dt.time(5, 0)),
        ),
    )
    assert error.extra["field"] == "starts_at" and "does not exist" in error.message


def test_the_system_must_name_the_officers():
    w = world()
    error = refusal(services.meeting_create, actor=None, **values(w))
    assert error.extra["field"] == "officers"


# --- changing ----------------------------------------------------------------------------


def test_a_planned_meeting_is_changed_and_its_sequence_bumped():
    w = world()
    meeting = planned(w)
    changed = services.meeting_update(
        actor=w.officer_user,
        meeting=meeting,
        **values(
            w,
            title="Lighting on Shevchenka St",
            starts_at=local(w.area, 2, 17),
            ends_at=local(w.area, 2, 18),
        ),
    )
    assert changed.title == "Lighting on Shevchenka St" and changed.sequence == 1
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.sequence == 1 and stored.uid == meeting.uid
    assert list(stored.officers.all()) == [w.officer]
    event = AuditEvent.objects.get(entity="meeting", action="changed")
    assert event.before["title"] == "Safety on the way to school"
    assert event.after["title"] == "Lighting on Shevchenka St"


def test_a_change_made_on_a_stale_copy_is_refused_with_409():
    w = world()
    meeting = planned(w)
    stale = Meeting.objects.get(pk=meeting.pk)
    services.meeting_update(actor=w.officer_user, meeting=meeting, **values(w, title="New"))
    error = refusal(
        services.meeting_update, actor=w.supervisor_user, meeting=stale, **values(w, title="Old")
    )
    assert error.status == 409 and "Someone else" in error.message
    assert Meeting.objects.get(pk=meeting.pk).title == "New"


def test_an_officer_of_another_community_cannot_change_the_meeting():
    w = world()
    meeting = planned(w)
    error = refusal(
        services.meeting_update, actor=w.other_user, meeting=meeting, **values(w, title="Mine")
    )
    assert error.status == 403
    assert audits(meeting) == ["created"]


def test_a_held_meeting_cannot_be_changed():
    w = world()
    meeting = started(w)
    services.meeting_hold(actor=w.officer_user, meeting=meeting, attendance=12)
    error = refusal(
        services.meeting_update,
        actor=None,
        meeting=meeting,
        **values(w, starts_at=meeting.starts_at, ends_at=meeting.ends_at),
    )
    assert error.status == 409


# --- the moves ---------------------------------------------------------------------------


def test_the_table_of_moves():
    table = services.ALLOWED_TRANSITIONS
    assert table["planned"] == frozenset({"held", "cancelled"})
    assert table["held"] == frozenset() and table["cancelled"] == frozenset()
    assert set(table) == {"planned", "held", "cancelled"}


def test_a_planned_meeting_is_cancelled_with_its_reason():
    w = world()
    meeting = planned(w)
    services.meeting_cancel(actor=w.supervisor_user, meeting=meeting, reason="The hall is flooded.")
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.status == MeetingStatus.CANCELLED and stored.sequence == 1
    assert stored.cancel_reason == "The hall is flooded."
    event = AuditEvent.objects.get(entity="meeting", action="cancelled")
    assert event.note == "The hall is flooded." and event.before == {
        "status": "planned",
        "sequence": 0,
    }


def test_cancelling_needs_a_reason():
    w = world()
    meeting = planned(w)
    error = refusal(services.meeting_cancel, actor=w.officer_user, meeting=meeting, reason=" ")
    assert error.extra["field"] == "reason"
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_a_cancelled_meeting_cannot_be_held_nor_cancelled_again():
    w = world()
    meeting = started(w)
    services.meeting_cancel(actor=w.officer_user, meeting=meeting, reason="Storm")
    error = refusal(services.meeting_hold, actor=w.officer_user, meeting=meeting, attendance=3)
    assert error.status == 409 and "cannot become" in error.message
    error = refusal(services.meeting_cancel, actor=w.officer_user, meeting=meeting, reason="x")
    assert error.status == 409
    assert audits(meeting) == ["created", "cancelled"]


def test_a_started_meeting_is_held_with_its_minutes():
    w = world()
    meeting = started(w)
    services.meeting_hold(
        actor=w.officer_user,
        meeting=meeting,
        attendance="34",
        minutes="Residents asked about the crossing.",
        decisions="A zebra crossing by June.",
    )
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.status == MeetingStatus.HELD and stored.attendance == 34
    assert stored.decisions == "A zebra crossing by June." and stored.sequence == 1
    event = AuditEvent.objects.get(entity="meeting", action="held")
    assert event.after["attendance"] == 34


def test_a_meeting_not_yet_begun_cannot_be_held():
    w = world()
    meeting = planned(w)
    error = refusal(services.meeting_hold, actor=w.officer_user, meeting=meeting, attendance=3)
    assert error.status == 409 and "once it has begun" in error.message
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


@pytest.mark.parametrize("attendance", [None, "", "-1", "100001", "many", True])
def test_an_attendance_that_is_not_0_to_100000_is_refused(attendance):
    w = world()
    meeting = started(w)
    error = refusal(
        services.meeting_hold, actor=w.officer_user, meeting=meeting, attendance=attendance
    )
    assert error.extra["field"] == "attendance"
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_attendance_bounds_are_allowed():
    w = world()
    first, second = started(w), started(w, title="Second")
    services.meeting_hold(actor=w.officer_user, meeting=first, attendance=0)
    services.meeting_hold(actor=w.officer_user, meeting=second, attendance=100000)
    assert Meeting.objects.get(pk=second.pk).attendance == 100000


def test_only_those_managing_the_meeting_hold_it():
    w = world()
    meeting = started(w)
    error = refusal(services.meeting_hold, actor=w.other_user, meeting=meeting, attendance=3)
    assert error.status == 403
    services.meeting_hold(actor=w.supervisor_user, meeting=meeting, attendance=3)


def test_the_minutes_of_a_held_meeting_are_corrected():
    w = world()
    meeting = started(w)
    services.meeting_hold(actor=w.officer_user, meeting=meeting, attendance=3, decisions="A")
    services.meeting_minutes_update(
        actor=w.officer_user, meeting=meeting, attendance=5, minutes="M", decisions="B"
    )
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.attendance, stored.decisions, stored.sequence) == (5, "B", 2)
    event = AuditEvent.objects.get(entity="meeting", action="minutes_changed")
    assert event.before["attendance"] == 3 and event.after["attendance"] == 5


def test_the_minutes_of_a_planned_meeting_cannot_be_corrected():
    w = world()
    meeting = started(w)
    error = refusal(
        services.meeting_minutes_update, actor=w.officer_user, meeting=meeting, attendance=5
    )
    assert error.status == 409


def test_minutes_with_html_are_refused():
    w = world()
    meeting = started(w)
    error = refusal(
        services.meeting_hold,
        actor=w.officer_user,
        meeting=meeting,
        attendance=3,
        decisions="<script>x</script>",
    )
    assert error.extra["field"] == "decisions"


def test_a_move_on_a_stale_copy_is_refused_with_409():
    w = world()
    meeting = started(w)
    stale = Meeting.objects.get(pk=meeting.pk)
    services.meeting_hold(actor=w.officer_user, meeting=meeting, attendance=3)
    error = refusal(services.meeting_cancel, actor=w.officer_user, meeting=stale, reason="x")
    assert error.status == 409 and "Someone else" in error.message
    assert audits(meeting) == ["created", "held"]


def test_a_meeting_kind_is_stored():
    w = world()
    meeting = planned(w, kind=MeetingKind.SCHOOL_VISIT)
    assert Meeting.objects.get(pk=meeting.pk).get_kind_display() == "school visit"


def test_a_meeting_more_than_two_years_ahead_is_refused_and_the_calendar_stays_whole(client):
    w = world()
    for year in ("9999", str(timezone.now().year + 3)):
        error = refusal(
            services.meeting_create,
            actor=w.officer_user,
            **values(w, starts_at=f"{year}-12-14T18:00", ends_at=f"{year}-12-14T19:00"),
        )
        assert error.extra["field"] == "starts_at" and "two years" in error.message
    assert not Meeting.objects.exists()
    assert client.get(f"/calendar/{w.area.code}.ics").status_code == 200
