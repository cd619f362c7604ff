"""Personal data the threat map keeps only for a while: the reporters' client addresses,
the client keys of "I have seen this too", and the e-mail addresses for status updates.

A report's client address and its keyed hash serve abuse control (the daily limit) and
nothing else, so they are erased once BLISKO_REPORT_IP_RETENTION_DAYS have passed.
A reporter's e-mail serves the status updates of an open report, so it is erased
BLISKO_REPORT_EMAIL_RETENTION_DAYS after the report is closed (not confirmed, resolved,
referred or a duplicate). `manage.py reports_erase_ips` runs both every day.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.reports.models import Report, SeenConfirmation

_ERASED = "erased:"


def reports_erase_ips(*, older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Clear `client_ip` and `client_hash` of every report created more than
    `older_than_days` (BLISKO_REPORT_IP_RETENTION_DAYS by default) days before `now`.

    Returns how many reports were changed (those already erased are not counted). One
    UPDATE; nothing else of the report changes (not even `updated_at`: erasing is not an
    edit anyone needs to see). Raises ApplicationError for a negative number of days.
    """
    days = settings.BLISKO_REPORT_IP_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise ApplicationError(
            _("The number of days must be zero or more."), {"field": "older_than_days"}
        )
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        erased = (
            Report.objects.filter(created_at__lt=cutoff)
            .filter(Q(client_ip__isnull=False) | ~Q(client_hash=""))
            .update(client_ip=None, client_hash="")
        )
        # "I have seen this too" keeps a client key too; after the same time it is replaced by
        # a key of the confirmation's own id, which still counts once and names nobody.
        SeenConfirmation.objects.filter(created_at__lt=cutoff).exclude(
            client_hash__startswith=_ERASED
        ).update(client_hash=Concat(Value(_ERASED), Cast("id", CharField())))
    return erased


def reports_erase_emails(
    *, older_than_days: int | None = None, now: dt.datetime | None = None
) -> int:
    """Clear `reporter_email` of every report closed more than `older_than_days`
    (BLISKO_REPORT_EMAIL_RETENTION_DAYS by default) days before `now`; open reports keep it,
    since their reporter still gets the status updates.

    Returns how many reports were changed. One UPDATE, `updated_at` untouched, as for the
    addresses. Raises ApplicationError for a negative number of days.
    """
    days = (
        settings.BLISKO_REPORT_EMAIL_RETENTION_DAYS if older_than_days is None else older_than_days
    )
    if days < 0:
        raise ApplicationError(
            _("The number of days must be zero or more."), {"field": "older_than_days"}
        )
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return (
        Report.objects.filter(closed_at__lt=cutoff)
        .exclude(reporter_email="")
        .update(reporter_email="", reporter_language=None)
    )
