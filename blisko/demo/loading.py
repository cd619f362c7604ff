"""The demo: real boundaries from data/, generated people, loaded through the services.

`demo_load()` imports the boundary files and the KATOTTH codifier (or reuses them when they
are already in the database), splits gmina Konin into four service areas, and generates police
units, officers, assignments, area contacts and three demo accounts. Every person is made up
from small lists of common first and last names with a fixed random seed, so two fresh loads
give the same people. A database that already holds the demo is left as it is.
"""

import datetime as dt
import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import transaction
from django.utils import timezone

from blisko.core.geo import GEO_SRID
from blisko.core.roles import ADMINISTRATOR, OFFICER, SUPERVISOR, roles_sync
from blisko.officers.models import Assignment, CoverReason, Officer, Role, Unit
from blisko.officers.services.assignments import assignment_create
from blisko.officers.services.officers import officer_save
from blisko.officers.services.units import unit_save
from blisko.reports.models import Report
from blisko.territories.models import Area, Country, Level, Place, PlaceKind
from blisko.territories.services import (
    area_save,
    places_import_katotth,
    places_sync_areas,
    territory_import,
)

DATA_DIR = Path(settings.BASE_DIR) / "data"
BOUNDARY_FILES = [
    DATA_DIR / "ua" / "oblasti_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "ua" / "rayony_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "ua" / "hromady_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "pl" / "wojewodztwo_wielkopolskie_prg.geojson",
    DATA_DIR / "pl" / "konin_powiat_and_city_prg.geojson",
]
CODIFIER_FILE = DATA_DIR / "ua" / "katotth_vinnytsia_dnipropetrovsk_2025-07-02.csv"
# Ukraine's hromadas and raions in these files date from the reform of 17 July 2020.
BOUNDARIES_VALID_FROM = dt.date(2020, 7, 17)
# One code from each boundary file: when all are present the territories are reused.
SENTINEL_CODES = ["UA05000000000010236", "UA05020000000026686", "UA05020030000031457", "30"]
SENTINEL_CODES += ["3062011"]

KONIN_GMINA = "3062011"
KONIN_POWIAT = "3062"
VINNYTSIA_OBLAST = "UA05000000000010236"
SEED = 20250702

# Threat-map reports the demo generates (issue: about 5,000 over the last 12 months).
DEMO_REPORTS = 5000

# Demo-only passwords, printed at the end of every run; the demo serves on 127.0.0.1.
DEMO_ACCOUNTS = [
    ("admin", "blisko-admin", ADMINISTRATOR),
    ("supervisor_vinnytsia", "blisko-supervisor", SUPERVISOR),
    ("officer_konin", "blisko-officer", OFFICER),
]

# Communities left without an officer, so the coverage page has something to show: about
# one in ten Ukrainian hromadas (chosen by a hash of the code, so always the same ones) and
# two gminas of powiat koniński.
_UNCOVERED_SHARE = 10
_UNCOVERED_GMINAS = {"3010062", "3010132"}
# Always covered: the cities residents try first.
_ALWAYS_COVERED = {"UA05020030000031457", "UA12020010000033698", KONIN_GMINA}

# --- names --------------------------------------------------------------------------------

