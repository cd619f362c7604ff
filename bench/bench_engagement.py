"""Meeting the community and coverage on PostGIS, each figure against a baseline measured in
the same run: the presence CSV import, the public iCalendar feed, the coverage tables and the
rollout series, and the supervisor's presence page.

Needs BENCH_POSTGIS_URL (scripts/bench.sh starts a throwaway PostGIS); creates its own database
and loads the demo. Then the demo's presence days are removed and the audit table emptied
(TRUNCATE), so that the import writes into empty tables.

1. Presence import: a CSV (date;badge_number;hours_in;hours_out;reason) of BENCH_PRESENCE_ROWS
   (50,000) rows: the working days (Monday to Friday) back from the day before yesterday of
   every officer serving an area today (a primary or cover assignment; the demo's badge
   numbers), never before their first assignment, by badge number and day; most days 8 hours
   in, some hours elsewhere for HQ duty, training, court or other (hours as "7,5" or "2"), now
   and then a day of leave; the reason mostly as its code, sometimes its name in the officer's
   language or in English. Timed, each into empty presence and audit tables:
   - presence_import_per_s: `presence_import(rows=<text>, actor=None, commit=True)`;
   - presence_dry_run_per_s: the same with commit=False (every check, nothing written);
   - bulk_create_per_s (baseline): `PresenceDay.objects.bulk_create` (batch_size 1000, as the
     import writes) of the same rows already parsed into model instances (no checks, no
     audit events; the instances are built before the clock starts).
   Both tables are TRUNCATEd (not timed) before each run; the last import is left in place.
2. The iCalendar feed of Vinnytsia city hromada (UA05020030000031457) with BENCH_MEETINGS (200)
   meetings made with the models (bulk_create) spread over the last 12 months and the next 3,
   besides the demo's: `GET /calendar/<code>.ics` through Django's test Client (the whole
   middleware stack) answered 200 and answered 304 (If-None-Match with its ETag); baseline:
   `calendar_meetings(area=...)` alone (the queries, no rendering).
3. Coverage on today over the whole demo: `coverage_table(on=today)`,
   `coverage_communities(on=today, region=<Vinnytsia oblast>)` and
   `rollout_series(country="UA", months=36)`; baseline: the officers-only
   `coverage_by_region(on=today)`.
4. The supervisor's presence page, after the import:
   `presence_shares_for_supervisor(user=<supervisor_vinnytsia>, month=<last month>)` (the
   user's officer read again at each call, as in a request); baseline: a plain
   `PresenceDay.objects.filter(day__range=<last month>).aggregate(Sum("hours_in"))`.

Each figure is the median of BENCH_ENGAGEMENT_RUNS (7) runs after one warm-up, in turns with its
baseline (a shared machine drifts; measured in turns, both drift together). Writes
bench/results/engagement.json.
"""

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from harness import fresh_database, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "engagement.json"
ROWS = int(os.environ.get("BENCH_PRESENCE_ROWS", "50000"))
MEETINGS = int(os.environ.get("BENCH_MEETINGS", "200"))
RUNS = int(os.environ.get("BENCH_ENGAGEMENT_RUNS", "7"))
DATABASE = "blisko_bench_engagement"
HROMADA = "UA05020030000031457"  # Vinnytsia city hromada
REGION = "UA05000000000010236"  # Vinnytsia oblast
SUPERVISOR = "supervisor_vinnytsia"
CENTRE = (28.4682, 49.2331)  # lon, lat of Vinnytsia city centre
SEED = 20_260_313


def timed(call: Callable[[], object], before: Callable[[], object] | None = None) -> float:
    """Seconds `call()` takes; `before()` (not timed) runs first."""
    if before is not None:
        before()
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def in_turns(
    calls: dict[str, Callable[[], object]],
    runs: int,
    before: dict[str, Callable[[], object]] | None = None,
) -> dict[str, float]:
    """Each call once as a warm-up, then `runs` rounds of every call in turn, each call's
    `before` (not timed) just before it; the median seconds of each call."""
    before = before or {}
    for name, call in calls.items():
        timed(call, before.get(name))
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            times[name].append(timed(call, before.get(name)))
    return {name: statistics.median(values) for name, values in times.items()}


