"""Sign-in throttling with django-axes: the lock-out page and its audit event.

The counting itself is axes' (settings: AXES_* in config/settings/base.py). Here is what
Blisko adds: the sign-in page, translated, with a 429 and Retry-After instead of axes' plain
text, and an audit event each time a sign-in is refused for too many failures.
"""

import math
from typing import Any

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from blisko.core.services import audit_record


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The sign-in page saying the account or address is locked, answered 429 with Retry-After.

    Called by axes' middleware (AXES_LOCKOUT_CALLABLE) for a sign-in refused as locked out, on
    the police sign-in page and on the admin's alike.
    """
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext(
        "Too many failed sign-ins. Signing in is blocked for %(minutes)d minute; try again "
        "later or ask an administrator to unlock the account.",
        "Too many failed sign-ins. Signing in is blocked for %(minutes)d minutes; try again "
        "later or ask an administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    response = render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": message, "next": request.POST.get("next", "")},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out, dispatch_uid="blisko.accounts.lockout.audit_lockout")
def audit_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """Record a sign-in refused for too many failures: which account name, from where."""
    audit_record(
        actor=None,
        entity="signin",
        entity_id=(username or "")[:64],
        action="locked_out",
        after={"ip_address": ip_address},
    )