_UA_FIRST = {
    "m": ["Олександр", "Андрій", "Сергій", "Дмитро", "Іван", "Максим", "Богдан", "Тарас"],
    "f": ["Олена", "Наталія", "Ірина", "Оксана", "Тетяна", "Юлія", "Світлана", "Марія"],
}
# Surnames that are the same for women and men.
_UA_LAST = [
    "Шевченко",
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Кравченко",
    "Олійник",
    "Шевчук",
    "Поліщук",
    "Бойко",
    "Ковальчук",
    "Савченко",
    "Руденко",
    "Мельник",
    "Лисенко",
    "Марченко",
    "Петренко",
    "Клименко",
    "Мороз",
]
_PL_FIRST = {
    "m": ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Łukasz", "Jakub"],
    "f": ["Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Ewa", "Karolina"],
}
_PL_LAST = [  # (for a man, for a woman)
    ("Nowak", "Nowak"),
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Mazur", "Mazur"),
    ("Jankowski", "Jankowska"),
]
_RANKS = {
    (Country.UKRAINE, Role.COMMUNITY_OFFICER): [
        "старший лейтенант поліції",
        "капітан поліції",
        "лейтенант поліції",
        "майор поліції",
    ],
    (Country.UKRAINE, Role.SUPERVISOR): ["підполковник поліції", "полковник поліції"],
    (Country.POLAND, Role.DISTRICT_OFFICER): [
        "sierżant sztabowy",
        "aspirant",
        "młodszy aspirant",
        "starszy aspirant",
    ],
    (Country.POLAND, Role.TRAFFIC_OFFICER): ["sierżant", "starszy sierżant", "sierżant sztabowy"],
    (Country.POLAND, Role.SUPERVISOR): ["podinspektor", "młodszy inspektor"],
}
_BIOS = {
    (Country.UKRAINE, Role.COMMUNITY_OFFICER): (
        "Поліцейський офіцер громади з {year} року. Приймає мешканців у поліцейській станції "
        "громади; звертайтеся з будь-яким питанням безпеки."
    ),
    (Country.UKRAINE, Role.SUPERVISOR): (
        "Керує роботою поліцейських офіцерів громад області з {year} року."
    ),
    (Country.POLAND, Role.DISTRICT_OFFICER): (
        "Dzielnicowy od {year} roku. Przyjmuje mieszkańców w siedzibie komendy; zgłoszenia "
        "także przez Krajową Mapę Zagrożeń Bezpieczeństwa."
    ),
    (Country.POLAND, Role.TRAFFIC_OFFICER): "Policjant ruchu drogowego od {year} roku.",
    (Country.POLAND, Role.SUPERVISOR): "Nadzoruje pracę dzielnicowych od {year} roku.",
}
_UA_STREETS = [
    "вул. Соборна",
    "вул. Незалежності",
    "вул. Шевченка",
    "вул. Грушевського",
    "вул. Героїв Майдану",
    "просп. Миру",
    "вул. Київська",
    "вул. Центральна",
]
_PL_STREETS = ["ul. Kolejowa", "ul. 3 Maja", "ul. Kościuszki", "ul. Mickiewicza", "ul. Polna"]

# Regional headquarters: name, city, (lon, lat) of the city, landline prefix, e-mail domain.
_REGION_HQ = {
    "UA05000000000010236": (
        "Головне управління Національної поліції у Вінницькій області",
        "м. Вінниця",
        (28.4682, 49.2331),
        "+380 432",
        "vn.police.example",
    ),
    "UA12000000000090473": (
        "Головне управління Національної поліції в Дніпропетровській області",
        "м. Дніпро",
        (35.0462, 48.4647),
        "+380 56",
        "dp.police.example",
    ),
    "30": (
        "Komenda Wojewódzka Policji w Poznaniu",
        "60-844 Poznań",
        (16.9252, 52.4064),
        "+48 61",
        "wlkp.policja.example",
    ),
}
# Polish stations have fixed names (Polish place names decline); Ukrainian ones are built.
_PL_STATIONS = {  # name, city, (lon, lat), e-mail's local part
    "3062": ("Komenda Miejska Policji w Koninie", "62-510 Konin", (18.2513, 52.2230), "kmp.konin"),
    "3010": ("Komisariat Policji w Kleczewie", "62-540 Kleczew", (18.1777, 52.3687), "kp.kleczew"),
}
_KONIN_BEATS = [  # quadrant around the gmina's centroid, then the names pl / uk / en
    ("nw", "Śródmieście", "Середмістя", "City Centre"),
    ("ne", "Gosławice", "Гославіце", "Gosławice"),
    ("sw", "Stare Miasto", "Старе Місто", "Old Town"),
    ("se", "Morzysław", "Можислав", "Morzysław"),
]


