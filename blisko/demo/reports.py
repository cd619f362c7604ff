"""Generated demo reports: about 5,000 over the demo areas in the last 12 months.

The mix follows what KMZB received in Małopolska in 2016–2020: improper parking 46 %,
speeding 20 %, drinking in public 10 %, the rest spread over the other categories. Old
reports are mostly verified or closed; recent ones are still open, and some are overdue.
Deterministic for a given seed. Nobody in them is real; descriptions are generic.
"""

import datetime as dt
import random

import numpy as np
import shapely
from django.utils import timezone

from blisko.imports.services.bulk import BulkImportResult, reports_bulk_import
from blisko.reports.kmzb import KMZB_CATEGORIES
from blisko.reports.models import Report, Status
from blisko.territories.index import current_index, index_rebuild
from blisko.territories.models import Country, Level

MAIN_MIX = {"improper-parking": 0.46, "speeding": 0.20, "public-drinking": 0.10}

_TEXTS = {
    Country.POLAND: {
        "improper-parking": [
            "Samochody parkują na chodniku przy szkole.",
            "Auta stoją na trawniku.",
        ],
        "speeding": [
            "Kierowcy jeżdżą bardzo szybko wieczorem.",
            "Wyścigi na prostej przy sklepie.",
        ],
        "public-drinking": ["Grupa osób pije alkohol na placu zabaw.", ""],
        "*": ["", "Problem powtarza się od kilku tygodni."],
    },
    Country.UKRAINE: {
        "improper-parking": ["Автомобілі паркуються на тротуарі біля школи.", "Машини на газоні."],
        "speeding": ["Водії перевищують швидкість біля зупинки.", "Вечорами ганяють по вулиці."],
        "public-drinking": ["Розпивають алкоголь на дитячому майданчику.", ""],
        "*": ["", "Проблема повторюється вже кілька тижнів."],
    },
}


def _status_for(age_days: float, rng: random.Random) -> str:
    if age_days < 2:
        choices = [(Status.SUBMITTED, 0.7), (Status.IN_VERIFICATION, 0.3)]
    elif age_days < 7:
        choices = [
            (Status.SUBMITTED, 0.25),
            (Status.IN_VERIFICATION, 0.35),
            (Status.CONFIRMED, 0.2),
            (Status.NOT_CONFIRMED, 0.2),
        ]
    else:
        choices = [
            (Status.SUBMITTED, 0.02),
            (Status.IN_VERIFICATION, 0.03),
            (Status.CONFIRMED, 0.22),
            (Status.NOT_CONFIRMED, 0.4),
            (Status.RESOLVED, 0.23),
            (Status.REFERRED, 0.07),
            (Status.DUPLICATE, 0.03),
        ]
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def reports_demo_generate(*, count: int = 5000, seed: int = 2018) -> BulkImportResult:
    """Generate `count` demo reports through the bulk import (so they are routed for real)."""
    rng = random.Random(seed)
    snapshot = current_index() or index_rebuild()
    areas = [
        a
        for a in snapshot.areas.values()
        if a.level in (Level.COMMUNITY, Level.SERVICE_AREA) and a.pk in snapshot.geometries
    ]
    # Cities draw more reports than villages; Konin's beats draw a share of their own.
    weights = []
    for area in areas:
        name = area.name_official
        weight = 6.0 if ("міська" in name or "miejska" in name) else 1.0
        if area.level == Level.SERVICE_AREA:
            weight = 25.0
        weights.append(weight)
    others = [c[0] for c in KMZB_CATEGORIES if c[0] not in MAIN_MIX]
    codes = list(MAIN_MIX) + others
    rest = (1.0 - sum(MAIN_MIX.values())) / len(others)
    code_weights = list(MAIN_MIX.values()) + [rest] * len(others)
    now = timezone.now()
    lon, lat, cats, created, statuses, texts = [], [], [], [], [], []
    for _ in range(count):
        area = rng.choices(areas, weights)[0]
        geometry = snapshot.geometries[area.pk]
        x0, y0, x1, y1 = geometry.bounds
        while True:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(geometry, x, y):
                break
        code = rng.choices(codes, code_weights)[0]
        age = rng.uniform(0, 365)
        lon.append(round(x, 6))
        lat.append(round(y, 6))
        cats.append(code)
        created.append(now - dt.timedelta(days=age))
        statuses.append(_status_for(age, rng))
        texts.append(rng.choice(_TEXTS[area.country].get(code, _TEXTS[area.country]["*"])))
    result = reports_bulk_import(
        lon=np.array(lon),
        lat=np.array(lat),
        category_codes=cats,
        created_at=created,
        statuses=statuses,
        descriptions=texts,
        history=True,
    )
    _link_duplicates(result.report_ids.tolist())
    return result


def _link_duplicates(report_ids: list[int]) -> None:
    """Point each demo duplicate at an earlier report of its area (the same category if any)."""
    duplicates = Report.objects.filter(pk__in=report_ids, status=Status.DUPLICATE)
    for report in duplicates.only("pk", "area_id", "category_id", "created_at"):
        earlier = Report.objects.filter(
            area_id=report.area_id, created_at__lt=report.created_at
        ).exclude(status=Status.DUPLICATE)
        original = (
            earlier.filter(category_id=report.category_id).order_by("-created_at").first()
            or earlier.order_by("-created_at").first()
        )
        if original is None:
            Report.objects.filter(pk=report.pk).update(status=Status.NOT_CONFIRMED)
        else:
            Report.objects.filter(pk=report.pk).update(duplicate_of=original)
