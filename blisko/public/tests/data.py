"""People and places the page tests find: made through the real services, as the back office
would make them (validated, audited, recorded in the directory)."""

import datetime as dt
from typing import Any

from django.contrib.gis.geos import MultiPolygon, Polygon

from blisko.core.geo import GEO_SRID, make_point
from blisko.officers.models import Assignment, Officer, Unit
from blisko.officers.services.assignments import assignment_create
from blisko.officers.services.officers import officer_save
from blisko.officers.services.units import unit_save
from blisko.territories.models import Area, Country, Level
from blisko.territories.services.areas import area_save

START = dt.date(2024, 1, 1)

# Official codes of the demo areas the tests use.
VINNYTSIA = "UA05020030000031457"
ZHMERYNKA = "UA05060050000058111"
KONIN = "3062011"


def unit_make(*, area: Area, name: str, lon: float, lat: float, **fields: Any) -> Unit:
    fields.setdefault("address", "вул. Соборна, 1")
    fields.setdefault("phone", "+380 43 255 00 00")
    fields.setdefault("opening_hours", "Пн–Пт 8:00–17:00")
    unit = Unit(country=area.country, name=name, area=area, location=make_point(lon, lat), **fields)
    return unit_save(unit=unit, actor=None)


def officer_make(
    *, unit: Unit, first_name: str, last_name: str, rank: str, badge: str, bio: str = ""
) -> Officer:
    officer = Officer(
        first_name=first_name,
        last_name=last_name,
        rank=rank,
        badge_number=badge,
        bio=bio,
        unit=unit,
    )
    return officer_save(officer=officer, actor=None)


def assign(*, officer: Officer, area: Area, role: str, **fields: Any) -> Assignment:
    fields.setdefault("starts_on", START)
    return assignment_create(actor=None, officer=officer, area=area, role=role, **fields)


def area_contact_set(*, area: Area, phone: str, email: str = "") -> Area:
    area.contact_phone = phone
    area.contact_email = email
    return area_save(area=area, actor=None)


def square(*, lon: float, lat: float, half: float) -> MultiPolygon:
    """A small square around (lon, lat), `half` degrees to each side."""
    ring = (
        (lon - half, lat - half),
        (lon + half, lat - half),
        (lon + half, lat + half),
        (lon - half, lat + half),
        (lon - half, lat - half),
    )
    return MultiPolygon(Polygon(ring), srid=GEO_SRID)


def service_area_make(*, community: Area, suffix: str, boundary: MultiPolygon, name: str) -> Area:
    area = Area(
        country=community.country,
        level=Level.SERVICE_AREA,
        code=f"{community.code}-{suffix}",
        name_official=name,
        name_pl=name if community.country == Country.POLAND else "",
        name_uk=name if community.country == Country.UKRAINE else "",
        name_en=name,
        parent=community,
        boundary=boundary,
        valid_from=START,
    )
    return area_save(area=area, actor=None, boundary_valid_from=START)
