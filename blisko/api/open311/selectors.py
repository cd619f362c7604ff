"""Reads behind Open311 GeoReport v2: services (categories) and service requests (reports).

Only what the public may see leaves through here: the serializers never write a report's
exact location, and these querysets do not even load its e-mail or client address.
"""

import datetime as dt
import re

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.reports.models import CLOSED_STATUSES, OPEN_STATUSES, Category, Report, Status
from blisko.reports.selectors.tracking import tracking_code_normalise

# The spec's limits: a range of at most 90 days (the default: the last 90) and at most
# 1000 requests in one answer.
MAX_RANGE = dt.timedelta(days=90)
MAX_REQUESTS = 1000

OPEN, CLOSED = "open", "closed"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SPEC_STATUSES = {OPEN: OPEN_STATUSES, CLOSED: CLOSED_STATUSES}


def open311_status(status: str) -> str:
    """The spec's two states for one of Blisko's statuses."""
    return OPEN if status in OPEN_STATUSES else CLOSED


def open311_services() -> QuerySet[Category]:
    """The categories residents can choose now (retired ones are not offered), in order."""
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def _is_code(value: str) -> bool:
    """Whether `value` can be a category code at all (a slug): anything else, such as a NUL
    character PostgreSQL refuses in a query, matches nothing without being asked."""
    return bool(_SLUG.fullmatch(value))


def open311_service_get(*, code: str) -> Category:
    """The active category with this code; NotFoundError when unknown or retired."""
    category = (
        Category.objects.filter(code=code, is_active=True).first() if _is_code(code) else None
    )
    if category is None:
        raise NotFoundError(
            _("There is no service with the code “%(code)s”.") % {"code": code},
            {"field": "service_code"},
        )
    return category


def _public_reports() -> QuerySet[Report]:
    """Reports with what the public answer needs, without the police-only fields.

    The exact `location` is loaded only so that `report_public_location` can check the
    public point against the category's precision; the serializers never write it out.
    """
    return Report.objects.select_related(
        "category", "area", "assigned_unit", "assigned_officer__unit", "duplicate_of"
    ).defer(
        "reporter_email",
        "client_ip",
        "client_hash",
        "idempotency_key",
        "area__boundary",
        "assigned_unit__location",
        "assigned_officer__unit__location",
        "duplicate_of__location",
    )


def _listed(queryset: QuerySet[Report], *, now: dt.datetime) -> QuerySet[Report]:
    """Hide "not confirmed" reports closed longer ago than the public map shows them."""
    cutoff = now - dt.timedelta(days=settings.BLISKO_REPORT_NOT_CONFIRMED_PUBLIC_DAYS)
    stale = Q(status=Status.NOT_CONFIRMED) & (
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff)
    )
    return queryset.exclude(stale)


def open311_date_range(
    *, start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The spec's range of `requested_datetime`: the last 90 days unless given.

    One end alone: 90 days from (or to) it. Refused (ApplicationError) when the range is
    reversed or spans more than 90 days.
    """
    if start is None:
        end = end or now or timezone.now()
        start = end - MAX_RANGE
    elif end is None:
        end = start + MAX_RANGE
    if start > end:
        raise ApplicationError(_("start_date must come before end_date."), {"field": "start_date"})
    if end - start > MAX_RANGE:
        raise ApplicationError(
            _("The range from start_date to end_date may not span more than 90 days."),
            {"field": "end_date"},
        )
    return start, end


def open311_requests(
    *,
    service_request_ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: list[str] | None = None,
    now: dt.datetime | None = None,
) -> list[Report]:
    """Service requests (reports) as GET requests lists them, newest first, at most 1000.

    `service_request_ids` (tracking codes) overrides every other filter, as the spec says.
    Otherwise: the categories `service_codes` (retired ones too), `requested_datetime` in the
    range of `open311_date_range`, `statuses` among "open"/"closed". Not-confirmed reports
    leave the list when they leave the public map.
    """
    now = now or timezone.now()
    reports = _listed(_public_reports(), now=now)
    if service_request_ids:
        codes = [tracking_code_normalise(code) for code in service_request_ids[:MAX_REQUESTS]]
        reports = reports.filter(tracking_code__in=[code for code in codes if code])
    else:
        start, end = open311_date_range(start=start, end=end, now=now)
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
        if service_codes:
            codes = [code for code in service_codes if _is_code(code)]
            reports = reports.filter(category__code__in=codes)
        if statuses:
            wanted = [status for name in set(statuses) for status in SPEC_STATUSES[name]]
            reports = reports.filter(status__in=wanted)
    reports = reports.prefetch_related("attachments")
    return list(reports.order_by("-created_at", "-pk")[:MAX_REQUESTS])


def open311_request_get(*, service_request_id: str) -> Report:
    """One report by its tracking code (any case, with or without dashes), whatever its
    status: whoever has the code may follow it. NotFoundError when there is none."""
    code = tracking_code_normalise(service_request_id)
    report = (
        _public_reports().prefetch_related("attachments").filter(tracking_code=code).first()
        if code is not None
        else None
    )
    if report is None:
        raise NotFoundError(
            _("There is no service request with the id “%(id)s”.") % {"id": service_request_id},
            {"field": "service_request_id"},
        )
    return report
