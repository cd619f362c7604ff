"""The iCalendar feed of an area (`/calendar/<code>.ics`), read back with the `icalendar`
package: the calendar's own properties and time zone, one event per meeting with a UID that an
edit keeps, times right in Kyiv and in Warsaw on both sides of a change of the clocks, cancelled
meetings as STATUS:CANCELLED, the ETag's 304, and a 404 for an unknown area."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from blisko.engagement.models import Meeting
from blisko.engagement.services import meetings as services
from blisko.engagement.tests.meetings_data import CENTRE, planned, started, values, world

pytestmark = pytest.mark.django_db


def feed(code: str, **headers):
    """The feed as a client asking in English gets it (unless the test asks otherwise)."""
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return Client().get(f"/calendar/{code}.ics", **headers)


def parsed(code: str) -> Calendar:
    response = feed(code)
    assert response.status_code == 200, response.content[:300]
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def next_clock_change(zone: zoneinfo.ZoneInfo) -> dt.date:
    """The first day from tomorrow on whose evening the zone's offset differs from the day
    before's."""
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=1)
    for _ in range(400):
        before = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(18), zone).utcoffset()
        after = dt.datetime.combine(day, dt.time(18), zone).utcoffset()
        if before != after:
            return day
        day += dt.timedelta(days=1)
    raise AssertionError("no change of the clocks within 400 days")


def test_the_feed_is_a_calendar_of_the_area_with_its_time_zone():
    w = world()
    meeting = planned(w)
    response = feed(w.area.code)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "max-age" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert "Blisko" in str(calendar["PRODID"])
    assert w.area.name_en in str(calendar["X-WR-CALNAME"])
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Kyiv"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Kyiv"]

    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{meeting.uid}@blisko.test"
    assert str(event["SUMMARY"]) == meeting.title
    assert str(event["LOCATION"]) == meeting.address
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["URL"]) == f"http://blisko.test/meetings/{meeting.uid}/"
    assert "crossing near the school" in str(event["DESCRIPTION"])
    assert event["DTSTART"].params["TZID"] == "Europe/Kyiv"
    assert event.start == meeting.starts_at and event.end == meeting.ends_at
    assert event["GEO"].latitude == pytest.approx(CENTRE[1])
    assert event["GEO"].longitude == pytest.approx(CENTRE[0])
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt
    assert abs(event["LAST-MODIFIED"].dt - meeting.updated_at) < dt.timedelta(seconds=1)


def test_an_online_meeting_has_its_link_as_location():
    w = world()
    planned(w, lat=None, lon=None, address="", online_url="https://meet.example.org/x")
    (event,) = parsed(w.area.code).walk("VEVENT")
    assert str(event["LOCATION"]) == "https://meet.example.org/x"
    assert "GEO" not in event


def test_the_uid_stays_and_the_sequence_grows_when_the_meeting_changes():
    w = world()
    meeting = planned(w)
    before = events(parsed(w.area.code))
    services.meeting_update(actor=w.officer_user, meeting=meeting, **values(w, title="Moved"))
    after = events(parsed(w.area.code))

    assert list(before) == list(after) == [f"{meeting.uid}@blisko.test"]
    event = after[f"{meeting.uid}@blisko.test"]
    assert str(event["SUMMARY"]) == "Moved" and int(event["SEQUENCE"]) == 1


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled():
    w = world()
    meeting = planned(w)
    services.meeting_cancel(actor=w.officer_user, meeting=meeting, reason="The hall is flooded.")
    (event,) = parsed(w.area.code).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert "The hall is flooded." in str(event["DESCRIPTION"])


def test_a_held_meeting_is_confirmed_with_its_decisions():
    w = world()
    meeting = started(w)
    services.meeting_hold(actor=w.officer_user, meeting=meeting, attendance=9, decisions="Lights")
    (event,) = parsed(w.area.code).walk("VEVENT")
    assert str(event["STATUS"]) == "CONFIRMED" and "Lights" in str(event["DESCRIPTION"])


def test_the_community_feed_holds_its_service_areas_and_not_other_communities():
    w = world()
    own = planned(w)
    beat = planned(w, actor=w.supervisor_user, area=w.beat, title="Beat walk")
    planned(w, actor=w.other_user, area=w.other, lat=None, lon=None, title="Elsewhere")
    uids = set(events(parsed(w.area.code)))
    assert uids == {f"{own.uid}@blisko.test", f"{beat.uid}@blisko.test"}
    # The service area's feed shows its community's meetings too.
    assert set(events(parsed(w.beat.code))) == uids


def test_meetings_older_than_twelve_months_leave_the_feed():
    w = world()
    recent = started(w)
    old = started(w, title="Old")
    long_ago = timezone.now() - dt.timedelta(days=400)
    Meeting.objects.filter(pk=old.pk).update(
        starts_at=long_ago, ends_at=long_ago + dt.timedelta(hours=1)
    )
    assert set(events(parsed(w.area.code))) == {f"{recent.uid}@blisko.test"}


