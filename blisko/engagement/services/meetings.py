"""Meetings with residents: plan one, change it while it is planned, cancel it with a reason,
record it as held with its minutes, and correct the minutes afterwards.

A meeting's status moves along ALLOWED_TRANSITIONS only: planned → held (once it has started)
or cancelled (with a reason); held and cancelled are final (the minutes of a held meeting can
still be corrected). Every change bumps the meeting's `sequence`, the iCalendar SEQUENCE that
tells residents' calendars to pick it up, and writes one audit event (entity "meeting").

Times are given as naive local times in the **area's time zone** (`country_zone`) or as aware
datetimes, and stored aware. Each service checks everything before writing, locks the meeting
(`select_for_update`) and refuses with a 409 when someone changed it since the caller read it
(its status or sequence differ): nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from blisko.core.checks import refused, text_value
from blisko.core.clock import country_zone
from blisko.core.exceptions import ApplicationError
from blisko.core.geo import make_point, parse_lat_lon
from blisko.core.services import Actor, audit_record, full_clean
from blisko.engagement.models import Meeting, MeetingKind, MeetingStatus
from blisko.engagement.selectors.access import officer_may_hold, officer_may_manage
from blisko.officers.models import Officer
from blisko.plans.selectors.access import officer_of
from blisko.territories.models import Area

S = MeetingStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset(),
    S.CANCELLED: frozenset(),
}
ENTITY = "meeting"
MAX_DURATION = dt.timedelta(hours=12)
# How far ahead a meeting may be planned (and how far back the system may record one).
MAX_AHEAD = dt.timedelta(days=2 * 366)
MAX_BACK = dt.timedelta(days=10 * 366)
ATTENDANCE_MAX = 100_000
URL_MAX = 500
TEXT_MAX = {
    "title": 200,
    "address": 300,
    "description": 4000,
    "partners": 500,
    "cancel_reason": 1000,
    "minutes": 20000,
    "decisions": 4000,
}
_https = URLValidator(schemes=["https"])


def _label(status: str) -> str:
    return str(MeetingStatus(status).label) if status in MeetingStatus.values else status


def meeting_moved_meanwhile(status: str) -> ApplicationError:
    """The refusal (409) of a change to a meeting someone else changed since the caller read
    it: two officers at once, or a page left open."""
    return ApplicationError(
        _(
            "Someone else has just changed this meeting: it is now “%(status)s”. Nothing was "
            "changed by you; look at the meeting again."
        )
        % {"status": _label(status)},
        {"status": status},
        status=409,
    )


# --- checks ------------------------------------------------------------------------------


def _text(value: Any, field: str, label: Any, *, required: bool = False) -> str:
    return text_value(
        value, field=field, label=label, max_length=TEXT_MAX[field], required=required, plain=True
    )


def local_moment(value: Any, *, area: Area, field: str) -> dt.datetime:
    """`value` (a datetime, or text as a `datetime-local` field sends it) as an aware
    datetime: a naive one is a time on the clock of the area (its country's time zone).
    Refused when it is missing, unreadable, or a local time that does not exist (the hour
    skipped when the clocks go forward)."""
    moment: dt.datetime | None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
        if moment is None:
            raise refused(_("Give the date and time as YYYY-MM-DD HH:MM."), field)
    else:
        raise refused(_("Give the date and time."), field)
    if timezone.is_aware(moment):
        return moment
    zone = country_zone(area.country)
    aware = moment.replace(tzinfo=zone)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise refused(
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward that night. "
                "Choose another time."
            )
            % {"time": moment.strftime("%Y-%m-%d %H:%M"), "zone": str(zone)},
            field,
        )
    return aware


def _times(
    starts_at: Any, ends_at: Any, area: Area, *, future: bool
) -> tuple[dt.datetime, dt.datetime]:
    start = local_moment(starts_at, area=area, field="starts_at")
    end = local_moment(ends_at, area=area, field="ends_at")
    if end <= start:
        raise refused(_("The meeting must end after it starts."), "ends_at")
    if end - start > MAX_DURATION:
        raise refused(
            _("A meeting lasts at most %(hours)d hours.")
            % {"hours": MAX_DURATION.total_seconds() // 3600},
            "ends_at",
        )
    now = timezone.now()
    if future and start <= now:
        raise refused(
            _("A planned meeting cannot start in the past: give a time still to come."),
            "starts_at",
        )
    if start > now + MAX_AHEAD:
        raise refused(
            _("A meeting is planned at most two years ahead: check the year."), "starts_at"
        )
    if start < now - MAX_BACK:
        raise refused(_("This date is too far in the past: check the year."), "starts_at")
    return start, end


def _point(lat: Any, lon: Any, area: Area) -> Point | None:
    given = [v for v in (lat, lon) if v is not None and str(v).strip()]
    if not given:
        return None
    try:
        x, y = parse_lat_lon(lat, lon)
    except ApplicationError:
        raise refused(
            _(
                "The place on the map needs its latitude and longitude as numbers in degrees "
                "(for example 49.2331 and 28.4682): pick it on the map, or leave both empty."
            ),
            "location",
        ) from None
    point = make_point(x, y)
    boundary = Area.objects.only("boundary").get(pk=area.pk).boundary
    if boundary is None:
        raise refused(
            _("The area has no boundary on record: give the address without a map point."),
            "location",
        )
    if not boundary.covers(point):
        raise refused(
            _("The place on the map lies outside %(area)s. Mark a place inside the area.")
            % {"area": area.name},
            "location",
        )
    return point


def _link(value: Any) -> str:
    link = value.strip() if isinstance(value, str) else ""
    if not link:
        return ""
    if len(link) > URL_MAX:
        raise refused(
            _("The online link is longer than %(max)d characters.") % {"max": URL_MAX},
            "online_url",
        )
    try:
        _https(link)
    except ValidationError:
        raise refused(
            _("The online link must be a full https:// address (e.g. https://meet.example.org/x)."),
            "online_url",
        ) from None
    if urlsplit(link).scheme.lower() != "https":  # pragma: no cover - the validator's rule
        raise refused(_("The online link must start with https://."), "online_url")
    return link


def _officers(
    officers: Sequence[Officer] | None, area: Area, author: Officer | None
) -> list[Officer]:
    chosen = list(dict.fromkeys(officers or ([author] if author is not None else [])))
    if not chosen:
        raise refused(_("Choose at least one officer taking part."), "officers")
    for officer in chosen:
        if not officer.is_active or not officer_may_hold(officer=officer, area=area):
            raise refused(
                _("%(name)s neither serves nor supervises %(area)s.")
                % {"name": officer.full_name, "area": area.name},
                "officers",
            )
    return chosen


def _author(actor: Actor, area: Area) -> Officer | None:
    """The officer writing (who must serve or supervise the area), or None for the system."""
    if actor is None:
        return None
    own = officer_of(actor)
    if own is None or not officer_may_hold(officer=own, area=area):
        raise refused(
            _("You can hold meetings only in the areas you serve or supervise."),
            "area",
            status=403,
        )
    return own


def _checked(
    *,
    area: Area | None,
    kind: Any,
    title: Any,
    starts_at: Any,
    ends_at: Any,
    lat: Any,
    lon: Any,
    address: Any,
    online_url: Any,
    description: Any,
    partners: Any,
    future: bool,
) -> dict[str, Any]:
    if area is None:
        raise refused(_("Choose the area of the meeting."), "area")
    if kind not in MeetingKind.values:
        raise refused(_("Choose the kind of meeting."), "kind")
    fields: dict[str, Any] = {
        "area": area,
        "kind": kind,
        "title": _text(title, "title", _("The title"), required=True),
    }
    fields["starts_at"], fields["ends_at"] = _times(starts_at, ends_at, area, future=future)
    fields["location"] = _point(lat, lon, area)
    fields["address"] = _text(address, "address", _("The address"))
    fields["online_url"] = _link(online_url)
    if not fields["address"] and not fields["online_url"]:
        raise refused(
            _(
                "Give the place (its address, and a point on the map if you like) or an online link."
            ),
            "address",
        )
    if fields["location"] is not None and not fields["address"]:
        raise refused(_("Give the address of the place marked on the map."), "address")
    fields["description"] = _text(description, "description", _("The description"))
    fields["partners"] = _text(partners, "partners", _("The partners"))
    return fields


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "status": meeting.status,
        "sequence": meeting.sequence,
        "area": meeting.area.code,
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "location": [round(meeting.location.x, 6), round(meeting.location.y, 6)]
        if meeting.location
        else None,
        "address": meeting.address,
        "online_url": meeting.online_url,
        "partners": meeting.partners,
        "accepts_questions": meeting.accepts_questions,
        "officers": sorted(meeting.officers.values_list("pk", flat=True)) if meeting.pk else [],
    }


def _minutes_snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "status": meeting.status,
        "sequence": meeting.sequence,
        "attendance": meeting.attendance,
        "minutes_length": len(meeting.minutes),
        "decisions": meeting.decisions,
    }


def _attendance(value: Any) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value is not None and str(value).strip() else None
    except ValueError:
        number = None
    if number is None:
        raise refused(_("Give the number of residents present (0 if none came)."), "attendance")
    if not 0 <= number <= ATTENDANCE_MAX:
        raise refused(
            _("The number of residents present must be from 0 to %(max)d.")
            % {"max": ATTENDANCE_MAX},
            "attendance",
        )
    return number


# --- the lock and the moves ----------------------------------------------------------------


def _locked(meeting: Meeting, actor: Actor) -> Meeting:
    """The meeting locked for the rest of the transaction, after checking that nobody changed
    it since the caller read it (409) and that the actor manages it (403). Call inside
    `transaction.atomic()`."""
    locked = Meeting.objects.select_for_update().select_related("area").get(pk=meeting.pk)
    if locked.status != meeting.status or locked.sequence != meeting.sequence:
        raise meeting_moved_meanwhile(locked.status)
    if actor is not None and not officer_may_manage(officer=officer_of(actor), meeting=locked):
        raise refused(
            _("Only the meeting's officers and those serving or supervising its area can do this."),
            "status",
            status=403,
        )
    return locked


def _check_move(locked: Meeting, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS.get(locked.status, frozenset()):
        raise ApplicationError(
            _("A meeting that is “%(from)s” cannot become “%(to)s”.")
            % {"from": _label(locked.status), "to": _label(to)},
            {"from": locked.status, "to": to},
            status=409,
        )


def _copy_back(meeting: Meeting, locked: Meeting) -> Meeting:
    """The caller's object shows the change too (its status and sequence are what a next call
    will be checked against)."""
    for field in Meeting._meta.concrete_fields:
        setattr(meeting, field.attname, getattr(locked, field.attname))
    return meeting


def _save(locked: Meeting, changed: list[str]) -> None:
    locked.sequence += 1
    full_clean(locked)
    locked.save(update_fields=[*changed, "sequence", "updated_at"])


def _transition(meeting: Meeting, actor: Actor, to: str, note: str, **fields: Any) -> Meeting:
    """Move `meeting` to `to`: the one way a meeting's status changes (see the module's
    text). `meeting.status` and `meeting.sequence` are what the caller read."""
    with transaction.atomic():
        locked = _locked(meeting, actor)
        _check_move(locked, to)
        if to == S.HELD and locked.starts_at > timezone.now():
            raise refused(
                _("The meeting starts at %(time)s; it can be recorded as held once it has begun.")
                % {
                    "time": timezone.localtime(
                        locked.starts_at, country_zone(locked.area.country)
                    ).strftime("%Y-%m-%d %H:%M")
                },
                "status",
                status=409,
            )
        before = {"status": locked.status, "sequence": locked.sequence}
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        _save(locked, ["status", *fields])
        after: dict[str, Any] = {"status": to, "sequence": locked.sequence}
        if to == S.HELD:
            after.update(_minutes_snapshot(locked))
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=locked.pk,
            action=to,
            before=before,
            after=after,
            note=note,
        )
    return _copy_back(meeting, locked)


# --- the services --------------------------------------------------------------------------


def meeting_create(
    *,
    actor: Actor,
    area: Area | None,
    kind: str,
    title: str,
    starts_at: dt.datetime | str,
    ends_at: dt.datetime | str,
    lat: Any = None,
    lon: Any = None,
    address: str = "",
    online_url: str = "",
    description: str = "",
    officers: Sequence[Officer] | None = None,
    partners: str = "",
    accepts_questions: bool = True,
) -> Meeting:
    """A new planned meeting in `area`.

    Preconditions: the actor serves the area (a community or service area) or supervises it
    (without an actor, the system — the demo, an import — names the `officers` and may record
    a meeting of the past); the kind is one of MeetingKind; it starts in the future, ends after
    it starts, lasts at most 12 hours and starts at most two years ahead; the place is an address (with an optional point
    inside the area) or an https link, or both; each officer taking part (default: the
    author) serves or supervises the area; the texts are plain and within their limits.
    Effects: the meeting (planned, sequence 0) and an audit event "created"."""
    if area is None:
        raise refused(_("Choose the area of the meeting."), "area")
    author = _author(actor, area)
    fields = _checked(
        area=area,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        lat=lat,
        lon=lon,
        address=address,
        online_url=online_url,
        description=description,
        partners=partners,
        future=actor is not None,
    )
    chosen = _officers(officers, fields["area"], author)
    with transaction.atomic():
        meeting = Meeting(
            **fields,
            accepts_questions=bool(accepts_questions),
            status=S.PLANNED,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,  # type: ignore[misc]
        )
        full_clean(meeting)
        meeting.save()
        meeting.officers.set(chosen)
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=meeting.pk,
            action="created",
            after=_snapshot(meeting),
        )
    return meeting


def meeting_update(
    *,
    actor: Actor,
    meeting: Meeting,
    area: Area | None,
    kind: str,
    title: str,
    starts_at: dt.datetime | str,
    ends_at: dt.datetime | str,
    lat: Any = None,
    lon: Any = None,
    address: str = "",
    online_url: str = "",
    description: str = "",
    officers: Sequence[Officer] | None = None,
    partners: str = "",
    accepts_questions: bool = True,
) -> Meeting:
    """Change a planned meeting: every field as `meeting_create` checks it (a new area must be
    one the actor holds meetings in; the officers default to those taking part now).

    Preconditions: the meeting is planned and unchanged since the caller read it (else 409);
    the actor manages it. Effects: the fields saved, `sequence` one more; an audit event
    "changed" with before and after."""
    if actor is not None and area is not None and area.pk != meeting.area_id:
        _author(actor, area)
    fields = _checked(
        area=area,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        lat=lat,
        lon=lon,
        address=address,
        online_url=online_url,
        description=description,
        partners=partners,
        future=actor is not None,
    )
    with transaction.atomic():
        locked = _locked(meeting, actor)
        if locked.status != S.PLANNED:
            raise refused(
                _("Only a planned meeting can be changed; this one is “%(status)s”.")
                % {"status": _label(locked.status)},
                "status",
                status=409,
            )
        chosen = _officers(
            officers if officers else list(locked.officers.all()), fields["area"], None
        )
        before = _snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.accepts_questions = bool(accepts_questions)
        _save(locked, [*fields, "accepts_questions"])
        locked.officers.set(chosen)
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=locked.pk,
            action="changed",
            before=before,
            after=_snapshot(locked),
        )
    return _copy_back(meeting, locked)


def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting, saying why: planned → cancelled.

    The meeting stays on the public pages and in the calendar feed (STATUS:CANCELLED) with
    its reason. Effects: `cancel_reason`, `sequence` one more; an audit event "cancelled"."""
    reason = text_value(
        reason,
        field="reason",
        label=_("The reason for cancelling"),
        max_length=TEXT_MAX["cancel_reason"],
        plain=True,
    )
    return _transition(meeting, actor, S.CANCELLED, reason, cancel_reason=reason)


