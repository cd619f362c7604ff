"""Public map queries over 1,000,000 reports in Vinnytsia oblast, on PostGIS (issue 3, 10c).

Run: `.venv/bin/python bench/bench_map.py` (or `make bench`). PostGIS comes from
BENCH_POSTGIS_URL; without it a throwaway cluster is started with scripts/pg_throwaway.sh and
removed afterwards. Writes bench/results/map.json (records) and map.meta.json (context).

What it does:
1. Creates a fresh database `blisko_bench_map`, migrates it, and imports the demo boundaries
   (Vinnytsia and Dnipropetrovsk oblasts, their raions and hromadas) with `territory_import`.
2. Generates 1,000,000 reports (fixed seed) inside Vinnytsia oblast (6 raions, 63 hromadas):
   70 % around the hromadas' centres (normal, sigma ~3 km; a quarter of these around the
   centre of Vinnytsia city, whose people are a quarter of the oblast's), 30 % spread
   evenly; each in the hromada the area index finds for it. The category mix follows
   KMZB's (improper parking 46 %, speeding 20 %, public drinking 10 %, the rest even,
   including the reduced and hidden ones), statuses all seven, dates over the last 365 days.
   Public points follow each category's precision (`rules.public_location_for`, vectorised).
   The rows go in with COPY, then ANALYZE.
3. Times `map_data()` (the function behind GET /api/v1/map; validation, counting, building
   the answer) with several runs and takes the median:
   - zoom 6 and zoom 10 over the whole oblast's bounding box;
   - zoom 14 over a city-size viewport, the one a 1280 x 800 screen shows at zoom 14
     (0.110° x 0.045°, ~8 x 5 km) centred on Vinnytsia: the densest place of the oblast.
     An oblast-wide box is refused at zoom 14 (at most 16 tiles a side), as a map would
     never ask for it.
   Payload: the answer as the API sends it (compact JSON, UTF-8), in bytes.
   The counts come from the in-memory index (built once before timing; its build time is a
   record too); `*_sql_ms` are the same answers counted by PostGIS (the path used while the
   index is being built).
4. Baselines: a plain `SELECT count(*) ... WHERE public_location && <bbox>` over the oblast
   box (`map_count_baseline_ms`) and over the city viewport (`map_count_city_baseline_ms`).
"""

import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "map.json"
META = ROOT / "bench" / "results" / "map.meta.json"
DATABASE = "blisko_bench_map"
REPORTS = int(os.environ.get("BENCH_MAP_REPORTS", "1000000"))
RUNS = int(os.environ.get("BENCH_MAP_RUNS", "15"))
SEED = 20_250_610
VALID_FROM = dt.date(2020, 7, 17)
BOUNDARIES = [
    ROOT / "data" / "ua" / "oblasti_vinnytsia_dnipropetrovsk_katotth.geojson",
    ROOT / "data" / "ua" / "rayony_vinnytsia_dnipropetrovsk_katotth.geojson",
    ROOT / "data" / "ua" / "hromady_vinnytsia_dnipropetrovsk_katotth.geojson",
]
VINNYTSIA_PREFIX = "UA05"
VINNYTSIA_CENTRE = (28.4682, 49.2331)
# What a 1280 x 800 screen shows at zoom 14: 5 x 3.125 tiles of 360 / 2**14 degrees east-west;
# north-south the Mercator tile is cos(latitude) as many degrees.
CITY_HALF_WIDTH = 5 * 360 / 2**14 / 2
CITY_HALF_HEIGHT = 3.125 * 360 / 2**14 * np.cos(np.radians(VINNYTSIA_CENTRE[1])) / 2
NULL = "\\N"  # COPY's NULL
CATEGORY_SHARES = {"improper-parking": 0.46, "speeding": 0.20, "public-drinking": 0.10}

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from harness import (  # noqa: E402
    drop_database,
    fresh_database,
    setup_django,
    start_postgis,
    stop_postgis,
)


