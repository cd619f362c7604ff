"""The demo's police directory: units, officers and their assignments for every demo area
(a few communities left uncovered on purpose), seeded so every load is the same.

Why one module of over 400 lines: one seeded generator of the demo's police directory; its
steps share the random state, so that every load is the same.
"""

import datetime as dt
import hashlib
import random
import re
from collections.abc import Callable
from typing import Any

import shapely
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.utils import timezone

from blisko.core.geo import GEO_SRID
from blisko.core.roles import ADMINISTRATOR
from blisko.demo.data import (
    BIOS,
    BOUNDARIES_VALID_FROM,
    DEMO_ACCOUNTS,
    KONIN_BEATS,
    KONIN_GMINA,
    PL_FIRST,
    PL_LAST,
    PL_STATIONS,
    PL_STREETS,
    RANKS,
    REGION_HQ,
    SEED,
    UA_FIRST,
    UA_LAST,
    UA_STREETS,
    VINNYTSIA_OBLAST,
)
from blisko.officers.models import Assignment, CoverReason, Officer, Role, Unit
from blisko.officers.services.assignments import assignment_create
from blisko.officers.services.officers import officer_save
from blisko.officers.services.units import unit_save
from blisko.territories.models import Area, Country, Level, Place, PlaceKind
from blisko.territories.services.areas import area_save

# Communities left without an officer, so the coverage page has something to show: about
# one in ten Ukrainian hromadas (chosen by a hash of the code, so always the same ones) and
# two gminas of powiat koniński.
_UNCOVERED_SHARE = 10


_UNCOVERED_GMINAS = {"3010062", "3010132"}


# Always covered: the cities residents try first.
_ALWAYS_COVERED = {"UA05020030000031457", "UA12020010000033698", KONIN_GMINA}


def _stable_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _point_on(area: Area) -> Point:
    geometry = shapely.from_wkb(bytes(area.boundary.wkb))
    point = shapely.point_on_surface(geometry)
    return Point(round(point.x, 6), round(point.y, 6), srid=GEO_SRID)


def _neuter(adjective: str) -> str:
    """Вінницький → Вінницьке (a raion's adjective, for "… районне управління поліції")."""
    return re.sub(r"ий$", "е", adjective)


def _quadrants(boundary: MultiPolygon) -> dict[str, MultiPolygon]:
    """Split a polygon into four valid parts by the quadrants around its centroid."""
    geometry = shapely.from_wkb(bytes(boundary.wkb))
    minx, miny, maxx, maxy = geometry.bounds
    centre = geometry.centroid
    boxes = {
        "nw": shapely.box(minx - 1, centre.y, centre.x, maxy + 1),
        "ne": shapely.box(centre.x, centre.y, maxx + 1, maxy + 1),
        "sw": shapely.box(minx - 1, miny - 1, centre.x, centre.y),
        "se": shapely.box(centre.x, miny - 1, maxx + 1, centre.y),
    }
    parts = {}
    for name, box in boxes.items():
        piece = shapely.make_valid(shapely.intersection(geometry, box))
        polygons = [g for g in shapely.get_parts(piece) if g.geom_type == "Polygon" and g.area > 0]
        multi = shapely.MultiPolygon(polygons)
        geos = GEOSGeometry(memoryview(shapely.to_wkb(multi)), srid=GEO_SRID)
        parts[name] = geos
    return parts


