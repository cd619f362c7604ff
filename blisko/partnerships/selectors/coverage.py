"""Coverage and rollout of the programme: per region and district, the communities with a
primary officer, with a memorandum in force, with both, with neither; each community's class
for the map; and, month by month, the officers assigned, the communities and regions covered
and the communities with a memorandum, against the targets the administrator enters.

The definitions, shared with `blisko.officers.selectors.coverage`:
- a community is *covered* on a day when a primary officer (`Assignment.is_primary`) is
  assigned on that day (`serving_on`) to the community itself or to one of its service areas,
  every area on the way being current (`valid_on`) that day;
- a community *has a memorandum* on a day when it is a party (`MemorandumArea`) of a
  memorandum in force that day (`blisko.partnerships.models.in_force_on`);
- a region is covered when at least one of its communities is.

Every selector reads the areas once, as (id, parent, level) rows, and walks the hierarchy in
Python: a few queries whatever the number of communities. The rollout reads the assignments'
and the memoranda's periods once and counts each month in Python, so SQLite and PostgreSQL
give the same figures from the same comparisons of dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blisko.core.clock import country_zone
from blisko.core.periods import serving_on, valid_on
from blisko.core.roles import ADMINISTRATOR, ANALYST, OFFICER, SUPERVISOR
from blisko.officers.models import Assignment
from blisko.partnerships.models import (
    MemorandumArea,
    MemorandumStatus,
    RolloutTarget,
    in_force_on,
)
from blisko.plans.selectors.access import officer_of
from blisko.territories.models import Area, Country, Level

# The most steps from an area up to any ancestor (Django rebuilds `Level.values` at each call).
_DEPTH = len(Level.values)

# The rollout chart's longest default span, and the most months one may ask for.
ROLLOUT_DEFAULT_MAX_MONTHS = 36
ROLLOUT_MAX_MONTHS = 120

# How deep the hierarchy goes below a region (district → community → service area).
_BELOW_REGION = 3


class CoverageClass(models.TextChoices):
    """What a community has on a day: the map's colours and the table's columns."""

    BOTH = "both", _("officer and memorandum")
    OFFICER = "officer", _("officer only")
    MEMORANDUM = "memorandum", _("memorandum only")
    NEITHER = "neither", _("neither")


def coverage_class(*, has_officer: bool, has_memorandum: bool) -> CoverageClass:
    """The class of a community with (or without) a primary officer and a memorandum."""
    if has_officer and has_memorandum:
        return CoverageClass.BOTH
    if has_officer:
        return CoverageClass.OFFICER
    if has_memorandum:
        return CoverageClass.MEMORANDUM
    return CoverageClass.NEITHER


# --- who may see it ---------------------------------------------------------------------------


def coverage_user_may_see(*, user: Any) -> bool:
    """Whether `user` may open the coverage pages: any signed-in police user (a superuser, a
    member of the administrator, analyst, supervisor or officer group, or an account linked to
    an active officer). A community head, or an account with no police role, may not.

    The figures are counts of communities, with no person in them: every police user sees
    every region (the programme is national)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.groups.filter(name__in=[ADMINISTRATOR, ANALYST, SUPERVISOR, OFFICER]).exists():
        return True
    return officer_of(user) is not None


def coverage_default_scope(*, user: Any) -> tuple[str | None, Area | None]:
    """The country and region a user's coverage page opens on: those of the areas they serve
    or supervise today (the first, by code), else (None, None)."""
    officer = officer_of(user)
    if officer is None:
        return None, None
    day = timezone.localdate()
    area_ids = list(
        Assignment.objects.filter(serving_on(day), officer=officer)
        .order_by("area__code")
        .values_list("area_id", flat=True)[:1]
    )
    if not area_ids:
        return officer.unit.country, None
    area = (
        Area.objects.defer("boundary")
        .select_related("parent", "parent__parent")
        .get(pk=area_ids[0])
    )
    region = next(
        (a for a in [area, *area.ancestors()] if a.level == Level.REGION and _is_current(a, day)),
        None,
    )
    return area.country, region


def coverage_regions(*, on: dt.date | None = None, country: str | None = None) -> list[Area]:
    """The regions current on `on` (today by default), of `country` if given, by country and
    name (for the filter). One query."""
    day = on or timezone.localdate()
    regions = Area.objects.filter(valid_on(day), level=Level.REGION).defer("boundary")
    if country is not None:
        regions = regions.filter(country=country)
    return sorted(regions, key=lambda a: (a.country, a.name, a.code))


def _is_current(area: Area, day: dt.date) -> bool:
    return area.valid_from <= day and (area.valid_to is None or area.valid_to > day)


# --- the hierarchy, walked in Python ----------------------------------------------------------


