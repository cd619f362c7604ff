"""A session that signed in with its authenticator code, for tests of the back office."""

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def second_factor_verify(client: Client, user: Any) -> TOTPDevice:
    """Give `user` a confirmed authenticator app and mark `client`'s session (already signed
    in as `user`) verified by it, as django-otp does after a right code."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
