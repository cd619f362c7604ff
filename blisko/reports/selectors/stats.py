"""The supervisor's view: per police unit (and per area), how the reports are being worked.

Open and overdue count the reports open now; the medians measure, over the last `days`
(90 by default), how long reports waited from submission to being taken up and to being
verified (confirmed or not confirmed). The medians are computed in Python from one query,
so they mean the same on SQLite and PostgreSQL.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import NotFoundError
from blisko.core.roles import ADMINISTRATOR
from blisko.officers.models import Assignment, Role, Unit
from blisko.officers.selectors.access import areas_for_user
from blisko.reports.models import OPEN_STATUSES
from blisko.reports.selectors.access import reports_for_user
from blisko.reports.selectors.deadlines import overdue_condition
from blisko.territories.models import Area

STATS_DAYS = 90


@dataclass
class Stats:
    """How a set of reports is being worked."""

    open: int = 0
    overdue: int = 0
    take_up_median: dt.timedelta | None = None
    verify_median: dt.timedelta | None = None
    # How many reports each median is taken over.
    taken_up: int = 0
    verified: int = 0

    @property
    def take_up_hours(self) -> float | None:
        return None if self.take_up_median is None else self.take_up_median.total_seconds() / 3600

    @property
    def verify_hours(self) -> float | None:
        return None if self.verify_median is None else self.verify_median.total_seconds() / 3600


@dataclass
class AreaStats:
    area: Area
    stats: Stats


@dataclass
class UnitStats:
    unit: Unit
    stats: Stats
    areas: list[AreaStats] = field(default_factory=list)


def user_is_supervisor(*, user: Any) -> bool:
    """Whether `user` may open the supervisor's view: a superuser, an administrator, or an
    active officer with a supervisor assignment active today."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists():
        return True
    try:
        officer = user.officer
    except ObjectDoesNotExist:
        return False
    if officer is None or not officer.is_active:
        return False
    today = timezone.localdate()
    return Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        officer=officer,
        role=Role.SUPERVISOR,
        starts_on__lte=today,
    ).exists()


def units_for_user(*, user: Any) -> QuerySet[Unit]:
    """The units a supervisor may watch: those serving the supervisor's areas, those the
    reports of those areas are assigned to, and the supervisor's own. None for anyone who
    is not a supervisor (see `user_is_supervisor`)."""
    if not user_is_supervisor(user=user):
        return Unit.objects.none()
    reports = reports_for_user(user=user)
    condition = (
        Q(area__in=areas_for_user(user=user))
        | Q(pk__in=reports.filter(assigned_unit__isnull=False).values("assigned_unit_id"))
        | Q(
            pk__in=reports.filter(assigned_officer__isnull=False).values(
                "assigned_officer__unit_id"
            )
        )
    )
    officer = getattr(user, "officer", None) if not user.is_superuser else None
    if officer is not None:
        condition |= Q(pk=officer.unit_id)
    return Unit.objects.filter(condition).distinct().order_by("name", "pk")


def unit_get_for_user(*, user: Any, unit_id: int) -> Unit:
    """One unit the supervisor may watch; NotFoundError otherwise (another region's unit
    looks exactly like a missing one)."""
    unit = units_for_user(user=user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFoundError(_("There is no such police unit in your areas."), {"unit": unit_id})
    return unit


def _median(values: list[float]) -> dt.timedelta | None:
    return dt.timedelta(seconds=statistics.median(values)) if values else None


class _Tally:
    def __init__(self) -> None:
        self.open = 0
        self.overdue = 0
        self.take_up: list[float] = []
        self.verify: list[float] = []

    def stats(self) -> Stats:
        return Stats(
            open=self.open,
            overdue=self.overdue,
            take_up_median=_median(self.take_up),
            verify_median=_median(self.verify),
            taken_up=len(self.take_up),
            verified=len(self.verify),
        )


def units_stats(
    *,
    user: Any,
    units: list[Unit],
    now: dt.datetime | None = None,
    days: int = STATS_DAYS,
    by_area: bool = False,
) -> list[UnitStats]:
    """Open, overdue and median times for each of `units`, over the reports `user` may see.

    A report belongs to its assigned unit, or else to its assigned officer's unit. Take-up
    time is submission → taken up, for reports taken up in the last `days`; verification
    time is submission → verified, for reports verified in the last `days`. With `by_area`,
    each unit also gets the same figures per area (the area the report lies in), by name.
    One query for the figures, one for the areas.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    unit_ids = [unit.pk for unit in units]
    rows = (
        reports_for_user(user=user)
        .annotate(
            unit_key=Coalesce("assigned_unit_id", "assigned_officer__unit_id"),
            late=Case(
                When(overdue_condition(now=now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .filter(unit_key__in=unit_ids)
        .filter(
            Q(status__in=OPEN_STATUSES)
            | Q(taken_up_at__gte=since, taken_up_at__lte=now)
            | Q(verified_at__gte=since, verified_at__lte=now)
        )
        .values_list(
            "unit_key", "area_id", "status", "late", "created_at", "taken_up_at", "verified_at"
        )
    )
    per_unit: dict[int, _Tally] = defaultdict(_Tally)
    per_area: dict[tuple[int, int], _Tally] = defaultdict(_Tally)
    for unit_id, area_id, status, late, created_at, taken_up_at, verified_at in rows:
        tallies = [per_unit[unit_id]]
        if by_area:
            tallies.append(per_area[(unit_id, area_id)])
        for tally in tallies:
            if status in OPEN_STATUSES:
                tally.open += 1
                tally.overdue += bool(late)
            if taken_up_at is not None and since <= taken_up_at <= now:
                tally.take_up.append((taken_up_at - created_at).total_seconds())
            if verified_at is not None and since <= verified_at <= now:
                tally.verify.append((verified_at - created_at).total_seconds())

    areas: dict[int, Area] = {}
    if by_area and per_area:
        area_ids = {area_id for _unit, area_id in per_area}
        areas = {a.pk: a for a in Area.objects.filter(pk__in=area_ids).defer("boundary")}
    result = []
    for unit in units:
        item = UnitStats(unit=unit, stats=per_unit[unit.pk].stats())
        if by_area:
            item.areas = sorted(
                (
                    AreaStats(area=areas[area_id], stats=tally.stats())
                    for (unit_id, area_id), tally in per_area.items()
                    if unit_id == unit.pk
                ),
                key=lambda entry: (entry.area.name or entry.area.name_official).casefold(),
            )
        result.append(item)
    return result
