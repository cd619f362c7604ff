"""One priority action plan's evaluation with 1,000,000 reports and 1,000,000 incidents on
record, on PostGIS.

Needs BENCH_POSTGIS_URL (scripts/bench.sh starts a throwaway PostGIS); creates its own database
and loads the demo, then BENCH_PLANS_EVENTS (1,000,000) residents' reports through
`reports_bulk_import` and as many police incidents through `incidents_import_file`, spread as
bench_diagnosis.py spreads them (its `points`: 70 % over Vinnytsia oblast, a share of those
around Vinnytsia city, 25 % Dnipropetrovsk oblast, 5 % Konin; the last 24 months), and
VACUUM ANALYZE.

Two plans are made through `plan_create` (the system as the actor, for the officer of
Vinnytsia city hromada, UA05020030000031457), against the threat with the most events on record,
for the six months ending at the end of last month:
- cells: the 19 resolution-9 H3 cells of the disk (k=2) around the city centre;
- area: the whole hromada.
Each is timed as `plan_evaluation` (the plan read as `plan_get` reads it, then evaluated on
today), the median of BENCH_PLANS_RUNS (7) runs after a warm-up, in turns with its baseline:
one raw `SELECT count(*)` of the rows the evaluation's two grouped queries read (the threat's
incidents and counted reports of the parent area's subtree and the areas the ring reaches, over
the whole evaluated span: `_grouped`'s filter). Writes bench/results/plan_evaluation.json.
"""

import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_diagnosis import MONTHS_BACK, in_turns, points  # noqa: E402
from harness import fresh_database, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "plan_evaluation.json"
EVENTS = int(os.environ.get("BENCH_PLANS_EVENTS", "1000000"))
RUNS = int(os.environ.get("BENCH_PLANS_RUNS", "7"))
DATABASE = "blisko_bench_plans"
COMMUNITY = "UA05020030000031457"  # Vinnytsia city hromada
CENTRE = (49.2331, 28.4682)  # lat, lon of Vinnytsia city centre
CELLS_K = 2  # the disk of the centre cell: 19 cells


def load_events() -> dict[str, float]:
    """The demo and 2 x EVENTS events, as bench_diagnosis.py loads them; the seconds taken."""
    from django.db import connection
    from django.utils import timezone

    from blisko.demo.loading import demo_load
    from blisko.diagnosis.models import Incident, IncidentCategory
    from blisko.diagnosis.services.incidents import incidents_import_file
    from blisko.imports.services import bulk
    from blisko.reports.models import Category
    from blisko.territories.index import index_rebuild

    seconds = {}
    started = time.perf_counter()
    demo_load()
    seconds["demo_load_s"] = time.perf_counter() - started
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
    seconds["reports_load_s"] = time.perf_counter() - started
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
        seconds["incidents_load_s"] = time.perf_counter() - started
    assert not imported.problem_count, imported.problems
    assert imported.imported == EVENTS == Incident.objects.count() - before, imported

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds["vacuum_analyze_s"] = time.perf_counter() - started
    return seconds


def biggest_threat():
    """The statistic category in use with the most events on record: incidents of the incident
    categories counting towards it plus reports of its map categories."""
    from django.db.models import Count

    from blisko.diagnosis.models import Incident, StatisticCategory
    from blisko.reports.models import Report

    incidents = dict(
        Incident.objects.filter(category__statistic_category__isnull=False)
        .values_list("category__statistic_category")
        .annotate(n=Count("*"))
        .order_by()
    )
    reports = dict(Report.objects.values_list("category").annotate(n=Count("*")).order_by())
    threats = StatisticCategory.objects.filter(valid_to__isnull=True).prefetch_related(
        "kmzb_categories"
    )

    def events(threat) -> int:
        return incidents.get(threat.pk, 0) + sum(
            reports.get(c.pk, 0) for c in threat.kmzb_categories.all()
        )

    return max(threats, key=events)


