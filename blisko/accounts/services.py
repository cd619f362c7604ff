"""Sign-in security: the authenticator app (TOTP, django-otp) and unlocking sign-in."""

from typing import Any

from axes.models import AccessAttempt
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from blisko.accounts.selectors import totp_device_for_user
from blisko.core.exceptions import ApplicationError
from blisko.core.services import audit_record, full_clean

DEVICE_NAME = "Authenticator app"


def _token_check(*, device: TOTPDevice, token: str) -> None:
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or len(token) != device.digits:
        raise ApplicationError(
            _("Enter the six-digit code from your authenticator app."), {"field": "token"}
        )
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        raise ApplicationError(
            _("Too many wrong codes. Wait a minute, then enter the code shown now."),
            {"field": "token"},
        )
    if not device.verify_token(token):
        raise ApplicationError(
            _("That code is not right. Enter the code your authenticator app shows now."),
            {"field": "token"},
        )


@transaction.atomic
def totp_device_start(*, user: Any) -> TOTPDevice:
    """Begin setting up an authenticator app for `user`: a new secret, not yet confirmed.

    Refused when the user already has a confirmed one (remove it first). An earlier
    unconfirmed secret is replaced.
    """
    if totp_device_for_user(user=user) is not None:
        raise ApplicationError(_("Your authenticator app is already set up."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name=DEVICE_NAME, confirmed=False)
    full_clean(device)
    device.save()
    return device


def totp_device_confirm(*, user: Any, token: str) -> TOTPDevice:
    """Confirm the secret begun by `totp_device_start` with a code the app shows now.

    From then on, signing in asks `user` for a code. Writes an audit event. The code is
    checked outside the transaction: a wrong one must leave its throttling count stored.
    """
    device = totp_device_for_user(user=user, is_confirmed=False)
    if device is None:
        raise ApplicationError(_("Start setting up the authenticator app first."))
    _token_check(device=device, token=token)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, entity="user", entity_id=user.pk, action="second_factor_added")
    return device


def totp_device_remove(*, user: Any, token: str) -> None:
    """Remove `user`'s authenticator app; needs a current code from it (checked outside the
    transaction, like `totp_device_confirm`).

    A user who lost the phone asks an administrator, who deletes the device in the back
    office. Writes an audit event.
    """
    device = totp_device_for_user(user=user)
    if device is None:
        raise ApplicationError(_("You have no authenticator app set up."))
    _token_check(device=device, token=token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit_record(actor=user, entity="user", entity_id=user.pk, action="second_factor_removed")


@transaction.atomic
def signin_unlock(*, actor: Any, attempts: QuerySet[AccessAttempt]) -> int:
    """Forget the failed sign-ins in `attempts`, so their accounts and addresses may sign in
    again at once. Writes one audit event per forgotten row; returns how many."""
    count = 0
    for attempt in attempts.select_for_update():
        audit_record(
            actor=actor,
            entity="signin",
            entity_id=attempt.username or attempt.ip_address or "",
            action="unlocked",
            before={
                "username": attempt.username,
                "ip_address": attempt.ip_address,
                "failures": attempt.failures_since_start,
            },
        )
        attempt.delete()
        count += 1
    return count