@pytest.mark.parametrize(
    ("country_area", "zone_name"), [("area", "Europe/Kyiv"), ("polish", "Europe/Warsaw")]
)
def test_times_are_right_on_both_sides_of_a_change_of_the_clocks(country_area, zone_name):
    w = world()
    area = getattr(w, country_area)
    officer = w.officer if country_area == "area" else w.polish_officer
    zone = zoneinfo.ZoneInfo(zone_name)
    change = next_clock_change(zone)
    made = []
    for day in (change - dt.timedelta(days=2), change + dt.timedelta(days=2)):
        made.append(
            services.meeting_create(
                actor=None,
                officers=[officer],
                **values(
                    w,
                    area=area,
                    lat=None,
                    lon=None,
                    starts_at=dt.datetime.combine(day, dt.time(18, 0)),
                    ends_at=dt.datetime.combine(day, dt.time(19, 30)),
                ),
            )
        )
    calendar = parsed(area.code)
    assert str(calendar["X-WR-TIMEZONE"]) == zone_name
    found = events(calendar)
    offsets = []
    for meeting in made:
        event = found[f"{meeting.uid}@blisko.test"]
        assert event["DTSTART"].params["TZID"] == zone_name
        assert event["DTEND"].params["TZID"] == zone_name
        start = event.start
        assert (start.hour, start.minute) == (18, 0) and (event.end.hour, event.end.minute) == (
            19,
            30,
        )
        assert start == meeting.starts_at
        offsets.append(start.utcoffset())
    assert abs(offsets[0] - offsets[1]) == dt.timedelta(hours=1)
    # The VTIMEZONE itself says the same: read with its rules alone, the UTC times agree.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    rules = vtimezone.to_tz()
    for meeting in made:
        event = found[f"{meeting.uid}@blisko.test"]
        local = event.start.replace(tzinfo=None).replace(tzinfo=rules)
        assert local.astimezone(dt.UTC) == meeting.starts_at.astimezone(dt.UTC)


def test_an_unknown_area_is_a_404():
    assert feed("NO-SUCH-AREA").status_code == 404


def test_a_client_with_the_current_etag_gets_304_and_a_changed_feed_a_new_etag():
    w = world()
    meeting = planned(w)
    first = feed(w.area.code)
    again = feed(w.area.code, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    services.meeting_update(actor=w.officer_user, meeting=meeting, **values(w, title="Changed"))
    changed = feed(w.area.code, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_the_same_meetings_give_the_same_bytes():
    w = world()
    planned(w)
    assert feed(w.area.code).content == feed(w.area.code).content


def test_an_area_without_meetings_has_an_empty_feed_with_its_time_zone():
    w = world()
    calendar = parsed(w.polish.code)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Warsaw"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Warsaw"]


def test_the_304_is_answered_without_building_the_feed(django_assert_max_num_queries):
    w = world()
    planned(w)
    etag = feed(w.area.code)["ETag"]

    # The area, its service areas and one aggregate; no meeting or officer is read.
    with django_assert_max_num_queries(3):
        again = feed(w.area.code, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304


def test_an_officers_new_name_a_new_language_or_a_meeting_leaving_the_window_changes_the_etag():
    w = world()
    meeting = planned(w)
    first = feed(w.area.code)["ETag"]

    w.officer.last_name = "Renamed"
    w.officer.save(update_fields=["last_name", "updated_at"])
    renamed = feed(w.area.code)["ETag"]
    polish = feed(w.area.code, HTTP_ACCEPT_LANGUAGE="pl")["ETag"]
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=400),
        ends_at=timezone.now() - dt.timedelta(days=400) + dt.timedelta(hours=1),
    )
    gone = feed(w.area.code)["ETag"]

    assert len({first, renamed, polish, gone}) == 4


def test_a_calendar_app_asking_in_no_language_gets_the_areas_own():
    from django.utils import translation
    from django.utils.translation import gettext

    from blisko.officers.tests.factories import AreaFactory

    konin = AreaFactory(country="PL", name_official="Konin", name_pl="Konin", name_en="Konin")
    with translation.override("pl"):
        polish = gettext("Meetings with the police: %(area)s") % {"area": "Konin"}
    with translation.override("en"):
        english = gettext("Meetings with the police: %(area)s") % {"area": "Konin"}

    plain = Calendar.from_ical(Client().get(f"/calendar/{konin.code}.ics").content)
    asked = Calendar.from_ical(feed(konin.code, HTTP_ACCEPT_LANGUAGE="en").content)

    assert str(plain["X-WR-CALNAME"]) == polish
    assert str(asked["X-WR-CALNAME"]) == english