def _minutes_fields(minutes: Any, attendance: Any, decisions: Any) -> dict[str, Any]:
    return {
        "minutes": _text(minutes, "minutes", _("The minutes")),
        "attendance": _attendance(attendance),
        "decisions": _text(decisions, "decisions", _("The decisions")),
    }


def meeting_hold(
    *, actor: Actor, meeting: Meeting, attendance: Any, minutes: str = "", decisions: str = ""
) -> Meeting:
    """Record a planned meeting as held, with its minutes: planned → held.

    Preconditions: the meeting has started; the attendance is a number from 0 to 100,000; the
    minutes and decisions are plain text within their limits. Effects: the minutes,
    attendance and decisions saved, `sequence` one more; an audit event "held"."""
    fields = _minutes_fields(minutes, attendance, decisions)
    return _transition(meeting, actor, S.HELD, "", **fields)


def meeting_minutes_update(
    *, actor: Actor, meeting: Meeting, attendance: Any, minutes: str = "", decisions: str = ""
) -> Meeting:
    """Correct the minutes, attendance and decisions of a held meeting.

    Preconditions: the meeting is held and unchanged since the caller read it; the actor
    manages it. Effects: the fields saved, `sequence` one more; an audit event
    "minutes_changed" with before and after."""
    fields = _minutes_fields(minutes, attendance, decisions)
    with transaction.atomic():
        locked = _locked(meeting, actor)
        if locked.status != S.HELD:
            raise refused(
                _("Only a held meeting has minutes to correct; this one is “%(status)s”.")
                % {"status": _label(locked.status)},
                "status",
                status=409,
            )
        before = _minutes_snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        _save(locked, list(fields))
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=locked.pk,
            action="minutes_changed",
            before=before,
            after=_minutes_snapshot(locked),
        )
    return _copy_back(meeting, locked)
