"""The officer's work queue: the reports of the user's areas, overdue first, filtered.

The scope always comes from `reports_for_user` (selectors/access.py): this module only
narrows and orders it, so no filter can widen what a user sees.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone

from blisko.reports.models import CLOSED_STATUSES, OPEN_STATUSES, Category, Report, Status
from blisko.reports.selectors.access import reports_for_user
from blisko.reports.selectors.deadlines import overdue_condition, reports_annotate_overdue
from blisko.territories.models import Area

# A pseudo-status for the filter: "open" (the default) and "closed" group the real ones.
STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
STATUS_ALL = "all"

SORT_DUE = "due"
SORT_SEEN = "seen"
SORT_NEWEST = "newest"

# How deep an area filter reaches below the chosen area (community → service area, region →
# district → community → service area).
_AREA_DEPTH = 4


@dataclass(frozen=True)
class QueueFilters:
    """What the officer asked to see. Empty values mean "no filter"."""

    status: str = STATUS_OPEN
    category: Category | None = None
    area: Area | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    overdue_only: bool = False
    search: str = ""
    sort: str = SORT_DUE


def _with_due(queryset: QuerySet[Report], *, now: dt.datetime) -> QuerySet[Report]:
    """Annotate `is_overdue` and `due_at` (the next deadline of an open report, else null)."""
    return reports_annotate_overdue(qs=queryset, now=now).annotate(
        due_at=Case(
            When(status=Status.SUBMITTED, then=F("take_up_due_at")),
            When(status=Status.IN_VERIFICATION, then=F("verify_due_at")),
            default=Value(None),
            output_field=DateTimeField(),
        ),
    )


def _area_condition(area: Area) -> Q:
    condition = Q(area=area)
    for depth in range(1, _AREA_DEPTH + 1):
        condition |= Q(**{"area__" + "__".join(["parent"] * depth): area})
    return condition


def _search_condition(text: str) -> Q:
    """Tracking code or description containing `text`.

    SQLite's LIKE folds only ASCII letters, so the usual spellings of a Cyrillic or Polish
    word (as typed, lower case, capitalised) are tried as well; PostgreSQL folds them all.
    """
    condition = Q(tracking_code__icontains=text)
    for variant in {text, text.lower(), text.upper(), text.capitalize()}:
        condition |= Q(description__icontains=variant)
    return condition


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reports_queue(
    *, user: Any, filters: QueueFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Report]:
    """The reports `user` may work on, narrowed by `filters`, in the order to work them.

    Default order: overdue first, then the nearest deadline (oldest due first), then the
    oldest report; closed reports (no deadline) after the open ones. `sort="seen"` puts the
    reports most confirmed by other residents first; `sort="newest"` the latest first.
    Each row is annotated with `is_overdue` and `due_at`, and carries its category, area,
    and assigned officer.
    """
    filters = filters or QueueFilters()
    now = now or timezone.now()
    queryset = reports_for_user(user=user)

    if filters.status == STATUS_OPEN:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status == STATUS_CLOSED:
        queryset = queryset.filter(status__in=CLOSED_STATUSES)
    elif filters.status and filters.status != STATUS_ALL:
        queryset = queryset.filter(status=filters.status)
    if filters.category is not None:
        queryset = queryset.filter(category=filters.category)
    if filters.area is not None:
        queryset = queryset.filter(_area_condition(filters.area))
    if filters.created_from is not None:
        queryset = queryset.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to is not None:
        end = _day_start(filters.created_to + dt.timedelta(days=1))
        queryset = queryset.filter(created_at__lt=end)
    if filters.overdue_only:
        queryset = queryset.filter(overdue_condition(now=now))
    text = filters.search.strip()
    if text:
        queryset = queryset.filter(_search_condition(text))

    queryset = _with_due(queryset, now=now).select_related("category", "area", "assigned_officer")
    if filters.sort == SORT_SEEN:
        order = [F("seen_count").desc(), F("is_overdue").desc(), F("due_at").asc(nulls_last=True)]
    elif filters.sort == SORT_NEWEST:
        order = [F("created_at").desc()]
    else:
        order = [F("is_overdue").desc(), F("due_at").asc(nulls_last=True)]
    return queryset.order_by(*order, "created_at", "pk")


def queue_areas(*, user: Any) -> list[Area]:
    """The areas worth offering in the queue's area filter: those holding the user's reports
    and their parents, by name. Choosing one only narrows the user's own reports."""
    report_areas = reports_for_user(user=user).values("area_id")
    areas = list(
        Area.objects.filter(Q(pk__in=report_areas) | Q(children__pk__in=report_areas))
        .distinct()
        .defer("boundary")
    )
    return sorted(areas, key=lambda area: (area.name or area.name_official).casefold())
