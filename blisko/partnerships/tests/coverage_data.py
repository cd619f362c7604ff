"""A small world for the coverage tests, with fixed dates (the day studied is 2024-06-15):

region R ─┬─ district D1 ─┬─ C1: officer O1 (primary from 2024-01-10) + memorandum M1 → both
          │               ├─ C2: only a cover assignment; M2 expired on 2024-04-30, M3 in force
          │               │      until terminated on 2024-08-01 → memorandum only
          │               ├─ C3: O2 primary at its service area S (2024-03-01 → 2024-06-30);
          │               │      M4 a draft → officer only
          │               └─ C6: ended on 2024-01-01 (O4 served it in the second half of 2023)
          └─ district D2 ─┬─ C4: O3 primary from 2024-05-15 + M1 → both
                          └─ C5: a traffic officer (not primary), M5 terminated on 2024-03-01
                                 → neither
region R2 ── C7 (no district): O5 primary from 2024-02-01

The supervisor of R and a traffic officer have assignments that are never primary. Everything
is in Ukraine, far from the demo's real boundaries (which carry no assignment). `current()`
adds what makes today look like 2024-06-15 on the map (for the pages' tests).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from blisko.officers.models import Officer, Role, Unit
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    ServiceAreaFactory,
    UnitFactory,
)
from blisko.partnerships.models import Memorandum, MemorandumArea, MemorandumStatus
from blisko.territories.models import Area, Level

PASSWORD = "coverage-pass-5183"
DAY = dt.date(2024, 6, 15)


@dataclass
class World:
    region: Area
    region2: Area
    d1: Area
    d2: Area
    c: dict[int, Area]  # 1..7
    service_area: Area
    officers: dict[int, Officer]  # 1..5, the primary ones
    unit: Unit
    memoranda: dict[int, Memorandum]


def memorandum(
    unit: Unit,
    areas: list[Area],
    *,
    status: str = MemorandumStatus.IN_FORCE,
    signed_on: dt.date | None,
    valid_until: dt.date | None = None,
    terminated_on: dt.date | None = None,
) -> Memorandum:
    m = Memorandum.objects.create(
        title=f"Memorandum {status} {signed_on}",
        unit=unit,
        status=status,
        signed_on=signed_on,
        valid_until=valid_until,
        terminated_on=terminated_on,
    )
    for area in areas:
        MemorandumArea.objects.create(
            memorandum=m, area=area, head_name="Ірина Head", head_office="Голова громади"
        )
    return m


def world(*, centre: tuple[float, float] = (24.0, 48.2)) -> World:
    lon, lat = centre
    region = AreaFactory(level=Level.REGION, boundary=None, name_en="Test oblast")
    region2 = AreaFactory(level=Level.REGION, boundary=None, name_en="Other oblast")
    d1 = AreaFactory(level=Level.DISTRICT, parent=region, boundary=None, name_en="Alpha raion")
    d2 = AreaFactory(level=Level.DISTRICT, parent=region, boundary=None, name_en="Beta raion")

    def community(n: int, parent: Area, **kw: Any) -> Area:
        return AreaFactory(
            parent=parent,
            centre=(lon + 0.02 * n, lat),
            size=0.018,
            name_en=f"Community {n}",
            **kw,
        )

    c = {
        1: community(1, d1),
        2: community(2, d1),
        3: community(3, d1),
        4: community(4, d2),
        5: community(5, d2),
        6: community(6, d1, valid_to=dt.date(2024, 1, 1)),
        7: community(7, region2),
    }
    service_area = ServiceAreaFactory(parent=c[3], centre=(lon + 0.06, lat))
    unit = UnitFactory()
    officers = {n: OfficerFactory(unit=unit) for n in range(1, 6)}
    AssignmentFactory(officer=officers[1], area=c[1], starts_on=dt.date(2024, 1, 10))
    AssignmentFactory(
        officer=officers[2],
        area=service_area,
        starts_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2024, 6, 30),
    )
    AssignmentFactory(officer=officers[3], area=c[4], starts_on=dt.date(2024, 5, 15))
    AssignmentFactory(
        officer=officers[4],
        area=c[6],
        role=Role.DISTRICT_OFFICER,
        starts_on=dt.date(2023, 6, 1),
        ends_on=dt.date(2023, 12, 31),
    )
    AssignmentFactory(officer=officers[5], area=c[7], starts_on=dt.date(2024, 2, 1))
    # Never primary: a cover (for O1, at C2), a traffic officer, a supervisor.
    first = officers[1].assignments.get()
    AssignmentFactory(area=c[2], covers=first, starts_on=dt.date(2024, 1, 10), cover_reason="leave")
    AssignmentFactory(area=c[5], role=Role.TRAFFIC_OFFICER, starts_on=dt.date(2024, 1, 1))
    AssignmentFactory(area=region, role=Role.SUPERVISOR, starts_on=dt.date(2023, 1, 1))

    memoranda = {
        1: memorandum(unit, [c[1], c[4]], signed_on=dt.date(2024, 2, 1)),
        2: memorandum(
            unit,
            [c[2]],
            status=MemorandumStatus.EXPIRED,
            signed_on=dt.date(2023, 1, 1),
            valid_until=dt.date(2024, 4, 30),
        ),
        3: memorandum(
            unit,
            [c[2]],
            status=MemorandumStatus.TERMINATED,
            signed_on=dt.date(2024, 1, 1),
            terminated_on=dt.date(2024, 8, 1),
        ),
        4: memorandum(unit, [c[3]], status=MemorandumStatus.DRAFT, signed_on=None),
        5: memorandum(
            unit,
            [c[5]],
            status=MemorandumStatus.TERMINATED,
            signed_on=dt.date(2024, 1, 1),
            terminated_on=dt.date(2024, 3, 1),
        ),
    }
    return World(region, region2, d1, d2, c, service_area, officers, unit, memoranda)


def current(w: World, today: dt.date) -> None:
    """Make `today` look like the studied day: C2 gets a memorandum in force, C3 an officer
    (the 2024 ones have ended by now)."""
    memorandum(w.unit, [w.c[2]], signed_on=today - dt.timedelta(days=60))
    AssignmentFactory(
        officer=OfficerFactory(unit=w.unit), area=w.c[3], starts_on=today - dt.timedelta(days=30)
    )


def user(username: str, *, officer: Officer | None = None, group: str | None = None) -> Any:
    account = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if officer is not None:
        officer.user = account
        officer.save(update_fields=["user"])
    if group is not None:
        account.groups.add(Group.objects.get(name=group))
    return account
