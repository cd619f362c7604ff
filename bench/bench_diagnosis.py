"""One community's diagnosis with 1,000,000 reports and 1,000,000 incidents on record, on PostGIS.

Needs BENCH_POSTGIS_URL (scripts/bench.sh starts a throwaway PostGIS); creates its own database
and loads the demo (territories, officers, populations, 18 months of statistics and incidents).
Then loads BENCH_DIAGNOSIS_EVENTS (1,000,000) residents' reports through `reports_bulk_import`
and as many police incidents through `incidents_import_file` (a generated CSV, the real import),
both over the last 24 months: 70 % in Vinnytsia oblast (a share of those around Vinnytsia city,
so its hromada holds tens of thousands of each), 25 % in Dnipropetrovsk oblast, 5 % in Konin;
points drawn uniformly over each territory's bounding box and kept when inside an area, as
bench_bulk_import.py draws them. VACUUM ANALYZE afterwards, as autovacuum does in service.

Timed on Vinnytsia city hromada (UA05020030000031457) for the last 12 whole months, each the
median of BENCH_DIAGNOSIS_RUNS (15) runs after a warm-up, the baseline and the request in turns:
- count_ms (baseline): one raw `SELECT count(*)` of the rows the diagnosis counts for the area
  (its subtree's counted reports + incidents, current and previous period);
- diagnosis_api_ms: GET /api/v1/areas/<id>/diagnosis?from=..&to=.. through Django's test Client
  (production settings, a signed-in superuser), police source: incidents (the area's statistics
  are removed first, so the million incidents are what is read);
- diagnosis_statistics_api_ms: the same before that, the police source being the demo's
  statistics (for information);
- hotspots_api_ms: GET /api/v1/areas/<id>/hotspots (resolution 9, 999 permutations), for
  information (BENCH_DIAGNOSIS_HOTSPOT_RUNS, 5).
Writes bench/results/diagnosis.json.
"""

import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from harness import fresh_database, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "diagnosis.json"
EVENTS = int(os.environ.get("BENCH_DIAGNOSIS_EVENTS", "1000000"))
RUNS = int(os.environ.get("BENCH_DIAGNOSIS_RUNS", "15"))
HOTSPOT_RUNS = int(os.environ.get("BENCH_DIAGNOSIS_HOTSPOT_RUNS", "5"))
# The share of all events drawn around Vinnytsia city (the rest of Vinnytsia oblast uniform).
CITY_SHARE = float(os.environ.get("BENCH_DIAGNOSIS_CITY_SHARE", "0.05"))
DATABASE = "blisko_bench_diagnosis"
COMMUNITY = "UA05020030000031457"  # Vinnytsia city hromada
CITY = (28.468, 49.233)
# (lon0, lat0, lon1, lat1, share): Vinnytsia oblast, Dnipropetrovsk oblast, Konin.
BOXES = [
    (27.3, 47.9, 30.0, 49.9, 0.70 - CITY_SHARE),
    (32.9, 47.3, 36.3, 49.3, 0.25),
    (17.9, 52.0, 18.6, 52.6, 0.05),
]
MONTHS_BACK = 24


def points(rng: np.random.Generator, n: int, inside: Callable) -> tuple[np.ndarray, np.ndarray]:
    """`n` points inside the demo areas, spread as the module's text says, in random order."""
    lons, lats = [], []

    def keep(want: int, draw: Callable[[int], tuple[np.ndarray, np.ndarray]]) -> None:
        got = 0
        while got < want:
            lon, lat = draw(max(2 * (want - got), 1000))
            lon, lat = np.round(lon, 6), np.round(lat, 6)
            ok = inside(lon, lat)
            lon, lat = lon[ok][: want - got], lat[ok][: want - got]
            lons.append(lon)
            lats.append(lat)
            got += len(lon)

    for x0, y0, x1, y1, share in BOXES:
        keep(
            round(n * share),
            lambda k, b=(x0, y0, x1, y1): (rng.uniform(b[0], b[2], k), rng.uniform(b[1], b[3], k)),
        )
    keep(
        n - sum(len(x) for x in lons),
        lambda k: (rng.normal(CITY[0], 0.045, k), rng.normal(CITY[1], 0.03, k)),
    )
    lon, lat = np.concatenate(lons), np.concatenate(lats)
    order = rng.permutation(len(lon))
    return lon[order], lat[order]