class _Tree:
    """Areas as (id → parent, level, validity): ancestors found in memory. An area counts on a
    day only when it is valid then, and so does every area on the way up to the ancestor."""

    def __init__(self, rows: Iterable[tuple[int, int | None, str, dt.date, dt.date | None]]):
        self.parent: dict[int, int | None] = {}
        self.level: dict[int, str] = {}
        self.valid: dict[int, tuple[dt.date, dt.date | None]] = {}
        for pk, parent, level, valid_from, valid_to in rows:
            self.parent[pk] = parent
            self.level[pk] = level
            self.valid[pk] = (valid_from, valid_to)

    def is_valid(self, pk: int, day: dt.date) -> bool:
        period = self.valid.get(pk)
        if period is None:
            return False
        start, end = period
        return start <= day and (end is None or end > day)

    def ancestor(self, pk: int | None, level: str, day: dt.date) -> int | None:
        """`pk` itself or its nearest ancestor of `level`, through areas valid on `day`."""
        for _step in range(_DEPTH):
            if pk is None or not self.is_valid(pk, day):
                return None
            if self.level[pk] == level:
                return pk
            pk = self.parent.get(pk)
        return None

    def communities(self, day: dt.date) -> list[int]:
        return [
            pk
            for pk, level in self.level.items()
            if level == Level.COMMUNITY and self.is_valid(pk, day)
        ]


def _below_region(region: Area, prefix: str = "") -> Q:
    """The region and every area below it, reached through `prefix` (e.g. "area__")."""
    condition = Q(**{f"{prefix}pk": region.pk})
    for depth in range(1, _BELOW_REGION + 1):
        condition |= Q(**{prefix + "__".join(["parent"] * depth) + "_id": region.pk})
    return condition


def _scope(prefix: str, country: str | None, region: Area | None) -> Q:
    condition = Q()
    if country is not None:
        condition &= Q(**{f"{prefix}country": country})
    if region is not None:
        condition &= _below_region(region, prefix)
    return condition


@dataclass
class _Day:
    """What one day looks like: the areas in scope and the communities with each thing."""

    day: dt.date
    tree: _Tree
    areas: dict[int, Area]
    with_officer: set[int]
    with_memorandum: set[int]

    def region_of(self, pk: int) -> int | None:
        return self.tree.ancestor(self.tree.parent.get(pk), Level.REGION, self.day)

    def district_of(self, pk: int) -> int | None:
        return self.tree.ancestor(self.tree.parent.get(pk), Level.DISTRICT, self.day)

    def class_of(self, pk: int) -> CoverageClass:
        return coverage_class(
            has_officer=pk in self.with_officer, has_memorandum=pk in self.with_memorandum
        )


def _day(day: dt.date, country: str | None, region: Area | None) -> _Day:
    """Three queries: the current areas in scope, the primary assignments of the day, the
    community parties of the memoranda in force that day."""
    areas = {
        a.pk: a
        for a in Area.objects.filter(valid_on(day), _scope("", country, region)).defer("boundary")
    }
    tree = _Tree((a.pk, a.parent_id, a.level, a.valid_from, a.valid_to) for a in areas.values())
    with_officer: set[int] = set()
    for area_id in Assignment.objects.filter(
        serving_on(day), _scope("area__", country, region), is_primary=True
    ).values_list("area_id", flat=True):
        community = tree.ancestor(area_id, Level.COMMUNITY, day)
        if community is not None:
            with_officer.add(community)
    with_memorandum = {
        area_id
        for area_id in MemorandumArea.objects.filter(
            in_force_on(day, "memorandum__"), _scope("area__", country, region)
        ).values_list("area_id", flat=True)
        if tree.level.get(area_id) == Level.COMMUNITY
    }
    return _Day(day, tree, areas, with_officer, with_memorandum)


# --- the table --------------------------------------------------------------------------------


@dataclass
class Counts:
    """Communities, and of them: with a primary officer, with a memorandum in force, with
    both, with neither (officer and memorandum each include those with both)."""

    communities: int = 0
    officer: int = 0
    memorandum: int = 0
    both: int = 0
    neither: int = 0

    def add(self, kind: CoverageClass) -> None:
        self.communities += 1
        if kind in (CoverageClass.BOTH, CoverageClass.OFFICER):
            self.officer += 1
        if kind in (CoverageClass.BOTH, CoverageClass.MEMORANDUM):
            self.memorandum += 1
        if kind == CoverageClass.BOTH:
            self.both += 1
        if kind == CoverageClass.NEITHER:
            self.neither += 1

    def extend(self, other: Counts) -> None:
        self.communities += other.communities
        self.officer += other.officer
        self.memorandum += other.memorandum
        self.both += other.both
        self.neither += other.neither

    def percent(self, count: int) -> float | None:
        """`count` as a share of the communities, in per cent (None when there are none)."""
        return None if not self.communities else round(100.0 * count / self.communities, 1)

    @property
    def officer_percent(self) -> float | None:
        return self.percent(self.officer)

    @property
    def memorandum_percent(self) -> float | None:
        return self.percent(self.memorandum)

    @property
    def both_percent(self) -> float | None:
        return self.percent(self.both)

    @property
    def neither_percent(self) -> float | None:
        return self.percent(self.neither)


