"""Bulk import of 1,000,000 generated reports on PostGIS, with area and officer assignment.

Needs BENCH_POSTGIS_URL (scripts/bench.sh starts a throwaway PostGIS); creates its own database.
Loads the demo (territories, officers), draws 1,000,000 random points inside the demo areas,
then times:
- bulk_import_per_s: `reports_bulk_import` — finest area by the in-memory index, boundary
  version, officer per (area, verifier role) through `report_route`, public precision,
  deadlines, tracking codes, COPY of reports and their events;
- plain_insert_per_s (baseline): the same rows through the same COPY writer, with one fixed
  area and no lookup or routing.
Each is measured on its own copy of the loaded database (CREATE DATABASE … TEMPLATE), so
neither starts with the other's million rows in its indexes. The baseline runs first.
Writes bench/results/bulk_import.json.
"""

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from harness import admin_connection, drop_database, fresh_database, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "bulk_import.json"
COUNT = int(os.environ.get("BENCH_REPORTS", "1000000"))
DATABASE = "blisko_bench_bulk"


def use_copy_of_template(base_url: str, name: str) -> None:
    """Point Django at a fresh copy `name` of the loaded database."""
    from django.db import connection

    connection.close()
    with admin_connection(base_url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {DATABASE}")
    connection.settings_dict["NAME"] = name


def drop_copies(base_url: str) -> None:
    from django.db import connection

    connection.close()
    for suffix in ("_plain", "_import"):
        drop_database(base_url, DATABASE + suffix)


def main() -> None:
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    setup_django(fresh_database(base, DATABASE), settings="config.settings.local")
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from blisko.demo.loading import demo_load
    from blisko.reports.models import Category, Report, Status
    from blisko.reports.services import bulk
    from blisko.territories.index import index_rebuild

    call_command("migrate", verbosity=0)
    demo_load()
    snapshot = index_rebuild()
    rng = np.random.default_rng(20181213)
    # Candidate points over the demo's bounding boxes; keep the first COUNT inside an area.
    boxes = [(27.3, 47.9, 30.0, 49.9), (32.9, 47.3, 36.3, 49.3), (17.9, 52.0, 18.6, 52.6)]
    lon_parts, lat_parts = [], []
    for x0, y0, x1, y1 in boxes:
        n = COUNT
        lon_parts.append(rng.uniform(x0, x1, n))
        lat_parts.append(rng.uniform(y0, y1, n))
    lon, lat = np.concatenate(lon_parts), np.concatenate(lat_parts)
    order = rng.permutation(len(lon))
    lon, lat = np.round(lon[order], 6), np.round(lat[order], 6)
    inside = bulk._finest_areas(snapshot, lon, lat) >= 0
    lon, lat = lon[inside][:COUNT], lat[inside][:COUNT]
    assert len(lon) == COUNT, len(lon)
    codes = [c.code for c in Category.objects.all()]
    mix = np.array(["improper-parking", "speeding", "public-drinking"] + codes)
    weights = np.array([0.46, 0.20, 0.10] + [0.24 / len(codes)] * len(codes))
    categories = rng.choice(mix, size=COUNT, p=weights / weights.sum())
    now = timezone.now()
    created = [now - dt.timedelta(minutes=int(m)) for m in rng.integers(0, 525_600, COUNT)]
    area_id = next(iter(snapshot.areas))
    category_ids = {c.code: c.pk for c in Category.objects.all()}

    # Baseline: the same rows and writer, no lookup, no routing.
    use_copy_of_template(base, DATABASE + "_plain")
    started = time.perf_counter()
    rows = bulk._Rows(
        codes=bulk.tracking_codes(COUNT),
        category_ids=np.array([category_ids[c] for c in categories.tolist()], dtype=np.int64),
        lon=lon,
        lat=lat,
        plon=lon,
        plat=lat,
        shown=np.ones(COUNT, dtype=bool),
        area_ids=np.full(COUNT, area_id, dtype=np.int64),
        versions=np.full(COUNT, -1, dtype=np.int64),
        officers=np.full(COUNT, -1, dtype=np.int64),
        units=np.full(COUNT, -1, dtype=np.int64),
        statuses=np.full(COUNT, Status.SUBMITTED.value),
        created_us=bulk._microseconds(created),
        text=[""] * COUNT,
        take_up=dt.timedelta(days=2),
        verify=dt.timedelta(days=5),
        now=now,
    )
    with transaction.atomic():
        bulk._copy_postgresql(rows)
    plain_s = time.perf_counter() - started

    use_copy_of_template(base, DATABASE + "_import")
    before = Report.objects.count()
    started = time.perf_counter()
    result = bulk.reports_bulk_import(
        lon=lon, lat=lat, category_codes=categories, created_at=created
    )
    import_s = time.perf_counter() - started
    stored = Report.objects.count() - before
    assert result.imported == COUNT == stored, (result.imported, COUNT, stored)
    assigned = Report.objects.filter(assigned_officer__isnull=False).count() - before
    drop_copies(base)

    bulk_rate, plain_rate = COUNT / import_s, COUNT / plain_s
    records = [
        {
            "name": "plain_insert_per_s",
            "value": round(plain_rate),
            "unit": "reports/s",
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "bulk_import_per_s",
            "value": round(bulk_rate),
            "unit": "reports/s",
            "baseline": "plain_insert_per_s",
            "ratio": round(bulk_rate / plain_rate, 3),
        },
        {
            "name": "bulk_import_seconds",
            "value": round(import_s, 2),
            "unit": "s",
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "bulk_import_reports",
            "value": COUNT,
            "unit": "reports",
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "bulk_import_assigned_share",
            "value": round(assigned / COUNT, 4),
            "unit": "fraction",
            "baseline": None,
            "ratio": None,
        },
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    for r in records:
        print(f"{r['name']:28} {r['value']:>12} {r['unit']:10} ratio {r['ratio']}")


if __name__ == "__main__":
    main()
