""" "I have seen this too": residents confirm an open report, once per client.

The count (`Report.seen_count`) is public (the map's popup, the tracking page) and officers
sort their queue by it. One client is one keyed hash of its address (`rules.client_hash`),
the same key the daily submission limit uses; the unique constraint on (report, client_hash)
makes "once" hold under concurrent requests too.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.reports import rules
from blisko.reports.models import OPEN_STATUSES, Report, SeenConfirmation


@dataclass(frozen=True)
class SeenResult:
    """The report (with its new count) and whether this call counted (False: counted before)."""

    report: Report
    counted: bool


def report_seen_confirm(*, report: Report, client_ip: str | None) -> SeenResult:
    """Count one "I have seen this too" from the client at `client_ip` for `report`.

    Preconditions: the report is open (submitted, in verification or confirmed); otherwise
    ApplicationError (400, extra {"field": "status"}) and nothing is written. Effects: a
    SeenConfirmation and `seen_count + 1` (an F() update, so concurrent confirmations of
    different clients all count); when this client confirmed before, nothing changes and
    `counted` is False. Returns the report with `seen_count` read back.
    """
    if report.status not in OPEN_STATUSES:
        raise ApplicationError(
            _("This report is closed: it can no longer be confirmed."),
            {"field": "status", "status": report.status},
        )
    key = rules.client_hash(client_ip)
    counted = False
    with transaction.atomic():
        if not SeenConfirmation.objects.filter(report=report, client_hash=key).exists():
            try:
                with transaction.atomic():  # a savepoint: a concurrent twin loses cleanly
                    SeenConfirmation.objects.create(report=report, client_hash=key)
            except IntegrityError:
                counted = False
            else:
                Report.objects.filter(pk=report.pk).update(seen_count=F("seen_count") + 1)
                counted = True
    report.refresh_from_db(fields=["seen_count"])
    return SeenResult(report=report, counted=counted)