def presence_rows(today: dt.date) -> tuple[str, list[tuple[int, dt.date, Decimal, Decimal, str]]]:
    """The CSV text of ROWS presence rows and the same rows parsed (officer id, day, hours in,
    hours out, reason code); see the module's text."""
    from django.utils import translation

    from blisko.core.periods import serving_on
    from blisko.engagement.models import AbsenceReason
    from blisko.engagement.selectors.presence import first_days
    from blisko.officers.models import Assignment, Role
    from blisko.territories.models import Country

    serving = (
        Assignment.objects.filter(serving_on(today), officer__is_active=True)
        .exclude(role=Role.SUPERVISOR)
        .values_list("officer_id", "officer__badge_number", "officer__unit__country")
        .distinct()
        .order_by("officer__badge_number")
    )
    officers = {pk: (badge, country) for pk, badge, country in serving}
    firsts = first_days(officer_ids=list(officers))
    names: dict[str, dict[str, str]] = {}
    for language in ("uk", "pl", "en"):
        with translation.override(language):
            names[language] = {code: str(label) for code, label in AbsenceReason.choices}
    reasons = [AbsenceReason.HQ_DUTY] * 5 + [AbsenceReason.TRAINING] * 2
    reasons += [AbsenceReason.COURT] * 2 + [AbsenceReason.OTHER]
    rng = random.Random(SEED)

    keys: list[tuple[int, dt.date]] = []
    day = today - dt.timedelta(days=2)
    earliest = min(firsts.values())
    while len(keys) < ROWS and day >= earliest:
        if day.weekday() < 5:
            for pk in officers:
                if firsts.get(pk, day) <= day and len(keys) < ROWS:
                    keys.append((pk, day))
        day -= dt.timedelta(days=1)
    keys.sort(key=lambda k: (officers[k[0]][0], k[1]))

    def written(code: str, country: str) -> str:
        pick = rng.random()
        if pick < 0.85:
            return code
        if pick < 0.95:
            return names["uk" if country == Country.UKRAINE else "pl"][code]
        return names["en"][code].capitalize()

    lines = ["date;badge_number;hours_in;hours_out;reason\n"]
    parsed = []
    for pk, day in keys:
        badge, country = officers[pk]
        pick = rng.random()
        if pick < 0.03:
            hours_in, hours_out, reason = "0", "8", AbsenceReason.LEAVE
        elif pick < 0.18:
            hours_out = rng.choice(["0,5", "1", "1,5", "2", "3", "4"])
            hours_in = str(Decimal(8) - Decimal(hours_out.replace(",", "."))).replace(".", ",")
            reason = rng.choice(reasons)
        elif pick < 0.22:
            hours_in, hours_out, reason = "7,5", "0", ""
        else:
            hours_in, hours_out, reason = "8", "0", ""
        shown = written(reason, country) if reason else ""
        lines.append(f"{day.isoformat()};{badge};{hours_in};{hours_out};{shown}\n")
        parsed.append(
            (
                pk,
                day,
                Decimal(hours_in.replace(",", ".")).quantize(Decimal("0.01")),
                Decimal(hours_out.replace(",", ".")).quantize(Decimal("0.01")),
                str(reason),
            )
        )
    return "".join(lines), parsed


def add_meetings(area_code: str, now: dt.datetime) -> int:
    """MEETINGS meetings of the area made with the models, spread evenly over the last 12
    months and the next 3 (weekdays, local evenings): the past ones mostly held (with minutes),
    some cancelled, the coming ones planned; each with the area's primary officer."""
    from django.contrib.gis.geos import Point

    from blisko.core.clock import country_zone
    from blisko.engagement.models import Meeting, MeetingKind, MeetingStatus
    from blisko.officers.models import PRIMARY_ROLES, Assignment
    from blisko.territories.models import Area

    area = Area.objects.defer("boundary").get(code=area_code)
    officer_ids = list(
        Assignment.objects.filter(area=area, role__in=PRIMARY_ROLES, covers__isnull=True)
        .order_by("starts_on")
        .values_list("officer_id", flat=True)[:2]
    )
    assert officer_ids, "no officer serves the hromada"
    zone = country_zone(area.country)
    rng = random.Random(SEED + 1)
    kinds = list(MeetingKind.values)
    first = now - dt.timedelta(days=365)
    span = dt.timedelta(days=365 + 91)
    meetings = []
    for index in range(MEETINGS):
        day = (first + span * (index + 0.5) / MEETINGS).astimezone(zone).date()
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        kind = kinds[index % len(kinds)]
        starts = dt.datetime.combine(
            day, dt.time(10 if kind == MeetingKind.SCHOOL_VISIT else 17, 30), tzinfo=zone
        )
        past = starts < now
        cancelled = past and rng.random() < 0.1
        held = past and not cancelled
        lon, lat = CENTRE
        meetings.append(
            Meeting(
                area=area,
                kind=kind,
                title=f"Зустріч із мешканцями № {index + 1}: безпека на вулицях громади",
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=90),
                location=Point(lon + rng.uniform(-0.03, 0.03), lat + rng.uniform(-0.02, 0.02))
                if rng.random() < 0.7
                else None,
                address=f"Будинок культури № {index % 7 + 1}, вул. Соборна, {index + 1}",
                online_url="https://meet.example.org/blisko" if rng.random() < 0.2 else "",
                description="Офіцер громади розповість про звернення мешканців за місяць. "
                "Приходьте з питаннями про безпеку на вулицях і у дворах.",
                partners="Староста округу, представник громади" if index % 3 == 0 else "",
                status=MeetingStatus.CANCELLED
                if cancelled
                else MeetingStatus.HELD
                if held
                else MeetingStatus.PLANNED,
                cancel_reason="Офіцера залучено до чергування; зустріч перенесено."
                if cancelled
                else "",
                minutes="Мешканці назвали місця, де небезпечно ввечері." if held else "",
                attendance=rng.randrange(6, 70) if held else None,
                decisions="Посилити вечірнє патрулювання біля ринку." if held else "",
                sequence=rng.randrange(0, 3),
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=500)
    through = Meeting.officers.through
    through.objects.bulk_create(
        [
            through(meeting_id=m.pk, officer_id=officer_id)
            for m in meetings
            for officer_id in officer_ids[: 1 + (m.pk % 2)]
        ]
    )
    return len(meetings)