def main() -> None:
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    bench_started = time.perf_counter()
    setup_django(fresh_database(base, DATABASE))
    import h3
    from django.core.management import call_command
    from django.db import connection

    from blisko.core.clock import site_today
    from blisko.diagnosis.models import Incident, IncidentCategory
    from blisko.officers.models import Assignment, Role
    from blisko.plans.models import PlaceKind, Plan
    from blisko.plans.selectors.evaluation import (
        _NOT_COUNTED,
        _aware,
        _segments,
        _zones,
        plan_evaluation,
        plan_periods,
    )
    from blisko.plans.services.plans import PlanInput, add_months, evidence_build, plan_create
    from blisko.reports.models import Report
    from blisko.territories.models import Area

    call_command("migrate", verbosity=0)
    seconds = load_events()

    # The plans: the officer of the hromada, the biggest threat, the last six whole months.
    area = Area.objects.get(code=COMMUNITY)
    today = site_today()
    assignment = (
        Assignment.objects.filter(
            area=area,
            covers__isnull=True,
            role__in=[Role.COMMUNITY_OFFICER, Role.DISTRICT_OFFICER],
            starts_on__lte=today,
        )
        .select_related("officer")
        .order_by("starts_on")
        .first()
    )
    assert assignment is not None, "no officer serves the hromada"
    threat = biggest_threat()
    starts_on = add_months(today.replace(day=1), -6)
    ends_on = today.replace(day=1) - dt.timedelta(days=1)
    started = time.perf_counter()
    evidence = evidence_build(area=area, today=today)
    evidence_s = time.perf_counter() - started
    centre = h3.latlng_to_cell(*CENTRE, 9)
    cells = sorted(h3.grid_disk(centre, CELLS_K))

    def plan(kind: str, place_cells: list[str]) -> Plan:
        return plan_create(
            actor=None,
            area=area,
            officer=assignment.officer,
            evidence=evidence,
            data=PlanInput(
                threat=threat,
                title=f"Bench: {threat.code} ({kind})",
                goal="-15 %",
                goal_percent="-15",
                starts_on=starts_on,
                ends_on=ends_on,
                place_kind=kind,
                place_cells=place_cells,
                threat_reason="The benchmark's threat: the most events on record.",
            ),
        )

    plans = {"cells": plan(PlaceKind.CELLS, cells), "area": plan(PlaceKind.AREA, [])}

    # The baseline: a plain count of the rows `_grouped` reads for the plan.
    count_sql = (
        f"SELECT (SELECT count(*) FROM {Incident._meta.db_table} WHERE category_id = ANY(%s) "
        "AND area_id = ANY(%s) AND occurred_at >= %s AND occurred_at < %s) "
        f"+ (SELECT count(*) FROM {Report._meta.db_table} WHERE category_id = ANY(%s) "
        "AND NOT status = ANY(%s) AND area_id = ANY(%s) AND created_at >= %s AND created_at < %s)"
    )
    incident_categories = list(
        IncidentCategory.objects.filter(statistic_category=threat).values_list("pk", flat=True)
    )
    map_categories = list(threat.kmzb_categories.values_list("pk", flat=True))

    def counter(p: Plan):
        zones = _zones(p)
        bounds = _segments(plan_periods(p, today=today))
        ids = zones.parent_ids + zones.near_ids
        start, end = _aware(bounds[0]), _aware(bounds[-1])
        args = [incident_categories, ids, start, end]
        args += [map_categories, [str(s) for s in _NOT_COUNTED], ids, start, end]

        def count() -> int:
            with connection.cursor() as cursor:
                cursor.execute(count_sql, args)
                return int(cursor.fetchone()[0])

        return count, zones

    def evaluator(pk: int):
        def evaluate() -> dict:
            p = Plan.objects.select_related("area", "officer", "threat").get(pk=pk)
            return plan_evaluation(plan=p, today=today)

        return evaluate

    calls, rows, answers, ring_cells = {}, {}, {}, {}
    for name, p in plans.items():
        count, zones = counter(p)
        rows[name] = count()
        ring_cells[name] = zones.ring_cells
        calls[f"count_{name}"] = count
        calls[f"evaluation_{name}"] = evaluator(p.pk)
        answers[name] = calls[f"evaluation_{name}"]()
    medians = in_turns(calls, RUNS)

    def record(name, value, unit, baseline=None, ratio=None):
        return {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}

    records = []
    for name in plans:
        count_ms, evaluation_ms = medians[f"count_{name}"], medians[f"evaluation_{name}"]
        records += [
            record(f"count_{name}_ms", round(count_ms, 2), "ms"),
            record(
                f"plan_evaluation_{name}_ms",
                round(evaluation_ms, 2),
                "ms",
                f"count_{name}_ms",
                round(evaluation_ms / count_ms, 2),
            ),
            record(f"evaluated_rows_{name}", rows[name], "events"),
        ]
    records += [
        record("plan_cells", len(cells), "cells"),
        record("ring_cells_cells", ring_cells["cells"], "cells"),
        record("ring_cells_area", ring_cells["area"], "cells"),
        record("evidence_build_s", round(evidence_s, 1), "s"),
        *(record(name, round(value, 1), "s") for name, value in seconds.items()),
        record("events_loaded", 2 * EVENTS, "events"),
        record("bench_total_s", round(time.perf_counter() - bench_started, 1), "s"),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    print(
        f"threat {threat.code}; plans {starts_on} – {ends_on}; "
        + "; ".join(
            f"{name}: police source {a['police_source']}, verdict {a['verdict']['kind']}, "
            f"counts {a['verdict']['counts']}"
            for name, a in answers.items()
        )
    )
    for r in records:
        print(f"{r['name']:28} {r['value']:>12} {r['unit']:8} ratio {r['ratio']}")


if __name__ == "__main__":
    main()
