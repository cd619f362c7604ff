from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_for_user(*, user: Any, is_confirmed: bool | None = True) -> TOTPDevice | None:
    """The user's authenticator app (TOTP device): confirmed ones by default; None for
    `is_confirmed` finds one in either state. A user has at most one (services keep it so)."""
    if not getattr(user, "is_authenticated", False):
        return None
    devices = TOTPDevice.objects.filter(user=user)
    if is_confirmed is not None:
        devices = devices.filter(confirmed=is_confirmed)
    return devices.order_by("-id").first()