def timed_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def in_turns(calls: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Each call once as a warm-up, then `runs` rounds of every call in turn; the medians (ms)."""
    for call in calls.values():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            times[name].append(timed_ms(call))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    # Production settings (no DEBUG query log); the test Client's host is "testserver".
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    setup_django(fresh_database(base, DATABASE))
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from blisko.core.clock import site_today
    from blisko.demo.loading import demo_load
    from blisko.diagnosis.models import Incident, IncidentCategory, Statistic
    from blisko.diagnosis.periods import Period, _add_months
    from blisko.diagnosis.selectors.diagnosis import _NOT_COUNTED, _aware, area_subtree
    from blisko.diagnosis.services.incidents import incidents_import_file
    from blisko.imports.services import bulk
    from blisko.reports.models import Category, Report
    from blisko.territories.index import index_rebuild
    from blisko.territories.models import Area

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_load()
    demo_s = time.perf_counter() - started
    snapshot = index_rebuild()

    def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return bulk._finest_areas(snapshot, lon, lat) >= 0

    rng = np.random.default_rng(20_260_301)
    now = timezone.now()
    span_s = MONTHS_BACK * 30.44 * 86400

    # Reports: KMZB categories as bench_bulk_import.py mixes them.
    lon, lat = points(rng, EVENTS, inside)
    codes = [c.code for c in Category.objects.all()]
    mix = np.array(["improper-parking", "speeding", "public-drinking"] + codes)
    weights = np.array([0.46, 0.20, 0.10] + [0.24 / len(codes)] * len(codes))
    categories = rng.choice(mix, size=EVENTS, p=weights / weights.sum())
    ages = rng.uniform(60, span_s, EVENTS).tolist()
    created = [now - dt.timedelta(seconds=s) for s in ages]
    started = time.perf_counter()
    result = bulk.reports_bulk_import(
        lon=lon, lat=lat, category_codes=categories, created_at=created
    )
    reports_s = time.perf_counter() - started
    assert result.imported == EVENTS, (result.imported, EVENTS)
    del created

    # Incidents: a CSV as a police export writes it, through the real import.
    lon, lat = points(rng, EVENTS, inside)
    incident_codes = np.array([c.code for c in IncidentCategory.objects.all()])
    kinds = incident_codes[rng.integers(0, len(incident_codes), EVENTS)]
    moments = np.datetime64(now.replace(tzinfo=None), "s") - rng.uniform(
        300, span_s, EVENTS
    ).astype("timedelta64[s]")
    stamps = np.datetime_as_string(moments, unit="s")
    before = Incident.objects.count()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write("lat,lon,category,occurred_at\n")
            for start in range(0, EVENTS, 100_000):
                part = slice(start, start + 100_000)
                handle.write(
                    "".join(
                        f"{y!r},{x!r},{c},{t}\n"
                        for x, y, c, t in zip(
                            lon[part].tolist(),
                            lat[part].tolist(),
                            kinds[part].tolist(),
                            stamps[part].tolist(),
                            strict=True,
                        )
                    )
                )
        started = time.perf_counter()
        imported = incidents_import_file(path=path, commit=True, zone_name="UTC")
        incidents_s = time.perf_counter() - started
    assert not imported.problem_count, imported.problems
    assert imported.imported == EVENTS == Incident.objects.count() - before, imported

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    vacuum_s = time.perf_counter() - started

    # The area, the period (the last 12 whole months) and the signed-in client.
    area = Area.objects.get(code=COMMUNITY)
    ids = area_subtree(area.pk)
    last = _add_months(site_today().replace(day=1), -1)
    first = _add_months(last, -11)
    period = Period(first, _add_months(last, 1))
    previous = period.previous()
    user = get_user_model().objects.create_superuser("bench-root", "root@example.org", "x")
    client = Client()
    client.force_login(user)
    query = f"from={first:%Y-%m}&to={last:%Y-%m}"
    diagnosis_url = f"/api/v1/areas/{area.pk}/diagnosis?{query}"
    hotspots_url = f"/api/v1/areas/{area.pk}/hotspots?{query}"

    def get(url: str) -> dict:
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.content[:500])
        return response.json()

    start, end = _aware(previous.start), _aware(period.end)
    count_sql = (
        f"SELECT (SELECT count(*) FROM {Report._meta.db_table} WHERE area_id = ANY(%s) "
        "AND created_at >= %s AND created_at < %s AND NOT status = ANY(%s)) "
        f"+ (SELECT count(*) FROM {Incident._meta.db_table} WHERE area_id = ANY(%s) "
        "AND occurred_at >= %s AND occurred_at < %s)"
    )
    count_args = [ids, start, end, [str(s) for s in _NOT_COUNTED], ids, start, end]

    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, count_args)
            return int(cursor.fetchone()[0])

    rows = count()
    with_statistics = get(diagnosis_url)
    assert with_statistics["police_source"] == "statistics", with_statistics["police_source"]
    statistics_ms = in_turns({"count": count, "diagnosis": lambda: get(diagnosis_url)}, RUNS)[
        "diagnosis"
    ]

    # The area's own figures removed: its police source is now the incidents.
    Statistic.objects.filter(area_id__in=ids).delete()
    answer = get(diagnosis_url)
    assert answer["police_source"] == "incidents", answer["police_source"]
    medians = in_turns({"count": count, "diagnosis": lambda: get(diagnosis_url)}, RUNS)
    count_ms, diagnosis_ms = medians["count"], medians["diagnosis"]
    hotspots = get(hotspots_url)
    hotspots_ms = in_turns({"hotspots": lambda: get(hotspots_url)}, HOTSPOT_RUNS)["hotspots"]

    def record(name, value, unit, baseline=None, ratio=None):
        return {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}

    records = [
        record("count_ms", round(count_ms, 2), "ms"),
        record(
            "diagnosis_api_ms",
            round(diagnosis_ms, 2),
            "ms",
            "count_ms",
            round(diagnosis_ms / count_ms, 2),
        ),
        record(
            "diagnosis_statistics_api_ms",
            round(statistics_ms, 2),
            "ms",
            "count_ms",
            round(statistics_ms / count_ms, 2),
        ),
        record("hotspots_api_ms", round(hotspots_ms, 1), "ms"),
        record("diagnosis_area_rows", rows, "events"),
        record("hotspots_events", hotspots["events"], "events"),
        record("reports_import_per_s", round(EVENTS / reports_s), "reports/s"),
        record("incidents_import_per_s", round(EVENTS / incidents_s), "rows/s"),
        record("demo_load_s", round(demo_s, 1), "s"),
        record("reports_load_s", round(reports_s, 1), "s"),
        record("incidents_load_s", round(incidents_s, 1), "s"),
        record("vacuum_analyze_s", round(vacuum_s, 1), "s"),
        record("events_loaded", 2 * EVENTS, "events"),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    for r in records:
        print(f"{r['name']:28} {r['value']:>12} {r['unit']:8} ratio {r['ratio']}")


if __name__ == "__main__":
    main()
