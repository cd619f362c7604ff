"""Whom an Open311 POST counts against: one resident of the key holder, and the key itself.

A key holder (a FixMyStreet instance, a city's app) sends for many residents from one
server, so its address is not a resident's and the per-address daily limit of the public
page does not fit. GeoReport v2 lets the client name its resident: a request counts
against (api_key, device_id), else (api_key, account_id), else (api_key, email), and, when
the client sends none of them, against (api_key, client address), as one connection.
Each of those has BLISKO_REPORT_DAILY_LIMIT reports a day; on top, a key with a daily cap
(`Open311Key.daily_cap`) may create at most that many requests a day, all its residents
together.

Only keyed hashes are kept, as the report's client key (`Report.client_hash`, erased with
the client address by `reports_erase_ips`): "o", 15 characters naming the API key, then
48 naming the resident. The first 16 are shared by all the key's requests, so its cap
counts them; "o" keeps them apart from the public page's keys (hexadecimal only).
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import ngettext_lazy

from blisko.reports import rules
from blisko.reports.models import Open311Key
from blisko.reports.services.submit import CONNECTION_LIMIT_MESSAGE, DailyLimit

# The spec's fields that name the resident, the most specific first.
RESIDENT_FIELDS = ("device_id", "account_id", "email")
KEY_PART_LENGTH = 15
RESIDENT_PART_LENGTH = 48
_MARK = "o"

RESIDENT_LIMIT_MESSAGE = ngettext_lazy(
    "You have already sent %(limit)d report today, the most one person or device may send "
    "in a day. You can send the next one tomorrow; if it cannot wait, call your officer or, "
    "in an emergency, 112.",
    "You have already sent %(limit)d reports today, the most one person or device may send "
    "in a day. You can send the next one tomorrow; if it cannot wait, call your officer or, "
    "in an emergency, 112.",
    "limit",
)
KEY_CAP_MESSAGE = ngettext_lazy(
    "This app has already sent %(limit)d report today, the most its api_key may send in a "
    "day. You can send the next one tomorrow; if it cannot wait, call your officer or, in "
    "an emergency, 112.",
    "This app has already sent %(limit)d reports today, the most its api_key may send in a "
    "day. You can send the next one tomorrow; if it cannot wait, call your officer or, in "
    "an emergency, 112.",
    "limit",
)


@dataclass(frozen=True)
class Open311Client:
    """Whom a POST counts against: its client key and the daily limits it is checked by."""

    client_key: str
    daily_limits: list[DailyLimit]


def _keyed(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def key_prefix(key: Open311Key) -> str:
    """The leading part every client key of `key` shares."""
    return _MARK + _keyed(f"open311-key:{key.pk}")[:KEY_PART_LENGTH]


def _resident(request: HttpRequest) -> tuple[str, str]:
    """(the field that names the resident, its value), or ("address", the client address)."""
    for field in RESIDENT_FIELDS:
        value = request.POST.get(field, "").strip()
        if value:
            # E-mail addresses differ only in case as the same person.
            return field, value.lower() if field == "email" else value
    return "address", rules.client_ip(request) or "unknown"


def open311_client(*, request: HttpRequest, key: Open311Key) -> Open311Client:
    """Whom the POST `request`, authenticated by `key`, counts against (see the module)."""
    named_by, value = _resident(request)
    prefix = key_prefix(key)
    resident = _keyed(f"open311:{key.pk}:{named_by}:{value}")[:RESIDENT_PART_LENGTH]
    client_key = prefix + resident
    limits = [
        DailyLimit(
            prefix=client_key,
            limit=settings.BLISKO_REPORT_DAILY_LIMIT,
            message=CONNECTION_LIMIT_MESSAGE if named_by == "address" else RESIDENT_LIMIT_MESSAGE,
        )
    ]
    if key.daily_cap is not None:
        limits.append(DailyLimit(prefix=prefix, limit=key.daily_cap, message=KEY_CAP_MESSAGE))
    return Open311Client(client_key=client_key, daily_limits=limits)