@dataclass
class DemoResult:
    created: bool
    accounts: list[tuple[str, str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    # The Open311 API key of the demo (settings.BLISKO_DEMO_OPEN311_KEY), "" when none.
    open311_key: str = ""


def demo_exists() -> bool:
    """Whether the demo's people are already in the database."""
    return Area.objects.filter(code=f"{KONIN_GMINA}-01").exists() and User.objects.filter(
        username__in=[a[0] for a in DEMO_ACCOUNTS]
    ).count() == len(DEMO_ACCOUNTS)


def demo_counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "places": Place.objects.count(),
        "units": Unit.objects.count(),
        "officers": Officer.objects.count(),
        "assignments": Assignment.objects.count(),
        "reports": Report.objects.count(),
    }


def demo_load(*, log: Callable[[str], None] = lambda line: None) -> DemoResult:
    """Load the demo into the database, or keep the one already there.

    Territories are imported from data/ unless every sentinel code is present already (a
    database where `territories_import` ran, or the test database). The people, units and
    accounts are created in one transaction, all through the services. Idempotent: a second
    run finds the demo (`demo_exists`) and writes nothing.
    """
    roles_sync()
    open311_key = _open311_key_ensure()
    if demo_exists():
        _reports_ensure(log)
        log("The demo is already loaded: nothing changed.")
        return DemoResult(
            created=False,
            accounts=DEMO_ACCOUNTS,
            counts=demo_counts(),
            open311_key=open311_key,
        )
    _territories_ensure(log)
    with transaction.atomic():
        _Generator(log).run()
    places_sync_areas()
    _reports_ensure(log)
    return DemoResult(
        created=True, accounts=DEMO_ACCOUNTS, counts=demo_counts(), open311_key=open311_key
    )


def _reports_ensure(log: Callable[[str], None]) -> None:
    """Generate the demo's threat-map reports once (none are made when some exist)."""
    from blisko.demo.reports import reports_demo_generate
    from blisko.reports.models import Report
    from blisko.territories.index import index_rebuild

    if Report.objects.exists():
        return
    index_rebuild()  # the beats just drawn must be in the index the reports are routed with
    result = reports_demo_generate(count=DEMO_REPORTS)
    log(f"{result.imported} demo reports generated and routed in {result.seconds:.1f} s.")


def _open311_key_ensure() -> str:
    """The demo's Open311 API key (created when absent), or "" when the setting is empty."""
    from blisko.reports.services.open311_keys import open311_key_ensure_demo

    ensured = open311_key_ensure_demo()
    return ensured[1] if ensured else ""


def _territories_ensure(log: Callable[[str], None]) -> None:
    present = Area.objects.filter(code__in=SENTINEL_CODES).count() == len(SENTINEL_CODES)
    if present and Place.objects.filter(kind=PlaceKind.VILLAGE).exists():
        log("Territories are already imported: reusing them.")
        return
    for path in BOUNDARY_FILES:
        result = territory_import(path=path, valid_from=BOUNDARIES_VALID_FROM, commit=True)
        log(
            f"{path.name}: {len(result.created)} new, {len(result.changed)} changed, "
            f"{len(result.unchanged)} unchanged"
        )
        for line in result.repaired:
            log(f"  repaired: {line}")
    places = places_import_katotth(path=CODIFIER_FILE, commit=True)
    log(f"{CODIFIER_FILE.name}: {len(places.created)} new places")


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


class _Generator:
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
            if region.code not in _REGION_HQ:
                continue
            name, city, (lon, lat), prefix, domain = _REGION_HQ[region.code]
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
            _name, _city, _where, prefix, domain = _REGION_HQ[district.parent.code]
            if district.country == Country.POLAND:
                if district.code not in _PL_STATIONS:
                    continue
                name, city, (lon, lat), local = _PL_STATIONS[district.code]
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
        street = self.rng.choice(_UA_STREETS if ukrainian else _PL_STREETS)
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
        for number, (quadrant, pl, uk, en) in enumerate(_KONIN_BEATS, start=1):
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
        self.log(f"Gmina Konin split into {len(_KONIN_BEATS)} service areas")

    def person(self, *, country: str, role: str, unit: Unit) -> Officer:
        sex = self.rng.choice("mf")
        if country == Country.UKRAINE:
            first = self.rng.choice(_UA_FIRST[sex])
            last = self.rng.choice(_UA_LAST)
        else:
            first = self.rng.choice(_PL_FIRST[sex])
            last = self.rng.choice(_PL_LAST)[0 if sex == "m" else 1]
        year = self.rng.randrange(2016, 2024)
        officer = Officer(
            first_name=first,
            last_name=last,
            rank=self.rng.choice(_RANKS[(country, role)]),
            badge_number=self.badge(country),
            bio=_BIOS[(country, role)].format(year=year),
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
        domains = {code: hq[4] for code, hq in _REGION_HQ.items()}
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
