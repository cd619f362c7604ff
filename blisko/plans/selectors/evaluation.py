"""A plan's evaluation from the data, at any time (so far) or at its end: the threat's events
in the plan's place, its ring and the control, in the three periods of
`blisko.plans.evaluation`, the figures and the verdict, what was done, and how the reports of
the place were verified. The answer is a JSON-ready dict, the same shape live and frozen
(`Plan.evaluation`), so pages and the API read one thing.

Counting: the events of the threat are the police incidents of the incident categories that
count towards it and the residents' reports of its map categories (not found "not confirmed"
or duplicates), each at its exact place: one grouped query per source over the parent area's
events of those categories in the whole span, each event put in one zone (place, ring,
control, elsewhere) and one time segment by a CASE. The place of a whole-area plan is told by
the event's area (no geometry); a drawn place or chosen cells by ST_Intersects. For a whole-area
plan whose compared periods are whole months, the police part of the place and of the control
is the **police statistics** when the area and its parent have figures for every month
compared (else incidents); the displacement (WDQ) is always measured on events with a place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from blisko.core.clock import site_today
from blisko.diagnosis.models import Incident, IncidentCategory
from blisko.diagnosis.periods import Period
from blisko.diagnosis.selectors.diagnosis import area_subtree, statistics_of_threat
from blisko.plans.evaluation import Counts, judge
from blisko.plans.models import ActionKind, ActionStatus, PlaceKind, Plan
from blisko.plans.places import cells_of_shape, cells_shape, ring_of
from blisko.reports.models import Report, Status
from blisko.territories.models import Area

_NOT_COUNTED = (Status.NOT_CONFIRMED, Status.DUPLICATE)
PLACE, RING, CONTROL, ELSEWHERE = 0, 1, 2, 3


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Periods:
    start: dt.date  # the plan's first day
    end: dt.date  # the day after the last day evaluated
    days: int

    @property
    def before(self) -> tuple[dt.date, dt.date]:
        return self.start - dt.timedelta(days=self.days), self.start

    @property
    def year(self) -> tuple[dt.date, dt.date]:
        start = _year_before(self.start)
        return start, start + dt.timedelta(days=self.days)

    @property
    def during(self) -> tuple[dt.date, dt.date]:
        return self.start, self.end


def plan_periods(plan: Plan, *, today: dt.date) -> Periods | None:
    """The part of the plan to evaluate on `today`: from its start to its end or to yesterday,
    whichever comes first; None before its first whole day."""
    end = min(plan.ends_on + dt.timedelta(days=1), today)
    if end <= plan.starts_on:
        return None
    return Periods(plan.starts_on, end, (end - plan.starts_on).days)


@dataclass
class _Zones:
    area_ids: list[int]
    parent_ids: list[int]
    place: GEOSGeometry | None  # None: the whole area (by area_id)
    ring: GEOSGeometry | None
    ring_cells: int
    near_ids: list[int]  # areas the ring reaches beyond the parent


def _zones(plan: Plan) -> _Zones:
    area = plan.area
    area_ids = area_subtree(area.pk)
    parent_ids = area_subtree(area.parent_id) if area.parent_id else list(area_ids)
    if plan.place_kind == PlaceKind.AREA or plan.place is None:
        place = None
        boundary = Area.objects.only("boundary").get(pk=area.pk).boundary
        cells = cells_of_shape(boundary) if boundary is not None else set()
    else:
        place = plan.place
        cells = set(plan.place_cells) if plan.place_kind == PlaceKind.CELLS else set()
        cells = cells or cells_of_shape(place)
    ring_cells = ring_of(cells)
    # The ring is told as "in the cells or their ring, but not in the place": the place is
    # checked first, and an area's (or a polygon's) edge cuts through the cells it holds.
    ring = cells_shape(cells | ring_cells) if ring_cells else None
    near: list[int] = []
    if ring is not None:
        # Events are filed under the finest area: the ancestors the ring touches add nothing.
        inside = set(parent_ids) | {a.pk for a in area.ancestors()}
        near = [
            pk
            for pk in Area.objects.filter(
                boundary__intersects=ring, valid_to__isnull=True
            ).values_list("pk", flat=True)
            if pk not in inside
        ]
    return _Zones(area_ids, parent_ids, place, ring, len(ring_cells), near)


def _segments(periods: Periods) -> list[dt.date]:
    """The boundaries of the disjoint time segments the three periods are made of."""
    days = {*periods.before, *periods.year, *periods.during}
    return sorted(days)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _grouped(queryset: Any, field: str, zones: _Zones, bounds: list[dt.date]) -> dict:
    """{(zone, segment): count} of the events of `queryset`; segment i is [bounds[i],
    bounds[i+1])."""
    in_place = (
        Q(area_id__in=zones.area_ids)
        if zones.place is None
        else Q(location__intersects=zones.place)
    )
    whens = [When(in_place, then=Value(PLACE))]
    if zones.ring is not None:
        outside_area = ~Q(area_id__in=zones.area_ids) if zones.place is None else Q()
        whens.append(When(outside_area & Q(location__intersects=zones.ring), then=Value(RING)))
    whens.append(When(area_id__in=zones.parent_ids, then=Value(CONTROL)))
    zone = Case(*whens, default=Value(ELSEWHERE), output_field=IntegerField())
    segment = Case(
        *(
            When(**{f"{field}__lt": _aware(bound)}, then=Value(i))
            for i, bound in enumerate(bounds[1:-1])
        ),
        default=Value(len(bounds) - 2),
        output_field=IntegerField(),
    )
    rows = (
        queryset.filter(
            area_id__in=zones.parent_ids + zones.near_ids,
            **{f"{field}__gte": _aware(bounds[0]), f"{field}__lt": _aware(bounds[-1])},
        )
        .annotate(zone=zone, segment=segment)
        .values_list("zone", "segment")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {(z, s): n for z, s, n in rows}


def _in(counts: dict, zone: int, span: tuple[dt.date, dt.date], bounds: list[dt.date]) -> int:
    start, end = bounds.index(span[0]), bounds.index(span[1])
    return sum(counts.get((zone, s), 0) for s in range(start, end))


def _whole_months(span: tuple[dt.date, dt.date]) -> Period | None:
    start, end = span
    if start.day != 1 or end.day != 1:
        return None
    return Period(start, end)


def _statistics(plan: Plan, zones: _Zones, periods: Periods) -> dict[str, tuple[int, int]] | None:
    """{period name: (area count, parent count)} from the statistics, or None when they do
    not cover every month of the three periods (or the plan is not for the whole area)."""
    if zones.place is not None or not plan.area.parent_id:
        return None
    out = {}
    for name, span in (
        ("during", periods.during),
        ("before", periods.before),
        ("year", periods.year),
    ):
        months = _whole_months(span)
        if months is None:
            return None
        own = statistics_of_threat(zones.area_ids, months, plan.threat_id)
        parent = statistics_of_threat(zones.parent_ids, months, plan.threat_id)
        if own is None or parent is None:
            return None
        out[name] = (own, max(parent, own))
    return out


@contextlib.contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL's JIT off for the evaluation's queries: ST_Intersects' high cost estimate
    makes the planner compile a query of a few ten thousand rows, which costs more (~200 ms)
    than running it. Restored afterwards, inside the same transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        (before, _off) = cursor.fetchone()
        yield
        # Only on success: after an error the rollback restores the setting, and a query now
        # would hide the error behind "current transaction is aborted".
        cursor.execute("SELECT set_config('jit', %s, true)", [before])


def plan_evaluation(*, plan: Plan, today: dt.date | None = None) -> dict[str, Any] | None:
    """The plan's evaluation on `today` (default: the site's today) as a JSON-ready dict (see
    the module's text); None before the plan's first whole day."""
    with _without_jit():
        return _evaluation(plan, today)


def _evaluation(plan: Plan, today: dt.date | None) -> dict[str, Any] | None:
    today = today or site_today()
    periods = plan_periods(plan, today=today)
    if periods is None:
        return None
    zones = _zones(plan)
    bounds = _segments(periods)
    incident_categories = list(
        IncidentCategory.objects.filter(statistic_category_id=plan.threat_id).values_list(
            "pk", flat=True
        )
    )
    map_categories = list(plan.threat.kmzb_categories.values_list("pk", flat=True))
    incidents = _grouped(
        Incident.objects.filter(category_id__in=incident_categories), "occurred_at", zones, bounds
    )
    reports = _grouped(
        Report.objects.filter(category_id__in=map_categories).exclude(status__in=_NOT_COUNTED),
        "created_at",
        zones,
        bounds,
    )

    def points(zone: int, span: tuple[dt.date, dt.date]) -> int:
        return _in(incidents, zone, span, bounds) + _in(reports, zone, span, bounds)

    def reported(zone: int, span: tuple[dt.date, dt.date]) -> int:
        return _in(reports, zone, span, bounds)

    on_points = Counts(
        a_during=points(PLACE, periods.during),
        a_before=points(PLACE, periods.before),
        a_year=points(PLACE, periods.year),
        b_during=points(RING, periods.during),
        b_before=points(RING, periods.before),
        c_during=points(CONTROL, periods.during),
        c_before=points(CONTROL, periods.before),
        c_year=points(CONTROL, periods.year),
        days=periods.days,
    )
    statistics = _statistics(plan, zones, periods)
    counts, source = on_points, "incidents"
    if statistics is not None:
        # The place and the control from the statistics plus the residents' reports; the
        # control is the parent's figures less the area's (the ring has no statistics).
        def stat(name: str, span: tuple[dt.date, dt.date]) -> tuple[int, int]:
            own, parent = statistics[name]
            a = own + reported(PLACE, span)
            c = parent - own + reported(CONTROL, span) + reported(RING, span)
            return a, c

        (a1, c1), (a0, c0), (ay, cy) = (
            stat("during", periods.during),
            stat("before", periods.before),
            stat("year", periods.year),
        )
        counts = Counts(
            a1, a0, ay, on_points.b_during, on_points.b_before, c1, c0, cy, periods.days
        )
        source = "statistics"
    verdict = judge(counts, goal_percent=float(plan.goal_percent), displacement=on_points)
    return {
        "as_of": today.isoformat(),
        "during": [periods.start.isoformat(), (periods.end - dt.timedelta(days=1)).isoformat()],
        "before": [
            d.isoformat() for d in (periods.before[0], periods.before[1] - dt.timedelta(days=1))
        ],
        "year": [d.isoformat() for d in (periods.year[0], periods.year[1] - dt.timedelta(days=1))],
        "days": periods.days,
        "complete": periods.end > plan.ends_on,
        "police_source": source,
        "ring_cells": zones.ring_cells,
        "control_area": plan.area.parent.name if plan.area.parent is not None else None,
        "verdict": verdict.as_dict(),
        "actions": _actions(plan, today),
        "reports": _reports_verified(plan, zones, periods),
    }


def _actions(plan: Plan, today: dt.date) -> dict[str, int]:
    actions = list(
        plan.actions.exclude(status=ActionStatus.CANCELLED).values_list("status", "kind", "ends_on")
    )
    return {
        "planned": len(actions),
        "done": sum(1 for status, _kind, _end in actions if status == ActionStatus.DONE),
        "overdue": sum(
            1 for status, _kind, end in actions if status == ActionStatus.PLANNED and end < today
        ),
        "meetings_held": sum(
            1
            for status, kind, _end in actions
            if status == ActionStatus.DONE and kind == ActionKind.MEETING
        ),
    }


def _reports_verified(plan: Plan, zones: _Zones, periods: Periods) -> dict[str, int]:
    """The residents' reports of any category made in the place during the plan: how many,
    how many verified, how many verified by their deadline."""
    reports = Report.objects.filter(
        area_id__in=zones.area_ids,
        created_at__gte=_aware(periods.start),
        created_at__lt=_aware(periods.end),
    ).exclude(status=Status.DUPLICATE)
    if zones.place is not None:
        reports = reports.filter(location__intersects=zones.place)
    return reports.aggregate(
        total=Count("pk"),
        verified=Count("pk", filter=Q(verified_at__isnull=False)),
        in_time=Count(
            "pk", filter=Q(verified_at__isnull=False, verified_at__lte=F("verify_due_at"))
        ),
    )
