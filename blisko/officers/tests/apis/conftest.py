"""A small staff for the API tests: a unit in Vinnytsia, its officers and their assignments."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from blisko.officers.models import Assignment, Officer, Unit
from blisko.officers.services.assignments import assignment_create
from blisko.officers.services.officers import officer_save
from blisko.officers.services.units import unit_save
from blisko.territories.models import Area

VINNYTSIA_HROMADA = "UA05020030000031457"
VINNYTSIA_RAION = "UA05020000000026686"


@dataclass
class Staff:
    hromada: Area
    raion: Area
    unit: Unit
    officer: Officer
    traffic: Officer
    supervisor: Officer
    primary: Assignment


def make_unit(*, name: str, area: Area | None, lon: float, lat: float) -> Unit:
    return unit_save(
        unit=Unit(
            country=area.country if area else "UA",
            name=name,
            address="вул. Соборна, 1",
            location=Point(lon, lat, srid=4326),
            phone="+380 43 100 00 01",
            duty_phone="102",
            email="unit@example.org",
            opening_hours="Пн–Пт 8:00–17:00",
            area=area,
        ),
        actor=None,
    )


def make_officer(*, first: str, last: str, badge: str, unit: Unit, photo: str = "") -> Officer:
    officer = Officer(
        first_name=first,
        last_name=last,
        rank="капітан поліції",
        badge_number=badge,
        bio="Служить громаді з 2019 року.",
        unit=unit,
    )
    officer.photo.name = photo
    return officer_save(officer=officer, actor=None)


@pytest.fixture
def staff(db) -> Staff:
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    raion = Area.objects.get(code=VINNYTSIA_RAION)
    hromada.contact_phone = "+380 43 200 00 00"
    hromada.contact_email = "vinnytska@example.org"
    hromada.save(update_fields=["contact_phone", "contact_email"])
    unit = make_unit(name="Вінницький РУП", area=hromada, lon=28.47, lat=49.23)
    officer = make_officer(
        first="Олена", last="Коваль", badge="UA-0001", unit=unit, photo="officers/koval.jpg"
    )
    traffic = make_officer(first="Іван", last="Шевчук", badge="UA-0002", unit=unit)
    supervisor = make_officer(first="Петро", last="Бондар", badge="UA-0003", unit=unit)
    start = dt.date(2024, 1, 1)
    primary = assignment_create(
        actor=None, officer=officer, area=hromada, role="community_officer", starts_on=start
    )
    assignment_create(
        actor=None, officer=traffic, area=hromada, role="traffic_officer", starts_on=start
    )
    assignment_create(
        actor=None, officer=supervisor, area=raion, role="supervisor", starts_on=start
    )
    return Staff(hromada, raion, unit, officer, traffic, supervisor, primary)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()