class DirectoryGenerator:
    """Makes the demo's units, people and assignments; call `run()` inside a transaction."""

    def __init__(self, log: Callable[[str], None]):
        self.log = log
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.badges: set[str] = set(Officer.objects.values_list("badge_number", flat=True))
        self.emails: set[str] = set()
        self.hq: dict[int, Unit] = {}  # region id → unit
        self.stations: dict[int, Unit] = {}  # district id → unit
        self.officers: dict[str, Officer] = {}  # role key → officer, for the demo accounts

    # --- small generators -------------------------------------------------------------

    def digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    def phone(self, prefix: str) -> str:
        """A landline under `prefix` ("+380 432", "+48 63"): nine national digits in all."""
        area_code = prefix.split(" ", 1)[1]
        number = self.digits(9 - len(area_code))
        return f"{prefix} {number[:-4]} {number[-4:-2]} {number[-2:]}"

    def mobile(self, country: str) -> str:
        if country == Country.UKRAINE:
            operator = self.rng.choice(["67", "50", "63", "97"])
            return f"+380 {operator} {self.digits(3)} {self.digits(2)} {self.digits(2)}"
        operator = self.rng.choice(["50", "51", "53", "60", "66", "69", "72", "78", "79", "88"])
        return f"+48 {operator}{self.digits(1)} {self.digits(3)} {self.digits(3)}"

    def badge(self, country: str) -> str:
        while True:
            badge = self.digits(7) if country == Country.UKRAINE else f"PL{self.digits(6)}"
            if badge not in self.badges:
                self.badges.add(badge)
                return badge

    def email(self, local: str, domain: str) -> str:
        local = re.sub(r"[^a-z0-9.]+", "", local.lower()) or "area"
        candidate, n = f"{local}@{domain}", 2
        while candidate in self.emails:
            candidate, n = f"{local}{n}@{domain}", n + 1
        self.emails.add(candidate)
        return candidate

    def starts_on(self) -> dt.date:
        day = dt.date(2021, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 4 * 365))
        return min(day, self.today - dt.timedelta(days=30))

    # --- steps ------------------------------------------------------------------------

    def run(self) -> None:
        self.units()
        self.konin_beats()
        self.people()
        self.area_contacts()
        self.accounts()

    def units(self) -> None:
        regions = Area.objects.filter(level=Level.REGION, valid_to__isnull=True).order_by("code")
        for region in regions:
            if region.code not in REGION_HQ:
                continue
            name, city, (lon, lat), prefix, domain = REGION_HQ[region.code]
            self.hq[region.pk] = self.unit(
                area=region,
                name=name,
                city=city,
                location=Point(lon, lat, srid=GEO_SRID),
                prefix=prefix,
                email=f"{'info' if region.country == Country.UKRAINE else 'kancelaria'}@{domain}",
                parent=None,
            )
        districts = Area.objects.filter(
            level=Level.DISTRICT, valid_to__isnull=True, parent__in=list(self.hq)
        ).order_by("code")
        for district in districts:
            _name, _city, _where, prefix, domain = REGION_HQ[district.parent.code]
            if district.country == Country.POLAND:
                if district.code not in PL_STATIONS:
                    continue
                name, city, (lon, lat), local = PL_STATIONS[district.code]
                location, prefix = Point(lon, lat, srid=GEO_SRID), "+48 63"
            else:
                seat = self.seat(district)
                adjective = (district.name_uk or district.name_official).split(" район")[0]
                name = f"{_neuter(adjective)} районне управління поліції"
                city = f"м. {seat.name}" if seat is not None else ""
                location = _point_on(seat.area if seat is not None else district)
                local = f"{(district.name_en or district.code).split(' ')[0]}.rup"
            self.stations[district.pk] = self.unit(
                area=district,
                name=name,
                city=city,
                location=location,
                prefix=prefix,
                email=self.email(local, domain),
                parent=self.hq[district.parent_id],
            )
        self.log(f"{len(self.hq)} regional headquarters, {len(self.stations)} stations")

    def seat(self, district: Area) -> Place | None:
        """The raion's seat: the city whose name starts like the raion's adjective."""
        cities = list(
            Place.objects.filter(kind=PlaceKind.CITY, area__parent=district)
            .select_related("area")
            .order_by("name")
        )
        adjective = district.name_uk or district.name_official
        for city in cities:
            if adjective[:3] == city.name[:3]:
                return city
        return cities[0] if cities else None

    def unit(
        self,
        *,
        area: Area,
        name: str,
        city: str,
        location: Point,
        prefix: str,
        email: str,
        parent: Unit | None,
    ) -> Unit:
        ukrainian = area.country == Country.UKRAINE
        street = self.rng.choice(UA_STREETS if ukrainian else PL_STREETS)
        number = self.rng.randrange(1, 120)
        address = f"{street}, {number}" if ukrainian else f"{street} {number}"
        unit = Unit(
            country=area.country,
            name=name,
            address=f"{address}, {city}" if city else address,
            location=location,
            phone=self.phone(prefix),
            duty_phone="102" if ukrainian else "112",
            email=email,
            opening_hours=(
                "Пн–Пт 9:00–18:00; чергова частина — цілодобово"
                if ukrainian
                else "pon.–pt. 7:30–15:30; dyżurny — całodobowo"
            ),
            parent=parent,
            area=area,
        )
        return unit_save(unit=unit, actor=None)

    def konin_beats(self) -> None:
        gmina = Area.objects.filter(code=KONIN_GMINA).first()
        if gmina is None or gmina.boundary is None:
            self.log("Gmina Konin is not imported: no service areas.")
            return
        parts = _quadrants(gmina.boundary)
        for number, (quadrant, pl, uk, en) in enumerate(KONIN_BEATS, start=1):
            code = f"{KONIN_GMINA}-{number:02d}"
            if Area.objects.filter(code=code).exists():
                continue
            area_save(
                area=Area(
                    country=Country.POLAND,
                    level=Level.SERVICE_AREA,
                    code=code,
                    name_official=f"Konin — rejon {number} ({pl})",
                    name_pl=f"Konin — rejon {number} ({pl})",
                    name_uk=f"Конін — дільниця {number} ({uk})",
                    name_en=f"Konin — beat {number} ({en})",
                    parent=gmina,
                    boundary=parts[quadrant],
                    valid_from=BOUNDARIES_VALID_FROM,
                ),
                actor=None,
                boundary_valid_from=BOUNDARIES_VALID_FROM,
            )
        self.log(f"Gmina Konin split into {len(KONIN_BEATS)} service areas")

    def person(self, *, country: str, role: str, unit: Unit) -> Officer:
        sex = self.rng.choice("mf")
        if country == Country.UKRAINE:
            first = self.rng.choice(UA_FIRST[sex])
            last = self.rng.choice(UA_LAST)
        else:
            first = self.rng.choice(PL_FIRST[sex])
            last = self.rng.choice(PL_LAST)[0 if sex == "m" else 1]
        year = self.rng.randrange(2016, 2024)
        officer = Officer(
            first_name=first,
            last_name=last,
            rank=self.rng.choice(RANKS[(country, role)]),
            badge_number=self.badge(country),
            bio=BIOS[(country, role)].format(year=year),
            unit=unit,
            is_active=True,
        )
        return officer_save(officer=officer, actor=None)

    def assign(self, officer: Officer, area: Area, role: str, **kwargs: Any) -> Assignment:
        return assignment_create(
            actor=None,
            officer=officer,
            area=area,
            role=role,
            starts_on=kwargs.pop("starts_on", None) or self.starts_on(),
            **kwargs,
        )

    def station_of(self, area: Area) -> Unit | None:
        node: Area | None = area
        while node is not None:
            if node.pk in self.stations:
                return self.stations[node.pk]
            if node.pk in self.hq:
                return self.hq[node.pk]
            node = node.parent
        return None

    def people(self) -> None:
        # Supervisors: one per region, at the regional headquarters.
        for region_id, hq in self.hq.items():
            region = Area.objects.get(pk=region_id)
            officer = self.person(country=region.country, role=Role.SUPERVISOR, unit=hq)
            self.assign(officer, region, Role.SUPERVISOR, starts_on=dt.date(2021, 1, 1))
            self.officers[f"supervisor:{region.code}"] = officer

        # Ukrainian hromadas: a community police officer for about nine in ten.
        covered = uncovered = 0
        hromadas = Area.objects.filter(
            country=Country.UKRAINE, level=Level.COMMUNITY, valid_to__isnull=True
        ).order_by("code")
        for hromada in hromadas:
            unit = self.station_of(hromada)
            if unit is None:
                continue
            if (
                hromada.code not in _ALWAYS_COVERED
                and _stable_hash(hromada.code) % _UNCOVERED_SHARE == 0
            ):
                uncovered += 1
                continue
            officer = self.person(country=Country.UKRAINE, role=Role.COMMUNITY_OFFICER, unit=unit)
            self.assign(officer, hromada, Role.COMMUNITY_OFFICER)
            covered += 1
        self.log(f"Ukraine: {covered} hromadas with an officer, {uncovered} without")

        # Powiat koniński: a dzielnicowy for most gminas.
        gminas = (
            Area.objects.filter(
                country=Country.POLAND, level=Level.COMMUNITY, valid_to__isnull=True
            )
            .exclude(code=KONIN_GMINA)
            .order_by("code")
        )
        for gmina in gminas:
            unit = self.station_of(gmina)
            if unit is None or gmina.code in _UNCOVERED_GMINAS:
                continue
            officer = self.person(country=Country.POLAND, role=Role.DISTRICT_OFFICER, unit=unit)
            self.assign(officer, gmina, Role.DISTRICT_OFFICER)

        # Konin: a dzielnicowy per service area, two traffic officers shared by the four.
        beats = list(
            Area.objects.filter(parent__code=KONIN_GMINA, level=Level.SERVICE_AREA).order_by("code")
        )
        kmp = self.station_of(beats[0]) if beats else None
        if not beats or kmp is None:
            return
        district_officers = []
        for beat in beats:
            officer = self.person(country=Country.POLAND, role=Role.DISTRICT_OFFICER, unit=kmp)
            district_officers.append(self.assign(officer, beat, Role.DISTRICT_OFFICER))
        self.officers["konin"] = district_officers[0].officer
        traffic = [
            self.person(country=Country.POLAND, role=Role.TRAFFIC_OFFICER, unit=kmp)
            for _ in range(2)
        ]
        for index, beat in enumerate(beats):
            self.assign(traffic[index * len(traffic) // len(beats)], beat, Role.TRAFFIC_OFFICER)
        # One dzielnicowy is on sick leave, covered by a colleague: the card shows both.
        if len(district_officers) >= 3:
            absent, colleague = district_officers[-1], district_officers[-2].officer
            self.assign(
                colleague,
                absent.area,
                Role.DISTRICT_OFFICER,
                starts_on=max(absent.starts_on, self.today - dt.timedelta(days=3)),
                ends_on=self.today + dt.timedelta(days=11),
                covers=absent,
                cover_reason=CoverReason.SICK,
            )
        self.log(f"Konin: {len(beats)} dzielnicowi, {len(traffic)} traffic officers")

    def area_contacts(self) -> None:
        areas = Area.objects.filter(
            level__in=[Level.COMMUNITY, Level.SERVICE_AREA], valid_to__isnull=True
        ).order_by("code")
        domains = {code: hq[4] for code, hq in REGION_HQ.items()}
        for area in areas:
            if area.contact_phone and area.contact_email:
                continue
            region = next((a for a in area.ancestors() if a.level == Level.REGION), None)
            domain = domains.get(region.code if region else "", "police.example")
            slug = (area.name_en or area.code).split(" ")[0]
            if area.level == Level.SERVICE_AREA:
                slug = f"{slug}.{area.code.rsplit('-', 1)[-1]}"
            prefix = "pog" if area.country == Country.UKRAINE else "dzielnicowy"
            area.contact_phone = area.contact_phone or self.mobile(area.country)
            area.contact_email = area.contact_email or self.email(f"{prefix}.{slug}", domain)
            area_save(area=area, actor=None)

    def accounts(self) -> None:
        roles = [role for _username, _password, role in DEMO_ACCOUNTS]
        groups = {g.name: g for g in Group.objects.filter(name__in=roles)}
        links = {
            "supervisor_vinnytsia": self.officers.get(f"supervisor:{VINNYTSIA_OBLAST}"),
            "officer_konin": self.officers.get("konin"),
        }
        for username, password, role in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    is_staff=True,
                    is_superuser=role == ADMINISTRATOR,
                )
            user.groups.add(groups[role])
            officer = links.get(username)
            if officer is not None and officer.user_id is None:
                officer.user = user
                officer_save(officer=officer, actor=None)
