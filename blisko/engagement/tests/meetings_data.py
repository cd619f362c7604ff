"""A small world for the meetings' tests: a Ukrainian region with a community (and a service
area inside it) and a second community; an officer serving the first community, one serving the
second, and a supervisor of the region, each with an account; and a Polish gmina with its own
officer, for the other time zone."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from blisko.core.clock import country_zone
from blisko.engagement.models import Meeting, MeetingKind
from blisko.engagement.services.meetings import meeting_create
from blisko.officers.models import Officer, Role
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    ServiceAreaFactory,
)
from blisko.territories.models import Area, Country, Level

PASSWORD = "meetings-pass-5183"
CENTRE = (24.0, 48.2)
KONIN_LIKE = (18.25, 52.22)


@dataclass
class World:
    region: Area
    area: Area
    beat: Area
    other: Area
    polish: Area
    officer: Officer
    officer_user: Any
    other_officer: Officer
    other_user: Any
    supervisor: Officer
    supervisor_user: Any
    polish_officer: Officer
    polish_user: Any


def user(username: str, officer: Officer | None = None) -> Any:
    account = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if officer is not None:
        officer.user = account
        officer.save(update_fields=["user"])
    return account


def world() -> World:
    region = AreaFactory(level=Level.REGION, boundary=None)
    area = AreaFactory(parent=region, centre=CENTRE, size=0.05)
    beat = ServiceAreaFactory(parent=area, centre=CENTRE, size=0.004)
    other = AreaFactory(parent=region, centre=(24.1, 48.2), size=0.05)
    polish = AreaFactory(country=Country.POLAND, centre=KONIN_LIKE, size=0.05)
    officer = OfficerFactory()
    AssignmentFactory(officer=officer, area=area, role=Role.COMMUNITY_OFFICER)
    other_officer = OfficerFactory()
    AssignmentFactory(officer=other_officer, area=other, role=Role.COMMUNITY_OFFICER)
    supervisor = OfficerFactory()
    AssignmentFactory(officer=supervisor, area=region, role=Role.SUPERVISOR)
    polish_officer = OfficerFactory()
    AssignmentFactory(officer=polish_officer, area=polish, role=Role.DISTRICT_OFFICER)
    return World(
        region=region,
        area=area,
        beat=beat,
        other=other,
        polish=polish,
        officer=officer,
        officer_user=user("officer_a", officer),
        other_officer=other_officer,
        other_user=user("officer_b", other_officer),
        supervisor=supervisor,
        supervisor_user=user("supervisor_a", supervisor),
        polish_officer=polish_officer,
        polish_user=user("dzielnicowy", polish_officer),
    )


def local(area: Area, days: int = 1, hour: int = 18, minute: int = 0) -> dt.datetime:
    """A naive local time `days` from today in the area's zone."""
    today = timezone.now().astimezone(country_zone(area.country)).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute))


def values(w: World, **overrides: Any) -> dict[str, Any]:
    """What an officer writes for a residents' meeting tomorrow evening in their community."""
    area = overrides.get("area", w.area)
    data: dict[str, Any] = {
        "area": area,
        "kind": MeetingKind.RESIDENTS,
        "title": "Safety on the way to school",
        "starts_at": local(area, 1, 18),
        "ends_at": local(area, 1, 19, 30),
        "lat": CENTRE[1],
        "lon": CENTRE[0],
        "address": "Village hall, 12 Shevchenka St",
        "description": "The crossing near the school and the evening lighting.",
        "partners": "The school's head teacher",
    }
    data.update(overrides)
    return data


def planned(w: World, actor: Any = None, **overrides: Any) -> Meeting:
    """A meeting planned by the community's officer (or by `actor`)."""
    return meeting_create(actor=actor or w.officer_user, **values(w, **overrides))


def started(w: World, **overrides: Any) -> Meeting:
    """A planned meeting that began an hour ago (recorded by the system, as a meeting of the
    past can be)."""
    now = timezone.now()
    data = values(w, **overrides)
    data["starts_at"] = overrides.get("starts_at", now - dt.timedelta(hours=1))
    data["ends_at"] = overrides.get("ends_at", now + dt.timedelta(minutes=30))
    return meeting_create(actor=None, officers=[w.officer], **data)
