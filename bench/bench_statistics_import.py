"""Police statistics import on PostGIS: `statistics_import_file` against a plain COPY of the
same rows.

Needs BENCH_POSTGIS_URL (scripts/bench.sh starts a throwaway PostGIS); creates its own
database and loads the demo's territories. The file: every demo area × BENCH_STAT_MONTHS (36)
months × the 16 statistic categories, codes as written by a police export. Timed:
- statistics_import_per_s: the whole import with --commit (read and check every row, look up
  what is on record, COPY + INSERT … ON CONFLICT, the audit event), into an empty table;
- statistics_reimport_per_s: the same file again with every count changed (every figure
  replaced and audited);
- plain_copy_per_s (baseline): the same rows COPYed straight into the table (no reading, no
  checks, no upsert), psycopg adapting each row (`write_row`);
- preformatted_copy_per_s: the same COPY, the rows already formatted as COPY text (formatting
  not timed): the engine's own floor for these rows (the foreign keys' checks at commit and the
  indexes included); the import's and re-import's ratios to it are recorded too.
Both COPYs fire the foreign keys' per-row checks at commit; the import, a bulk load, drops and
re-creates the keys instead (checked once for the whole table), which is why it may beat them.
The table is emptied with TRUNCATE before each run into an empty table.
Writes bench/results/statistics_import.json.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from harness import fresh_database, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "statistics_import.json"
MONTHS = int(os.environ.get("BENCH_STAT_MONTHS", "36"))
DATABASE = "blisko_bench_statistics"


def main() -> None:
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    setup_django(fresh_database(base, DATABASE), settings="config.settings.local")
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from blisko.demo.loading import demo_load
    from blisko.diagnosis.models import StatisticCategory
    from blisko.diagnosis.services.statistics import statistics_import_file
    from blisko.territories.models import Area

    call_command("migrate", verbosity=0)
    demo_load()

    def empty() -> None:
        # TRUNCATE, not DELETE: an empty table, not one full of dead rows of the same keys.
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE diagnosis_statistic")

    # The demo brings statistics of its own (18 months, through this import): start empty.
    empty()
    areas = list(Area.objects.values_list("code", "pk"))
    categories = list(StatisticCategory.objects.values_list("code", "pk"))
    rows = [
        (
            code,
            pk,
            2023 + m // 12,
            m % 12 + 1,
            category,
            category_pk,
            (pk * 7 + m * 3 + category_pk) % 60,
        )
        for code, pk in areas
        for m in range(MONTHS)
        for category, category_pk in categories
    ]
    count = len(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "statistics.csv"

        def write(shift: int) -> None:
            with path.open("w", encoding="utf-8") as handle:
                handle.write("area_code,period,offence,count\n")
                for code, _pk, year, month, category, _cpk, n in rows:
                    handle.write(f"{code},{year}-{month:02d},{category},{n + shift}\n")

        # Baseline: the same rows COPYed straight in (psycopg adapting each row), then removed.
        now = timezone.now()
        started = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.connection.cursor() as pg,
            pg.copy(
                "COPY diagnosis_statistic (area_id, period, category_id, count, created_at, "
                "updated_at) FROM STDIN"
            ) as copy,
        ):
            for _code, pk, year, month, _category, category_pk, n in rows:
                copy.write_row((pk, dt.date(year, month, 1), category_pk, n, now, now))
        plain_s = time.perf_counter() - started
        empty()
        # The same again, the rows already formatted as COPY text (formatting not timed): the
        # engine's own floor for putting these rows into the table, checks and indexes included.
        stamp = now.isoformat()
        text = "".join(
            f"{pk}\t{year}-{month:02d}-01\t{category_pk}\t{n}\t{stamp}\t{stamp}\n"
            for _code, pk, year, month, _category, category_pk, n in rows
        ).encode()
        started = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.connection.cursor() as pg,
            pg.copy(
                "COPY diagnosis_statistic (area_id, period, category_id, count, created_at, "
                "updated_at) FROM STDIN"
            ) as copy,
        ):
            for start in range(0, len(text), 1 << 20):
                copy.write(text[start : start + (1 << 20)])
        floor_s = time.perf_counter() - started
        empty()

        write(0)
        started = time.perf_counter()
        first = statistics_import_file(path=path, commit=True)
        import_s = time.perf_counter() - started
        assert first.created == count and not first.problem_count, first
        write(1)
        started = time.perf_counter()
        again = statistics_import_file(path=path, commit=True)
        reimport_s = time.perf_counter() - started
        assert again.replaced == count, again

    def record(name, value, unit, baseline=None, ratio=None):
        return {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}

    plain = count / plain_s
    floor = count / floor_s
    records = [
        record("plain_copy_per_s", round(plain), "rows/s"),
        record(
            "preformatted_copy_per_s",
            round(floor),
            "rows/s",
            "plain_copy_per_s",
            round(floor / plain, 3),
        ),
        record(
            "statistics_import_per_s",
            round(count / import_s),
            "rows/s",
            "plain_copy_per_s",
            round(count / import_s / plain, 3),
        ),
        record(
            "statistics_reimport_per_s",
            round(count / reimport_s),
            "rows/s",
            "plain_copy_per_s",
            round(count / reimport_s / plain, 3),
        ),
        record("statistics_rows", count, "rows"),
        record(
            "statistics_import_of_preformatted_copy",
            round(count / import_s / floor, 3),
            "ratio",
        ),
        record(
            "statistics_reimport_of_preformatted_copy",
            round(count / reimport_s / floor, 3),
            "ratio",
        ),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    for r in records:
        print(r["name"], r["value"], r["unit"], r["ratio"] or "")


if __name__ == "__main__":
    main()