def load_territories() -> None:
    from django.core.management import call_command

    from blisko.territories.services.imports import territory_import

    call_command("migrate", verbosity=0)
    for path in BOUNDARIES:
        territory_import(path=path, valid_from=VALID_FROM, commit=True)


def generate(rng: np.random.Generator) -> dict:
    """The reports' columns (numpy arrays and lists), all inside Vinnytsia oblast."""
    from blisko.reports.models import Category, Precision, Status
    from blisko.territories.index import index_rebuild
    from blisko.territories.models import Area, Level

    snapshot = index_rebuild()
    hromadas = list(
        Area.objects.filter(level=Level.COMMUNITY, code__startswith=VINNYTSIA_PREFIX).order_by(
            "code"
        )
    )
    centres = np.array([snapshot.geometries[a.pk].centroid.coords[0] for a in hromadas])
    # The demo boundaries carry no population: the city of Vinnytsia (a quarter of the
    # oblast's people) gets a quarter of the clustered reports, the other hromadas the same.
    city = snapshot.index.lookup(*VINNYTSIA_CENTRE, level=Level.COMMUNITY)
    weights = np.array([1.0 if a.pk != city else 0.0 for a in hromadas])
    weights *= 0.75 / weights.sum()
    weights[[a.pk for a in hromadas].index(city)] = 0.25
    # The city's hromada reaches far into the countryside: cluster around the city itself.
    centres[[a.pk for a in hromadas].index(city)] = VINNYTSIA_CENTRE
    ids = {a.pk for a in hromadas}
    region = Area.objects.get(level=Level.REGION, code__startswith=VINNYTSIA_PREFIX)
    minx, miny, maxx, maxy = snapshot.geometries[region.pk].bounds

    lon = np.empty(0)
    lat = np.empty(0)
    area = np.empty(0, dtype=np.int64)
    while len(lon) < REPORTS:  # draw, keep the points inside the oblast's hromadas
        n = int((REPORTS - len(lon)) * 1.3) + 1000
        near = rng.random(n) < 0.7
        which = rng.choice(len(hromadas), size=n, p=weights)
        x = np.where(near, centres[which, 0] + rng.normal(0, 0.04, n), rng.uniform(minx, maxx, n))
        y = np.where(near, centres[which, 1] + rng.normal(0, 0.027, n), rng.uniform(miny, maxy, n))
        found = snapshot.index.lookup_many(x, y, level=Level.COMMUNITY)
        inside = np.isin(found, list(ids))
        lon = np.concatenate([lon, x[inside]])
        lat = np.concatenate([lat, y[inside]])
        area = np.concatenate([area, found[inside]])
    lon, lat, area = lon[:REPORTS], lat[:REPORTS], area[:REPORTS]

    categories = list(Category.objects.order_by("sort_order", "code"))
    rest = [c for c in categories if c.code not in CATEGORY_SHARES]
    shares = [CATEGORY_SHARES.get(c.code, 0.0) for c in categories]
    left = (1 - sum(shares)) / len(rest)
    shares = [s or left for s in shares]
    chosen = rng.choice(len(categories), size=REPORTS, p=shares)
    precision = np.array([c.precision for c in categories])[chosen]
    grid = 0.003  # settings.BLISKO_REPORT_REDUCED_GRID_DEG, as rules.public_location_for
    plon = lon.copy()
    plat = lat.copy()
    reduced = precision == Precision.REDUCED
    plon[reduced] = np.round((np.floor(lon[reduced] / grid) + 0.5) * grid, 6)
    plat[reduced] = np.round((np.floor(lat[reduced] / grid) + 0.5) * grid, 6)

    statuses = np.array(Status.values)
    status_shares = [0.10, 0.08, 0.30, 0.20, 0.22, 0.05, 0.05]  # the order of Status
    status = statuses[rng.choice(len(statuses), size=REPORTS, p=status_shares)]
    now = dt.datetime.now(dt.UTC)
    created = now - dt.timedelta(days=365) * rng.random(REPORTS)
    return {
        "lon": lon,
        "lat": lat,
        "plon": plon,
        "plat": plat,
        "shown": precision != Precision.HIDDEN,
        "area": area,
        "category": np.array([c.pk for c in categories])[chosen],
        "status": status,
        "created": created,
        "now": now,
        "region": region,
        "bbox": (minx, miny, maxx, maxy),
        "categories": {c.code: int((chosen == i).sum()) for i, c in enumerate(categories)},
    }


