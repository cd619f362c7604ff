"""A small world for the presence tests: a Ukrainian region with two communities; an officer
serving the first (primary), a second officer covering for them there, a colleague serving
the second community; the region's supervisor and a second supervisor of the same region
(never listed as a team member); a stranger serving a community of another region and that
region's supervisor. Every person has an account; assignments began a year ago."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from blisko.engagement.models import PresenceDay
from blisko.engagement.selectors.presence import month_add, month_start, officer_today
from blisko.engagement.services.presence import presence_record
from blisko.officers.models import Officer, Role
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    UnitFactory,
)
from blisko.territories.models import Area, Level

PASSWORD = "presence-pass-5817"


@dataclass
class Team:
    region: Area
    community: Area
    other_community: Area
    far_region: Area
    far_community: Area
    officer: Officer
    officer_user: Any
    cover: Officer
    cover_user: Any
    colleague: Officer
    colleague_user: Any
    supervisor: Officer
    supervisor_user: Any
    second_supervisor: Officer
    second_supervisor_user: Any
    stranger: Officer
    stranger_user: Any
    far_supervisor: Officer
    far_supervisor_user: Any


def user(username: str, officer: Officer | None = None, **extra: Any) -> Any:
    account = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if officer is not None:
        officer.user = account
        officer.save(update_fields=["user"])
    return account


def officer(last_name: str, *, country: str = "UA", **extra: Any) -> Officer:
    return OfficerFactory(
        first_name="Oleh", last_name=last_name, unit=UnitFactory(country=country), **extra
    )


def team(*, country: str = "UA") -> Team:
    region = AreaFactory(level=Level.REGION, boundary=None, country=country)
    community = AreaFactory(parent=region, centre=(24.0, 48.2), country=country)
    other_community = AreaFactory(parent=region, centre=(24.1, 48.2), country=country)
    far_region = AreaFactory(level=Level.REGION, boundary=None, country=country)
    far_community = AreaFactory(parent=far_region, centre=(24.3, 48.2), country=country)

    main = officer("Bondar", country=country)
    primary = AssignmentFactory(officer=main, area=community, role=Role.COMMUNITY_OFFICER)
    cover = officer("Chernenko", country=country)
    AssignmentFactory(
        officer=cover,
        area=community,
        role=Role.COMMUNITY_OFFICER,
        covers=primary,
        cover_reason="leave",
    )
    colleague = officer("Danylenko", country=country)
    AssignmentFactory(officer=colleague, area=other_community, role=Role.DISTRICT_OFFICER)
    supervisor = officer("Avramenko", country=country)
    AssignmentFactory(officer=supervisor, area=region, role=Role.SUPERVISOR)
    second = officer("Yatsenko", country=country)
    AssignmentFactory(officer=second, area=region, role=Role.SUPERVISOR)
    stranger = officer("Zhuk", country=country)
    AssignmentFactory(officer=stranger, area=far_community, role=Role.COMMUNITY_OFFICER)
    far_supervisor = officer("Fedorenko", country=country)
    AssignmentFactory(officer=far_supervisor, area=far_region, role=Role.SUPERVISOR)
    return Team(
        region=region,
        community=community,
        other_community=other_community,
        far_region=far_region,
        far_community=far_community,
        officer=main,
        officer_user=user("officer_a", main),
        cover=cover,
        cover_user=user("cover_a", cover),
        colleague=colleague,
        colleague_user=user("colleague_a", colleague),
        supervisor=supervisor,
        supervisor_user=user("supervisor_a", supervisor),
        second_supervisor=second,
        second_supervisor_user=user("supervisor_b", second),
        stranger=stranger,
        stranger_user=user("stranger", stranger),
        far_supervisor=far_supervisor,
        far_supervisor_user=user("far_supervisor", far_supervisor),
    )


def today(of: Officer) -> dt.date:
    return officer_today(of)


def last_month(of: Officer) -> dt.date:
    """The first day of the month before this one (on the officer's calendar)."""
    return month_add(month_start(today(of)), -1)


def record(
    of: Officer, day: dt.date, hours_in: Any, hours_out: Any = 0, reason: str = "", **kw: Any
) -> PresenceDay:
    """A day recorded by the system (no who-may rules but the day's own)."""
    return presence_record(
        actor=None,
        officer=of,
        day=day,
        hours_in=hours_in,
        hours_out=hours_out,
        reason_out=reason,
        **kw,
    )


def csv_bytes(
    rows: list[list[Any]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    header: list[str] | None = None,
) -> bytes:
    """A presence CSV: the header (date, badge_number, hours_in, hours_out, reason) and rows."""
    head = header or ["date", "badge_number", "hours_in", "hours_out", "reason"]
    lines = [delimiter.join(head)] + [delimiter.join(str(c) for c in row) for row in rows]
    text = "\n".join(lines) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def hours(value: str) -> Decimal:
    return Decimal(value)