@dataclass
class DistrictRow:
    district: Area | None  # None: the region's communities that belong to no district
    counts: Counts = field(default_factory=Counts)


@dataclass
class RegionRows:
    region: Area
    districts: list[DistrictRow]
    totals: Counts


@dataclass
class CoverageTable:
    on: dt.date
    regions: list[RegionRows]
    totals: Counts


def coverage_table(
    *, on: dt.date, country: str | None = None, region: Area | None = None
) -> CoverageTable:
    """Per region (of `country`, or only `region`) and per district inside it, how many of the
    communities current on `on` have a primary officer, a memorandum in force, both, neither;
    totals per region and overall.

    Regions with no current community are left out; communities directly under a region
    (no district) make a row of their own (`district` None), last. Regions by country and
    name, districts by name. Three queries.
    """
    state = _day(on, country, region)
    by_region: dict[int, dict[int | None, Counts]] = {}
    for pk in state.tree.communities(on):
        region_id = state.region_of(pk)
        if region_id is None:
            continue
        district_id = state.district_of(pk)
        counts = by_region.setdefault(region_id, {}).setdefault(district_id, Counts())
        counts.add(state.class_of(pk))
    regions = []
    totals = Counts()
    for region_id, districts in by_region.items():
        rows = sorted(
            (
                DistrictRow(state.areas[district_id] if district_id is not None else None, counts)
                for district_id, counts in districts.items()
            ),
            key=lambda row: (row.district is None, row.district.name if row.district else ""),
        )
        region_totals = Counts()
        for row in rows:
            region_totals.extend(row.counts)
        totals.extend(region_totals)
        regions.append(RegionRows(state.areas[region_id], rows, region_totals))
    regions.sort(key=lambda r: (r.region.country, r.region.name, r.region.code))
    return CoverageTable(on=on, regions=regions, totals=totals)


# --- the map ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityCoverage:
    id: int
    code: str
    name: str
    district: str  # the district's name, "" when none
    kind: CoverageClass


def coverage_communities(*, on: dt.date, region: Area | None = None) -> list[CommunityCoverage]:
    """Each community current on `on` (of `region`, or every one) with its class: officer and
    memorandum, officer only, memorandum only, neither; with its code, name (active language)
    and district's name; by code. Three queries."""
    state = _day(on, None, region)
    result = []
    for pk in state.tree.communities(on):
        if region is not None and state.region_of(pk) != region.pk:
            continue
        area = state.areas[pk]
        district_id = state.district_of(pk)
        result.append(
            CommunityCoverage(
                id=pk,
                code=area.code,
                name=area.name,
                district=state.areas[district_id].name if district_id is not None else "",
                kind=state.class_of(pk),
            )
        )
    result.sort(key=lambda c: c.code)
    return result


# --- the rollout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetPoint:
    on: dt.date
    officers: int
    communities: int
    regions: int


@dataclass(frozen=True)
class Target:
    officers: int
    communities: int
    regions: int


@dataclass(frozen=True)
class RolloutMonth:
    month: dt.date  # the first day of the month
    day: dt.date  # the day counted: the month's last, or today in the current month
    officers: int
    communities: int
    regions: int
    memoranda: int
    target: Target | None  # None before the first target point


@dataclass
class RolloutSeries:
    country: str
    months: list[RolloutMonth]
    targets: list[TargetPoint]

    @property
    def has_targets(self) -> bool:
        return bool(self.targets)