def copy_reports(data: dict) -> float:
    """COPY the reports into reports_report; returns the seconds it took."""
    from django.db import connection

    from blisko.reports.models import Status

    started = time.perf_counter()
    columns = (
        "tracking_code, category_id, location, public_location, area_id, status, description, "
        "reporter_email, client_hash, referred_to, verified_at, closed_at, take_up_due_at, "
        "verify_due_at, seen_count, created_at, updated_at"
    )
    closed = {Status.NOT_CONFIRMED, Status.RESOLVED, Status.REFERRED, Status.DUPLICATE}
    verified = closed | {Status.CONFIRMED}
    now = data["now"].isoformat()
    lon, lat = data["lon"].tolist(), data["lat"].tolist()
    plon, plat, shown = data["plon"].tolist(), data["plat"].tolist(), data["shown"].tolist()
    area, category = data["area"].tolist(), data["category"].tolist()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as pg, pg.copy(f"COPY reports_report ({columns}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for i in range(REPORTS):
                created = data["created"][i]
                status = str(data["status"][i])
                stamp = (created + dt.timedelta(days=1)).isoformat()
                public = f"SRID=4326;POINT({plon[i]!r} {plat[i]!r})" if shown[i] else NULL
                buffer.write(
                    f"B{i:07d}-BNCH-MAP\t{category[i]}\t"
                    f"SRID=4326;POINT({lon[i]!r} {lat[i]!r})\t{public}\t"
                    f"{area[i]}\t{status}\t\t\t\t\t"
                    f"{stamp if status in verified else NULL}\t"
                    f"{stamp if status in closed else NULL}\t"
                    f"{(created + dt.timedelta(days=2)).isoformat()}\t"
                    f"{(created + dt.timedelta(days=5)).isoformat()}\t0\t"
                    f"{created.isoformat()}\t{now}\n"
                )
                if i % 50_000 == 49_999:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE reports_report")
    return time.perf_counter() - started


def median_ms(call, runs: int = RUNS) -> tuple[float, object]:
    call()  # warm up (plans, caches)
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def payload_bytes(answer: dict) -> int:
    """The answer as the API sends it: DRF's JSONRenderer (compact, UTF-8)."""
    from rest_framework.renderers import JSONRenderer

    return len(JSONRenderer().render(answer))


def count_ms(bbox: tuple[float, float, float, float]) -> tuple[float, int]:
    from django.db import connection

    sql = (
        "SELECT count(*) FROM reports_report "
        "WHERE public_location && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
    )

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(bbox))
            return cursor.fetchone()[0]

    ms, count = median_ms(run)
    return ms, int(count)


def record(name: str, value: float, unit: str, baseline: dict | None = None) -> dict:
    return {
        "name": name,
        "value": round(value, 2) if isinstance(value, float) else value,
        "unit": unit,
        "baseline": baseline["name"] if baseline else None,
        "ratio": round(value / baseline["value"], 3) if baseline and baseline["value"] else None,
    }