def main() -> None:
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    bench_started = time.perf_counter()
    # Production settings (no DEBUG query log); the test Client's host is "testserver".
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    setup_django(fresh_database(base, DATABASE))
    # WhiteNoise's note that `collectstatic` was not run: the feed serves no static file.
    warnings.filterwarnings("ignore", message="No directory at")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django.utils import timezone

    from blisko.core.clock import site_today
    from blisko.core.models import AuditEvent
    from blisko.demo.loading import demo_load
    from blisko.engagement.models import PresenceDay
    from blisko.engagement.selectors.meetings import calendar_meetings
    from blisko.engagement.selectors.presence import (
        month_add,
        month_end,
        presence_shares_for_supervisor,
    )
    from blisko.engagement.services.presence_import import presence_import
    from blisko.officers.selectors.coverage import coverage_by_region
    from blisko.partnerships.selectors.coverage import (
        coverage_communities,
        coverage_table,
        rollout_series,
    )
    from blisko.territories.models import Area
    from blisko.territories.selectors.areas import area_by_code

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_load()
    demo_s = time.perf_counter() - started
    today = site_today()
    tables = f"{PresenceDay._meta.db_table}, {AuditEvent._meta.db_table}"

    def empty() -> None:
        # TRUNCATE, not DELETE: empty tables, not ones full of dead rows of the same keys.
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables}")

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    empty()  # the demo's presence days and every audit event the demo wrote

    # 1. The presence import.
    text, parsed = presence_rows(today)
    count = len(parsed)
    assert count == ROWS, f"only {count} working days to import"
    instances: list[PresenceDay] = []

    def build() -> None:
        empty()
        instances[:] = [
            PresenceDay(officer_id=pk, day=day, hours_in=h_in, hours_out=h_out, reason_out=why)
            for pk, day, h_in, h_out, why in parsed
        ]

    def bulk() -> None:
        PresenceDay.objects.bulk_create(instances, batch_size=1000)

    answers = {}

    def importer(commit: bool) -> Callable[[], None]:
        def run() -> None:
            result = presence_import(rows=text, actor=None, commit=commit)
            assert result.is_valid and result.created == count, (result.errors[:3], result)
            answers[commit] = result

        return run

    import_s = in_turns(
        {"bulk_create": bulk, "dry_run": importer(False), "import": importer(True)},
        RUNS,
        before={"bulk_create": build, "dry_run": empty, "import": empty},
    )
    assert PresenceDay.objects.count() == count
    audit_events = AuditEvent.objects.filter(entity="presence").count()
    analyze()

    # 2. The iCalendar feed.
    now = timezone.now()
    added = add_meetings(HROMADA, now)
    analyze()
    area = area_by_code(code=HROMADA)
    feed_meetings = len(calendar_meetings(area=area))
    client = Client()
    url = f"/calendar/{HROMADA}.ics"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    etag = first["ETag"]
    feed_bytes = len(first.content)
    events = first.content.count(b"BEGIN:VEVENT")

    def feed() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert response.content  # the whole body, as a client reads it

    def not_modified() -> None:
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304, response.status_code

    calendar_s = in_turns(
        {
            "calendar_meetings": lambda: calendar_meetings(area=area),
            "feed": feed,
            "not_modified": not_modified,
        },
        RUNS,
    )

    # 3. Coverage.
    region = Area.objects.defer("boundary").get(code=REGION)
    table = coverage_table(on=today)
    communities = coverage_communities(on=today, region=region)
    series = rollout_series(country="UA", months=36)
    coverage_s = in_turns(
        {
            "coverage_by_region": lambda: coverage_by_region(on=today),
            "coverage_table": lambda: coverage_table(on=today),
            "coverage_communities": lambda: coverage_communities(on=today, region=region),
            "rollout_series": lambda: rollout_series(country="UA", months=36),
        },
        RUNS,
    )

    # 4. The supervisor's presence page.
    user = get_user_model().objects.get(username=SUPERVISOR)
    month = month_add(today.replace(day=1), -1)
    span = (month, month_end(month))

    def shares() -> list:
        user._state.fields_cache.pop("officer", None)  # read again, as in each request
        return presence_shares_for_supervisor(user=user, month=month)

    team = shares()
    assert team and any(row.days for row in team), "the supervisor's team has no presence"
    team_s = in_turns(
        {
            "month_sum": lambda: PresenceDay.objects.filter(day__range=span).aggregate(
                Sum("hours_in")
            ),
            "shares": shares,
        },
        RUNS,
    )

    def record(name, value, unit, baseline=None, ratio=None):
        return {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}

    def per_s(name: str, seconds: float, baseline: str | None = None, of: float | None = None):
        rate = count / seconds
        return record(name, round(rate), "rows/s", baseline, round(rate / of, 3) if of else None)

    def ms(name: str, seconds: float, baseline: str | None = None, of: float | None = None):
        return record(
            name, round(seconds * 1000, 2), "ms", baseline, round(seconds / of, 2) if of else None
        )

    bulk_rate = count / import_s["bulk_create"]
    records = [
        per_s("bulk_create_per_s", import_s["bulk_create"]),
        per_s("presence_import_per_s", import_s["import"], "bulk_create_per_s", bulk_rate),
        per_s("presence_dry_run_per_s", import_s["dry_run"], "bulk_create_per_s", bulk_rate),
        record("bulk_create_s", round(import_s["bulk_create"], 2), "s"),
        record("presence_import_s", round(import_s["import"], 2), "s"),
        record("presence_dry_run_s", round(import_s["dry_run"], 2), "s"),
        record("presence_rows", count, "rows"),
        record("presence_audit_events", audit_events, "events"),
        ms("calendar_meetings_ms", calendar_s["calendar_meetings"]),
        ms(
            "calendar_feed_ms",
            calendar_s["feed"],
            "calendar_meetings_ms",
            calendar_s["calendar_meetings"],
        ),
        ms(
            "calendar_not_modified_ms",
            calendar_s["not_modified"],
            "calendar_meetings_ms",
            calendar_s["calendar_meetings"],
        ),
        record(
            "calendar_not_modified_of_feed",
            round(calendar_s["not_modified"] / calendar_s["feed"], 2),
            "ratio",
        ),
        record("calendar_meetings", feed_meetings, "meetings"),
        record("calendar_meetings_added", added, "meetings"),
        record("calendar_events", events, "events"),
        record("calendar_bytes", feed_bytes, "bytes"),
        ms("coverage_by_region_ms", coverage_s["coverage_by_region"]),
        *(
            ms(
                f"{name}_ms",
                coverage_s[name],
                "coverage_by_region_ms",
                coverage_s["coverage_by_region"],
            )
            for name in ("coverage_table", "coverage_communities", "rollout_series")
        ),
        record("coverage_regions", len(table.regions), "regions"),
        record("coverage_communities_region", len(communities), "communities"),
        record("rollout_months", len(series.months), "months"),
        ms("presence_month_sum_ms", team_s["month_sum"]),
        ms(
            "presence_shares_for_supervisor_ms",
            team_s["shares"],
            "presence_month_sum_ms",
            team_s["month_sum"],
        ),
        record("presence_team_officers", len(team), "officers"),
        record("demo_load_s", round(demo_s, 1), "s"),
        record("runs", RUNS, "runs"),
        record("cores", os.cpu_count(), "cores"),
        record("load_average_1min", round(os.getloadavg()[0], 2), "load"),
        record("bench_total_s", round(time.perf_counter() - bench_started, 1), "s"),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    print(
        f"presence: {count} rows, {answers[True].created} created, {audit_events} audit events; "
        f"calendar: {feed_meetings} meetings, {events} events, {feed_bytes} bytes; "
        f"supervisor {SUPERVISOR}: {len(team)} officers in {month:%Y-%m}; "
        f"{os.cpu_count()} cores"
    )
    print(f"{'figure':36} {'value':>12} {'unit':8} {'baseline':24} ratio")
    for r in records:
        print(
            f"{r['name']:36} {r['value']:>12} {r['unit']:8} {r['baseline'] or '':24} "
            f"{'' if r['ratio'] is None else r['ratio']}"
        )


if __name__ == "__main__":
    main()
