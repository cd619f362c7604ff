"""An area's meetings as an iCalendar feed (RFC 5545), built with the `icalendar` package, for
Google, Apple and Outlook calendars to subscribe to (`/calendar/<area_code>.ics`).

- One VEVENT per meeting of the feed (`calendar_meetings`: the last twelve months and every one
  to come), cancelled ones kept as STATUS:CANCELLED so subscribed calendars remove them.
- UID `<meeting uid>@<host of BLISKO_SITE_URL>`: the same for the meeting's whole life, whatever
  changes; SEQUENCE is the meeting's `sequence`, one more at each change.
- DTSTART/DTEND on the clock of the area with its TZID, and a VTIMEZONE for that zone
  covering every meeting of the feed; X-WR-TIMEZONE names it for clients that look there.
- The feed has no METHOD, so DTSTAMP is the meeting's last change (as RFC 5545 § 3.8.7.2
  says), like LAST-MODIFIED: the same meetings give the same bytes.
- The ETag is of the feed's version (`calendar_version`: one aggregate query) and language,
  so a subscribed calendar asking again is answered 304 before the feed is built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from blisko.core.clock import country_zone
from blisko.engagement.models import Meeting, MeetingStatus
from blisko.engagement.selectors.meetings import calendar_meetings, calendar_version
from blisko.territories.models import Area

PRODID = "-//Blisko//Meetings with residents//EN"
_STATUS = {
    MeetingStatus.PLANNED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class Feed:
    """The feed's bytes, their ETag and the time of the latest change in it."""

    body: bytes
    etag: str
    last_modified: dt.datetime | None


def site_host() -> str:
    """The host of BLISKO_SITE_URL: the right-hand side of every UID."""
    return urlsplit(settings.BLISKO_SITE_URL).hostname or "blisko"


def meeting_uid(meeting: Meeting) -> str:
    """The meeting's iCalendar UID, stable for its whole life."""
    return f"{meeting.uid}@{site_host()}"


def meeting_url(meeting: Meeting) -> str:
    """The meeting's public page, as an absolute address."""
    return settings.BLISKO_SITE_URL + reverse("public:meeting", kwargs={"uid": meeting.uid})


def _description(meeting: Meeting) -> str:
    lines = [str(meeting.get_kind_display()).capitalize()]
    if meeting.status == MeetingStatus.CANCELLED:
        lines.append(_("Cancelled: %(reason)s") % {"reason": meeting.cancel_reason})
    if meeting.description:
        lines.append(meeting.description)
    names = getattr(meeting, "officer_names", [])
    if names:
        lines.append(_("Officers: %(names)s") % {"names": ", ".join(names)})
    if meeting.partners:
        lines.append(_("Partners: %(partners)s") % {"partners": meeting.partners})
    if meeting.online_url and meeting.address:
        lines.append(_("Online: %(link)s") % {"link": meeting.online_url})
    if meeting.status == MeetingStatus.HELD and meeting.decisions:
        lines.append(_("Decisions: %(decisions)s") % {"decisions": meeting.decisions})
    lines.append(meeting_url(meeting))
    return "\n\n".join(lines)


def _event(meeting: Meeting, zone: dt.tzinfo) -> Event:
    changed = meeting.updated_at.astimezone(dt.UTC)
    event = Event.new(
        uid=meeting_uid(meeting),
        stamp=changed,
        last_modified=changed,
        start=meeting.starts_at.astimezone(zone),
        end=meeting.ends_at.astimezone(zone),
        summary=meeting.title,
        description=_description(meeting),
        location=meeting.address or meeting.online_url,
        sequence=meeting.sequence,
        url=meeting_url(meeting),
    )
    event.add("status", _STATUS[MeetingStatus(meeting.status)])
    event.add("created", meeting.created_at.astimezone(dt.UTC))
    if meeting.location is not None:
        event.add("geo", (round(meeting.location.y, 6), round(meeting.location.x, 6)))
    return event


def calendar_etag(*, area: Area, now: dt.datetime | None = None) -> str:
    """The ETag of the area's feed in the active language, without building it."""
    version = (*calendar_version(area=area, now=now), translation.get_language(), PRODID)
    return '"' + hashlib.sha256(repr(version).encode()).hexdigest()[:32] + '"'


def area_calendar(*, area: Area, now: dt.datetime | None = None) -> Feed:
    """The iCalendar feed of an area's meetings (see the module's text)."""
    now = now or timezone.now()
    zone = country_zone(area.country)
    meetings = calendar_meetings(area=area, now=now)
    host = site_host()
    calendar = Calendar.new(
        prodid=PRODID,
        name=_("Meetings with the police: %(area)s") % {"area": area.name},
        uid=f"calendar-{area.code}@{host}",
        url=settings.BLISKO_SITE_URL + reverse("calendar:area", kwargs={"code": area.code}),
        refresh_interval=dt.timedelta(hours=6),
    )
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", str(zone))
    calendar.add("x-published-ttl", "PT6H")
    # The zone's rules over the whole years of the feed's meetings (the current year when it
    # has none): the same meetings give the same VTIMEZONE, and the same bytes.
    years = [m.starts_at.astimezone(zone).year for m in meetings] or [now.astimezone(zone).year]
    calendar.add_component(
        Timezone.from_tzinfo(
            zone,
            tzid=str(zone),
            first_date=dt.date(min(years), 1, 1),
            last_date=dt.date(max(years) + 1, 1, 1),
        )
    )
    for meeting in meetings:
        calendar.add_component(_event(meeting, zone))
    body = calendar.to_ical()
    latest = max((m.updated_at for m in meetings), default=None)
    return Feed(
        body=body,
        etag=calendar_etag(area=area, now=now),
        last_modified=latest,
    )
