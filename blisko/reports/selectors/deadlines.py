"""Deadlines: which open reports are overdue.

A report is due to be taken up by `take_up_due_at` and verified (confirmed or not) by
`verify_due_at` (see blisko.reports.rules.deadlines_for). It is overdue once the clock is
past a deadline it has not met: still submitted after the take-up deadline, or still
submitted or in verification after the verification deadline. At the deadline itself it is
not yet overdue.
"""

import datetime as dt

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from blisko.reports.models import Report, Status

# Not yet verified: the verification deadline still applies.
UNVERIFIED_STATUSES = (Status.SUBMITTED, Status.IN_VERIFICATION)


def overdue_condition(*, now: dt.datetime | None = None) -> Q:
    """The condition on Report rows that are overdue at `now` (the current time by default)."""
    now = now or timezone.now()
    return Q(status=Status.SUBMITTED, take_up_due_at__lt=now) | Q(
        status__in=UNVERIFIED_STATUSES, verify_due_at__lt=now
    )


def reports_overdue(
    *, qs: QuerySet[Report] | None = None, now: dt.datetime | None = None
) -> QuerySet[Report]:
    """The reports of `qs` (every report by default) overdue at `now` (now by default).

    Pass reports_for_user(...) as `qs` for what one user may see. Closed and confirmed
    reports are never overdue.
    """
    qs = Report.objects.all() if qs is None else qs
    return qs.filter(overdue_condition(now=now))


def reports_annotate_overdue(
    *, qs: QuerySet[Report] | None = None, now: dt.datetime | None = None
) -> QuerySet[Report]:
    """`qs` (every report by default) with a boolean `is_overdue` at `now`, for lists:
    order by ("-is_overdue", ...) to put overdue reports first."""
    qs = Report.objects.all() if qs is None else qs
    return qs.annotate(
        is_overdue=ExpressionWrapper(overdue_condition(now=now), output_field=BooleanField())
    )