def main() -> None:
    begun = time.perf_counter()
    pg_dir, base_url = start_postgis()
    try:
        database_url = fresh_database(base_url, DATABASE)
        setup_django(database_url)
        from django.db import connection
        from django.utils import translation

        from blisko.threatmap.selectors.map import map_data
        from blisko.threatmap.selectors.map_index import map_index_rebuild

        translation.activate("uk")
        started = time.perf_counter()
        load_territories()
        territories_s = time.perf_counter() - started
        data = generate(np.random.default_rng(SEED))
        copy_s = copy_reports(data)
        print(f"territories {territories_s:.1f} s; {REPORTS:,} reports copied in {copy_s:.1f} s")

        started = time.perf_counter()
        index = map_index_rebuild()
        build_s = time.perf_counter() - started
        print(f"map index: {len(index):,} reports in {build_s:.2f} s")

        minx, miny, maxx, maxy = data["bbox"]
        oblast = (minx, miny, maxx, maxy)
        cx, cy = VINNYTSIA_CENTRE
        city = (
            cx - CITY_HALF_WIDTH,
            cy - CITY_HALF_HEIGHT,
            cx + CITY_HALF_WIDTH,
            cy + CITY_HALF_HEIGHT,
        )
        views = {6: oblast, 10: oblast, 14: city}

        base = record("map_count_baseline_ms", count_ms(oblast)[0], "ms")
        city_ms, city_count = count_ms(city)
        city_base = record("map_count_city_baseline_ms", city_ms, "ms")
        records = [base, city_base]
        meta: dict = {
            "reports": REPORTS,
            "seed": SEED,
            "oblast_bbox": oblast,
            "city_bbox_z14": city,
            "city_bbox_note": "a 1280x800 screen at zoom 14 centred on Vinnytsia",
            "reports_in_city_bbox": city_count,
            "runs_per_timing": RUNS,
            "postgis": connection.cursor()
            .connection.execute("SELECT postgis_full_version()")
            .fetchone()[0]
            .split('"')[1],
            "map_index_build_s": round(build_s, 2),
            "copy_s": round(copy_s, 1),
            "categories": data["categories"],
            "answers": {},
        }
        for zoom, bbox in views.items():
            ms, answer = median_ms(lambda b=bbox, z=zoom: map_data(bbox=b, zoom=z))
            sql_ms, sql_answer = median_ms(
                lambda b=bbox, z=zoom: map_data(bbox=b, zoom=z, use_index=False), runs=5
            )
            assert answer == sql_answer, f"index and database disagree at zoom {zoom}"
            size = payload_bytes(answer)
            baseline = city_base if zoom == 14 else base
            records += [
                record(f"map_z{zoom}_ms", ms, "ms", baseline),
                record(f"map_z{zoom}_bytes", size, "bytes"),
                record(f"map_z{zoom}_sql_ms", sql_ms, "ms", baseline),
            ]
            meta["answers"][f"z{zoom}"] = {
                "kind": answer["kind"],
                "cells": len(answer["cells"]),
                "points": len(answer["points"]["features"]),
                "cell_size_deg": answer["cell_size"],
                "total": answer["total"],
                "hidden_counted": answer["hidden_counted"],
            }
        records.append(record("map_index_build_s", build_s, "s"))
    finally:
        if pg_dir:
            stop_postgis(pg_dir)
        elif not os.environ.get("BENCH_MAP_KEEP"):
            from django.db import connections

            connections.close_all()
            drop_database(base_url, DATABASE)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    META.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(json.dumps(meta["answers"], indent=1))
    print(f"\n{'name':28} {'value':>12} {'unit':6} {'baseline':28} {'ratio':>7}")
    for r in records:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3f}"
        print(f"{r['name']:28} {r['value']:>12,} {r['unit']:6} {r['baseline'] or '':28} {ratio:>7}")
    print(f"\nwritten {RESULTS.relative_to(ROOT)} in {time.perf_counter() - begun:.0f} s")
    targets = {"map_z6_ms": 50, "map_z10_ms": 50, "map_z14_ms": 50}
    sizes = {f"map_z{z}_bytes": 200_000 for z in (6, 10, 14)}
    missed = [
        r["name"]
        for r in records
        if r["value"] >= {**targets, **sizes}.get(r["name"], float("inf"))
    ]
    if missed:
        print(f"targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
