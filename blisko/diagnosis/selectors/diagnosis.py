"""The diagnosis of one area for one period: each threat counted from every source, its rates,
its ratio to the parent region and its trend, ranked by the rule of `blisko.diagnosis.ranking`.

A **threat** is a statistic category. It is counted from three sources, each mapped to it by
data the administrator may edit: the police statistics of that category; the police-recorded
incidents whose incident category counts towards it; the residents' map reports (KMZB) of the
map categories it lists (a report counts unless it was found not confirmed or a duplicate).

Police statistics and incidents describe the same events, so they are never added: the police
count of an area is its **statistics** when it has figures for the period, else its
**incidents**. The region (the area's parent) is counted from the same kind of source, so the
two are comparable. A threat's count is the police count plus the residents' reports.

Statistics may be imported for any level: an area's figures are its own when it has any, else
the sum of the figures of the highest level below it that has them (never both, which would
count the same offences twice).

Everything is read by a handful of grouped queries over indexed columns (area, time,
category), so one community's diagnosis is quick with millions of events on record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Case, Count, FloatField, Func, IntegerField, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.diagnosis.models import Incident, IncidentCategory, Statistic, StatisticCategory
from blisko.diagnosis.periods import Period
from blisko.diagnosis.ranking import MIN_EVENTS, Ranking, ThreatFigures, rank, threat_figures
from blisko.reports.models import Report, Status
from blisko.territories.index import current_index, index_rebuild
from blisko.territories.models import LEVEL_ORDER, Area

# Reports found not to be a threat count towards none.
_NOT_COUNTED = (Status.NOT_CONFIRMED, Status.DUPLICATE)


# --- areas ---------------------------------------------------------------------------------


def area_subtree(area_id: int) -> list[int]:
    """The area and every area below it valid today (from the in-memory index)."""
    snapshot = current_index() or index_rebuild()
    children = snapshot.memo.get("diagnosis.children")
    if children is None:
        children = defaultdict(list)
        for pk, area in snapshot.areas.items():
            if area.parent_id is not None:
                children[area.parent_id].append(pk)
        snapshot.memo["diagnosis.children"] = children
    out, stack = [], [area_id]
    while stack:
        pk = stack.pop()
        out.append(pk)
        stack.extend(children.get(pk, ()))
    return out


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# --- counting --------------------------------------------------------------------------------


@dataclass
class _Mapping:
    """Which threat each incident category and each map category counts towards."""

    threats: list[StatisticCategory]
    incident: dict[int, int]  # incident category → statistic category
    kmzb: dict[int, list[int]]  # map category → statistic categories


def _mapping() -> _Mapping:
    threats = list(StatisticCategory.objects.filter(valid_to__isnull=True))
    incident = {
        pk: target
        for pk, target in IncidentCategory.objects.filter(
            statistic_category__isnull=False
        ).values_list("pk", "statistic_category_id")
    }
    kmzb: dict[int, list[int]] = defaultdict(list)
    through = StatisticCategory.kmzb_categories.through
    for statistic_id, category_id in through.objects.values_list(
        "statisticcategory_id", "category_id"
    ):
        kmzb[category_id].append(statistic_id)
    return _Mapping(threats, incident, dict(kmzb))


# (threat id, month) → count
Monthly = dict[tuple[int, dt.date], int]


def _statistics(ids: list[int], period: Period) -> Monthly:
    rows = (
        Statistic.objects.filter(area_id__in=ids, period__gte=period.start, period__lt=period.end)
        .values_list("area__level", "category_id", "period")
        .annotate(n=Sum("count"))
    )
    by_level: dict[str, Monthly] = defaultdict(dict)
    for level, category_id, month, n in rows:
        by_level[level][(category_id, month)] = int(n)
    for level in LEVEL_ORDER:  # the highest level that has figures
        if level in by_level:
            return by_level[level]
    return {}


def statistics_of_threat(ids: list[int], period: Period, threat_id: int) -> int | None:
    """The police statistics' count of one threat in the areas `ids` over `period` (figures of
    the highest level that has any, as the diagnosis counts them), or None unless there are
    figures for every month of the period (a month without any is unknown, not zero)."""
    monthly = _statistics(ids, period)
    covered = {month for _category, month in monthly}
    if any(month not in covered for month in period.months):
        return None
    return sum(n for (category, _month), n in monthly.items() if category == threat_id)


def _grouped(queryset: Any, field: str, period: Period, monthly: bool) -> list[tuple]:
    """(category id, month, count) of the events of `queryset` in `period`. The month is the
    period's first when not `monthly` (the caller needs its total only). Counted from the
    (area, time, category) index alone: COUNT(*), and the month told by comparing the time with
    the months' first instants (a CASE over indexed values; a per-row time zone conversion,
    as TruncMonth does, costs several times more on hundreds of thousands of rows)."""
    queryset = queryset.filter(
        **{f"{field}__gte": _aware(period.start), f"{field}__lt": _aware(period.end)}
    )
    if not monthly:
        rows = queryset.values_list("category_id").annotate(n=Count("*")).order_by()
        return [(category_id, period.start, n) for category_id, n in rows]
    months = period.months
    bucket = Case(
        *(When(**{f"{field}__lt": _aware(end)}, then=Value(i)) for i, end in enumerate(months[1:])),
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )
    rows = (
        queryset.annotate(month=bucket)
        .values_list("category_id", "month")
        .annotate(n=Count("*"))
        .order_by()
    )
    return [(category_id, months[i], n) for category_id, i, n in rows]


def _incidents(ids: list[int], period: Period, mapping: _Mapping, monthly: bool = True) -> Monthly:
    out: Monthly = defaultdict(int)
    rows = _grouped(Incident.objects.filter(area_id__in=ids), "occurred_at", period, monthly)
    for category_id, month, n in rows:
        threat = mapping.incident.get(category_id)
        if threat is not None:
            out[(threat, month)] += n
    return dict(out)


def _reports(ids: list[int], period: Period, mapping: _Mapping, monthly: bool = True) -> Monthly:
    out: Monthly = defaultdict(int)
    counted = Report.objects.filter(area_id__in=ids).exclude(status__in=_NOT_COUNTED)
    for category_id, month, n in _grouped(counted, "created_at", period, monthly):
        for threat in mapping.kmzb.get(category_id, ()):
            out[(threat, month)] += n
    return dict(out)


def _totals(monthly: Monthly, start: dt.date, end: dt.date) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for (threat, month), n in monthly.items():
        if start <= month < end:
            out[threat] += n
    return out


@dataclass
class _Counts:
    police_kind: str | None  # "statistics", "incidents" or None (no police data)
    police: Monthly
    reports: Monthly


def _count(
    ids: list[int],
    period: Period,
    mapping: _Mapping,
    kind: str | None = None,
    monthly: bool = True,
) -> _Counts:
    """Counts over `period` (which includes the previous period when the caller needs
    trends); `kind` forces the police source (the region follows the area). Without
    `monthly`, the events are counted under the period's first month (the region: its totals
    only)."""
    police: Monthly = {}
    if kind in (None, "statistics"):
        police = _statistics(ids, period)
        if police or kind == "statistics":
            kind = "statistics"
    if kind != "statistics":
        police = _incidents(ids, period, mapping, monthly)
        kind = "incidents" if police or kind == "incidents" else None
    return _Counts(kind, police, _reports(ids, period, mapping, monthly))


# --- the diagnosis ---------------------------------------------------------------------------


@dataclass
class ThreatRow:
    category: StatisticCategory
    figures: ThreatFigures
    police: int
    reports: int
    previous_police: int
    previous_reports: int
    monthly: list[int]  # per month of the period: police + reports
    rank: int = 0

    @property
    def code(self) -> str:
        return self.category.code


@dataclass
class Diagnosis:
    area: Area
    region: Area | None
    period: Period
    previous: Period
    population: int | None
    region_population: int | None
    police_kind: str | None
    rows: list[ThreatRow]
    ranking: Ranking
    biggest: ThreatRow | None
    tied: list[ThreatRow] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.figures.count for row in self.rows)

    @property
    def months(self) -> list[dt.date]:
        return self.period.months

    @property
    def min_events(self) -> int:
        return MIN_EVENTS


def diagnosis_for_area(*, area: Area, period: Period) -> Diagnosis:
    """The diagnosis of `area` over `period`: see the module's text."""
    mapping = _mapping()
    previous = period.previous()
    both = Period(previous.start, period.end)
    ids = area_subtree(area.pk)
    own = _count(ids, both, mapping)
    region = area.parent
    region_counts: _Counts | None = None
    if region is not None:
        region_counts = _count(
            area_subtree(region.pk), period, mapping, kind=own.police_kind, monthly=False
        )
    police_now = _totals(own.police, period.start, period.end)
    police_before = _totals(own.police, previous.start, previous.end)
    reports_now = _totals(own.reports, period.start, period.end)
    reports_before = _totals(own.reports, previous.start, previous.end)
    region_now: dict[int, int] = defaultdict(int)
    if region_counts is not None:
        for source in (region_counts.police, region_counts.reports):
            for threat, n in _totals(source, period.start, period.end).items():
                region_now[threat] += n
    months = period.months
    rows: list[ThreatRow] = []
    by_pk: dict[int, ThreatRow] = {}
    for category in mapping.threats:
        pk = category.pk
        count = police_now.get(pk, 0) + reports_now.get(pk, 0)
        before = police_before.get(pk, 0) + reports_before.get(pk, 0)
        figures = threat_figures(
            code=category.code,
            order=category.sort_order,
            count=count,
            previous_count=before,
            # The region holds the area: never fewer events than the area itself.
            region_count=max(region_now.get(pk, 0), count) if region is not None else count,
            population=area.population,
            region_population=region.population if region is not None else None,
        )
        row = ThreatRow(
            category=category,
            figures=figures,
            police=police_now.get(pk, 0),
            reports=reports_now.get(pk, 0),
            previous_police=police_before.get(pk, 0),
            previous_reports=reports_before.get(pk, 0),
            monthly=[own.police.get((pk, m), 0) + own.reports.get((pk, m), 0) for m in months],
        )
        rows.append(row)
        by_pk[id(figures)] = row
    ranking = rank([row.figures for row in rows])
    ordered = [by_pk[id(figures)] for figures in ranking.threats]
    for position, row in enumerate(ordered, start=1):
        row.rank = position
    biggest = by_pk[id(ranking.biggest)] if ranking.biggest is not None else None
    tied: list[ThreatRow] = []
    if biggest is not None:
        tied = [
            row
            for row in ordered[1:]
            if not row.figures.too_few
            and row.figures.count == biggest.figures.count
            and _low(row.figures) == _low(biggest.figures)
        ]
    return Diagnosis(
        area=area,
        region=region,
        period=period,
        previous=previous,
        population=area.population,
        region_population=region.population if region is not None else None,
        police_kind=own.police_kind,
        rows=ordered,
        ranking=ranking,
        biggest=biggest,
        tied=tied,
        sources=_sources(ids, own, period),
    )


