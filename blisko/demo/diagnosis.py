"""Generated demo data for the diagnosis: populations, police statistics and incidents for
Vinnytsia oblast and Konin over the last 18 whole months.

Nothing here is real: the boundary files carry no population, so each community gets a
plausible one from its area (towns denser than villages), and its parents the sums. Monthly
statistics are Poisson draws around national-looking rates per 1,000 residents, each community
leaning towards a threat or two of its own (so the diagnosis has something to find), with a
mild summer peak. Incidents are points: most spread over the community, some around two or
three hotspots of its own. Both go in through the real imports (`statistics_import_file`,
`incidents_import_file`) from temporary CSV files, as a police export would. Deterministic for
a given seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.db.models import Sum

from blisko.core.clock import site_today
from blisko.demo.data import KONIN_GMINA, VINNYTSIA_OBLAST
from blisko.diagnosis.models import Statistic
from blisko.diagnosis.services.incidents import incidents_import_file
from blisko.diagnosis.services.statistics import statistics_import_file
from blisko.diagnosis.statistic_categories import STATISTIC_CATEGORIES
from blisko.territories.index import current_index, index_rebuild
from blisko.territories.models import Area, Level
from blisko.territories.services.areas import areas_set_population

MONTHS = 18
# Offences a year per 1,000 residents, about what both countries' statistics show.
RATES = {
    "theft": 6.0,
    "burglary": 1.2,
    "robbery": 0.3,
    "bodily-harm": 0.8,
    "property-damage": 1.5,
    "drugs": 0.9,
    "drink-driving": 1.1,
    "road-accidents": 0.6,
    "traffic-offences": 9.0,
    "domestic-violence": 2.0,
    "fraud": 1.4,
    "public-order": 3.0,
    "alcohol-in-public": 4.0,
    "environmental": 0.4,
    "animal-cruelty": 0.1,
    "juvenile": 0.5,
}
# Incidents with a point, as a share of the statistics' count (the rest have no usable place).
INCIDENT_SHARE = 0.35
_CITY = ("міська", "miejska", "Konin")


@dataclass
class DiagnosisDemoResult:
    populations: int
    statistics: int
    incidents: int


def _areas() -> list[Area]:
    """The communities of Vinnytsia oblast and gmina Konin (from the index: geometries)."""
    snapshot = current_index() or index_rebuild()
    out = []
    for area in snapshot.areas.values():
        if area.level != Level.COMMUNITY or area.pk not in snapshot.geometries:
            continue
        chain = [area.code] + [a.code for a in area.ancestors()]
        if VINNYTSIA_OBLAST in chain or area.code == KONIN_GMINA:
            out.append(area)
    return sorted(out, key=lambda a: a.code)


def _km2(geometry: object) -> float:
    lon0, lat0, lon1, lat1 = shapely.bounds(geometry)
    lat = np.radians((lat0 + lat1) / 2)
    return float(shapely.area(geometry)) * 111.32 * 111.32 * float(np.cos(lat))


def populations_generate(areas: list[Area], rng: np.random.Generator) -> int:
    """Give each community a generated population (and its parents the sums) where none is
    on record; how many areas got one."""
    snapshot = current_index() or index_rebuild()
    known = set(
        Area.objects.filter(pk__in=[a.pk for a in areas], population__isnull=False).values_list(
            "pk", flat=True
        )
    )
    populations: dict[int, int | None] = {}
    for area in areas:
        if area.pk in known:
            continue
        km2 = _km2(snapshot.geometries[area.pk])
        city = any(word in area.name_official for word in _CITY)
        density = rng.uniform(350, 900) if city else rng.uniform(18, 45)
        populations[area.pk] = int(km2 * density)
    changed = areas_set_population(populations=populations, note="demo")
    # Parents: the sum of their children, level by level up (only where none is on record).
    for level in (Level.DISTRICT, Level.REGION):
        sums: dict[int, int | None] = {}
        for parent in Area.objects.filter(level=level, population__isnull=True):
            total = Area.objects.filter(parent=parent).aggregate(n=Sum("population"))["n"]
            if total:
                sums[parent.pk] = int(total)
        changed += areas_set_population(populations=sums, note="demo")
    return changed


def _months() -> list[dt.date]:
    first = site_today().replace(day=1)
    out = []
    for back in range(MONTHS, 0, -1):
        index = first.year * 12 + first.month - 1 - back
        out.append(dt.date(index // 12, index % 12 + 1, 1))
    return out


def diagnosis_demo_generate(
    *, seed: int = 2026, log: Callable[[str], None] = lambda line: None
) -> DiagnosisDemoResult:
    """Populations, statistics and incidents for the demo (see the module's text)."""
    rng = np.random.default_rng(seed)
    areas = _areas()
    changed = populations_generate(areas, rng)
    populations = dict(
        Area.objects.filter(pk__in=[a.pk for a in areas]).values_list("pk", "population")
    )
    snapshot = current_index() or index_rebuild()
    months = _months()
    codes = [c[0] for c in STATISTIC_CATEGORIES]
    statistics_rows = 0
    incidents_rows = 0
    with tempfile.TemporaryDirectory() as folder:
        stats_path = Path(folder) / "statistics.csv"
        points_path = Path(folder) / "incidents.csv"
        with (
            stats_path.open("w", newline="", encoding="utf-8") as stats_file,
            points_path.open("w", newline="", encoding="utf-8") as points_file,
        ):
            stats_out = csv.writer(stats_file)
            stats_out.writerow(["area_code", "period", "offence", "count"])
            points_out = csv.writer(points_file)
            points_out.writerow(["lat", "lon", "category", "occurred_at"])
            for area in areas:
                population = populations.get(area.pk) or 0
                geometry = snapshot.geometries[area.pk]
                # Each community leans towards one or two threats of its own.
                lean = {code: 1.0 for code in codes}
                for code in rng.choice(codes, size=2, replace=False):
                    lean[str(code)] = float(rng.uniform(1.8, 3.2))
                centres = _points_in(geometry, int(rng.integers(2, 4)), rng)
                for month in months:
                    season = 1.0 + 0.2 * np.cos((month.month - 7) / 12 * 2 * np.pi)
                    for code in codes:
                        mean = population / 1000 * RATES[code] / 12 * lean[code] * season
                        count = int(rng.poisson(mean))
                        stats_out.writerow([area.code, f"{month:%Y-%m}", code, count])
                        statistics_rows += 1
                        placed = int(rng.binomial(count, INCIDENT_SHARE))
                        if placed:
                            incidents_rows += _write_points(
                                points_out, geometry, centres, month, code, placed, rng
                            )
        log(f"Demo statistics: {statistics_rows} figures for {len(areas)} communities.")
        statistics_import_file(path=stats_path, commit=True)
        result = incidents_import_file(path=points_path, commit=True, zone_name="UTC")
        log(f"Demo incidents: {result.imported} imported.")
    return DiagnosisDemoResult(changed, statistics_rows, result.imported)


def _points_in(geometry: object, count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = shapely.bounds(geometry)
    out: list[tuple[float, float]] = []
    while len(out) < count:
        x, y = rng.uniform(x0, x1, 64), rng.uniform(y0, y1, 64)
        inside = shapely.contains_xy(geometry, x, y)
        out += list(zip(x[inside].tolist(), y[inside].tolist(), strict=True))
    return out[:count]


def _write_points(
    out: csv.writer,  # type: ignore[valid-type]
    geometry: object,
    centres: list[tuple[float, float]],
    month: dt.date,
    code: str,
    count: int,
    rng: np.random.Generator,
) -> int:
    clustered = int(rng.binomial(count, 0.45))
    points = _points_in(geometry, count - clustered, rng)
    for _ in range(clustered):
        cx, cy = centres[int(rng.integers(len(centres)))]
        points.append((cx + rng.normal(0, 0.0025), cy + rng.normal(0, 0.0016)))
    days = (month.replace(day=28) - month).days + 1
    for x, y in points:
        moment = dt.datetime.combine(month, dt.time()) + dt.timedelta(
            days=int(rng.integers(days)), minutes=int(rng.integers(24 * 60))
        )
        out.writerow([f"{y:.6f}", f"{x:.6f}", code, moment.strftime("%Y-%m-%dT%H:%M")])  # type: ignore[attr-defined]
    return len(points)


def diagnosis_demo_exists() -> bool:
    return Statistic.objects.exists()
