"""Police users for the tests of the police pages: an officer of an area, a supervisor of a
region, each a login linked to an officer with an assignment active today."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from blisko.officers.models import Officer, Role, Unit
from blisko.officers.tests.factories import AreaFactory, AssignmentFactory, OfficerFactory
from blisko.territories.models import Area, Level

PASSWORD = "police-pass-4821"


def police_user(
    *,
    area: Area,
    role: str = Role.COMMUNITY_OFFICER,
    username: str | None = None,
    unit: Unit | None = None,
    **officer: Any,
) -> Any:
    """A user whose officer serves `area` in `role` since 2020, with no end (so frozen clocks
    in the past still find the assignment active)."""
    user = get_user_model().objects.create_user(
        username=username or f"officer{get_user_model().objects.count() + 1}",
        password=PASSWORD,
        email=f"{username or 'officer'}@police.example",
    )
    extra = {"unit": unit} if unit is not None else {}
    officer_row = OfficerFactory(user=user, **extra, **officer)
    AssignmentFactory(officer=officer_row, area=area, role=role, starts_on=dt.date(2020, 1, 1))
    return user


def officer_of(user: Any) -> Officer:
    return Officer.objects.get(user=user)


def region_with_communities(count: int = 2) -> tuple[Area, list[Area]]:
    """A region (no boundary of its own) with `count` square communities side by side."""
    region = AreaFactory(level=Level.REGION, boundary=None)
    communities = [
        AreaFactory(parent=region, centre=(24.0 + 0.05 * index, 48.2)) for index in range(count)
    ]
    return region, communities