def _low(figures: ThreatFigures) -> float | None:
    return figures.vs_region.low if figures.vs_region is not None else None


def _sources(ids: list[int], own: _Counts, period: Period) -> list[dict[str, Any]]:
    """The sources used, with how many events and which months they cover in the period."""

    def covered(monthly: Monthly) -> dict[str, Any]:
        months = sorted({m for (_t, m), n in monthly.items() if n and m >= period.start})
        return {
            "events": sum(n for (_t, m), n in monthly.items() if m >= period.start),
            "first": months[0] if months else None,
            "last": months[-1] if months else None,
        }

    out = []
    if own.police_kind == "statistics":
        out.append({"source": "statistics", "label": _("police statistics"), **covered(own.police)})
    elif own.police_kind == "incidents":
        out.append({"source": "incidents", "label": _("police incidents"), **covered(own.police)})
    out.append({"source": "reports", "label": _("residents' map reports"), **covered(own.reports)})
    return out


# --- hotspots ------------------------------------------------------------------------------


def event_points(
    *, area: Area, period: Period, threat: StatisticCategory | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the area's exact event points in the period: police incidents and the
    residents' reports that count (police-only: exact places). With `threat`, only the events
    counting towards it."""
    ids = area_subtree(area.pk)
    start, end = _aware(period.start), _aware(period.end)
    x = Func("location", function="ST_X", output_field=FloatField())
    y = Func("location", function="ST_Y", output_field=FloatField())
    incidents = Incident.objects.filter(
        area_id__in=ids, occurred_at__gte=start, occurred_at__lt=end
    )
    reports = Report.objects.filter(
        area_id__in=ids, created_at__gte=start, created_at__lt=end
    ).exclude(status__in=_NOT_COUNTED)
    if threat is not None:
        incidents = incidents.filter(category__statistic_category=threat)
        reports = reports.filter(category__statistic_categories=threat)
    lon: list[float] = []
    lat: list[float] = []
    for queryset in (incidents, reports):
        for a, b in queryset.annotate(x=x, y=y).values_list("x", "y").iterator(chunk_size=20_000):
            lon.append(a)
            lat.append(b)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
