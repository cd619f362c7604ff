"""A small world for the diagnosis tests: a region (population 300,000) with two communities
(100,000 and 200,000), figures and events placed in known months."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.utils import timezone

from blisko.core.geo import GEO_SRID
from blisko.core.roles import ANALYST
from blisko.diagnosis.models import Incident, IncidentCategory, Statistic, StatisticCategory
from blisko.officers.tests.factories import AreaFactory
from blisko.reports.models import Category
from blisko.reports.tests.factories import ReportFactory
from blisko.territories.models import Area, Level


@dataclass
class World:
    region: Area
    area: Area
    other: Area


def world(*, populations: bool = True) -> World:
    region = AreaFactory(
        level=Level.REGION, boundary=None, population=300_000 if populations else None
    )
    area = AreaFactory(
        parent=region, centre=(24.0, 48.2), size=0.05, population=100_000 if populations else None
    )
    other = AreaFactory(
        parent=region, centre=(24.1, 48.2), size=0.05, population=200_000 if populations else None
    )
    return World(region, area, other)


def figure(area: Area, month: str, code: str, count: int) -> Statistic:
    year, number = month.split("-")
    return Statistic.objects.create(
        area=area,
        period=dt.date(int(year), int(number), 1),
        category=StatisticCategory.objects.get(code=code),
        count=count,
    )


_KEY = [0]


def incident(area: Area, when: dt.datetime, code: str, lon: float, lat: float) -> Incident:
    _KEY[0] += 1
    return Incident.objects.create(
        category=IncidentCategory.objects.get(code=code),
        occurred_at=when,
        location=Point(lon, lat, srid=GEO_SRID),
        area=area,
        key=f"test-{_KEY[0]}",
    )


def report(area: Area, when: dt.datetime, code: str, lon: float, lat: float, **kw: Any) -> Any:
    return ReportFactory(
        area=area,
        category=Category.objects.get(code=code),
        location=Point(lon, lat, srid=GEO_SRID),
        created_at=when,
        **kw,
    )


def moment(month: str, day: int = 10) -> dt.datetime:
    year, number = month.split("-")
    return timezone.make_aware(dt.datetime(int(year), int(number), day, 12, 0))


def analyst(username: str = "analyst") -> Any:
    user = get_user_model().objects.create_user(username=username, password="analyst-pass-4821")
    user.groups.add(Group.objects.get(name=ANALYST))
    return user