def _round(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def target_on(points: list[TargetPoint], day: dt.date) -> Target | None:
    """The target on `day`, linearly interpolated (by days) between the two points around it
    and rounded half up; None before the first point; the last point's values after it.
    `points` are ordered by date, with no two on one day."""
    if not points or day < points[0].on:
        return None
    if day >= points[-1].on:
        last = points[-1]
        return Target(last.officers, last.communities, last.regions)
    for before, after in zip(points, points[1:], strict=False):
        if before.on <= day < after.on:
            share = (day - before.on).days / (after.on - before.on).days

            def between(a: int, b: int, share: float = share) -> int:
                return _round(a + (b - a) * share)

            return Target(
                between(before.officers, after.officers),
                between(before.communities, after.communities),
                between(before.regions, after.regions),
            )
    return None  # unreachable for ordered points


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def memorandum_in_force(
    *,
    status: str,
    signed_on: dt.date | None,
    valid_until: dt.date | None,
    terminated_on: dt.date | None,
    day: dt.date,
) -> bool:
    """`in_force_on` (blisko.partnerships.models) for one memorandum's fields, in Python: not a
    draft, signed by `day`, not past its end, not terminated by then. Tested equal to it."""
    return (
        status != MemorandumStatus.DRAFT
        and signed_on is not None
        and signed_on <= day
        and (valid_until is None or valid_until >= day)
        and (terminated_on is None or terminated_on > day)
    )


def _serving(starts_on: dt.date, ends_on: dt.date | None, day: dt.date) -> bool:
    """`serving_on` (blisko.core.periods) for one assignment, in Python."""
    return starts_on <= day and (ends_on is None or ends_on >= day)


def rollout_series(
    *, country: str, months: int | None = None, today: dt.date | None = None
) -> RolloutSeries:
    """Month by month, in `country`: the officers assigned (distinct officers with a primary
    assignment active that day), the communities covered, the regions covered (at least one
    community covered) and the communities with a memorandum in force, each counted on the
    month's last day, or on `today` (the country's today by default) in the current month;
    with the target of each month interpolated between the country's `RolloutTarget` points.

    `months`: the last so many months up to the current one (1 to ROLLOUT_MAX_MONTHS); by
    default every month since the first primary assignment's, at most
    ROLLOUT_DEFAULT_MAX_MONTHS; no month at all when nobody was ever assigned.
    Five queries (four with `months` given), whatever the number of areas and months.
    """
    if country not in Country.values:
        raise ValueError(f"unknown country {country!r}")
    today = today or timezone.localdate(timezone=country_zone(country))
    current = today.replace(day=1)
    if months is None:
        first = Assignment.objects.filter(area__country=country, is_primary=True).aggregate(
            first=Min("starts_on")
        )["first"]
        if first is None or first > today:
            count = 0
        else:
            count = min(_months_between(first, current), ROLLOUT_DEFAULT_MAX_MONTHS)
    else:
        count = max(1, min(int(months), ROLLOUT_MAX_MONTHS))
    points = [
        TargetPoint(t.on, t.officers, t.communities, t.regions)
        for t in RolloutTarget.objects.filter(country=country).order_by("on")
    ]
    if count == 0:
        return RolloutSeries(country=country, months=[], targets=points)
    month_starts = [_add_months(current, -i) for i in range(count - 1, -1, -1)]
    days = [min(_month_end(m), today) for m in month_starts]
    span_start, span_end = month_starts[0], days[-1]

    tree = _Tree(
        Area.objects.filter(country=country)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=span_start), valid_from__lte=span_end)
        .values_list("pk", "parent_id", "level", "valid_from", "valid_to")
    )
    assignments = list(
        Assignment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=span_start),
            area__country=country,
            is_primary=True,
            starts_on__lte=span_end,
        ).values_list("officer_id", "area_id", "starts_on", "ends_on")
    )
    parties = list(
        MemorandumArea.objects.filter(
            ~Q(memorandum__status=MemorandumStatus.DRAFT),
            Q(memorandum__valid_until__isnull=True) | Q(memorandum__valid_until__gte=span_start),
            Q(memorandum__terminated_on__isnull=True) | Q(memorandum__terminated_on__gt=span_start),
            area__country=country,
            memorandum__signed_on__lte=span_end,
        ).values_list(
            "area_id",
            "memorandum__status",
            "memorandum__signed_on",
            "memorandum__valid_until",
            "memorandum__terminated_on",
        )
    )

    result = []
    for month, day in zip(month_starts, days, strict=True):
        officers: set[int] = set()
        covered: set[int] = set()
        for officer_id, area_id, starts_on, ends_on in assignments:
            if not _serving(starts_on, ends_on, day):
                continue
            officers.add(officer_id)
            community = tree.ancestor(area_id, Level.COMMUNITY, day)
            if community is not None:
                covered.add(community)
        regions = {
            region
            for community in covered
            if (region := tree.ancestor(tree.parent.get(community), Level.REGION, day)) is not None
        }
        with_memorandum = {
            area_id
            for area_id, status, signed_on, valid_until, terminated_on in parties
            if tree.level.get(area_id) == Level.COMMUNITY
            and tree.is_valid(area_id, day)
            and memorandum_in_force(
                status=status,
                signed_on=signed_on,
                valid_until=valid_until,
                terminated_on=terminated_on,
                day=day,
            )
        }
        result.append(
            RolloutMonth(
                month=month,
                day=day,
                officers=len(officers),
                communities=len(covered),
                regions=len(regions),
                memoranda=len(with_memorandum),
                target=target_on(points, day),
            )
        )
    return RolloutSeries(country=country, months=result, targets=points)
