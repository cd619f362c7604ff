"""The security page: set up, confirm or remove the authenticator app (a second factor)."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from blisko.accounts.forms import TokenForm
from blisko.accounts.selectors import totp_device_for_user
from blisko.accounts.services import totp_device_confirm, totp_device_remove, totp_device_start
from blisko.core.exceptions import ApplicationError


def _page(request: HttpRequest, form: TokenForm | None = None, status: int = 200) -> HttpResponse:
    confirmed = totp_device_for_user(user=request.user)
    pending = None if confirmed else totp_device_for_user(user=request.user, is_confirmed=False)
    context = {"device": confirmed, "pending": pending, "form": form or TokenForm()}
    if pending is not None:
        url = pending.config_url
        context["otpauth_url"] = url
        context["secret"] = b32encode(pending.bin_key).decode()
        # segno writes the SVG itself (no user text in it but the URL it encodes).
        context["qr_svg"] = mark_safe(segno.make(url, error="m").svg_inline(scale=4))  # noqa: S308
    return render(request, "accounts/security.html", context, status=status)


@login_required
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def security_start(request: HttpRequest) -> HttpResponse:
    try:
        totp_device_start(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("accounts:security")


def _with_token(request: HttpRequest, action) -> HttpResponse | None:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            return action(form.cleaned_data["token"])
        except ApplicationError as error:
            form.add_error("token", error.message)
    return _page(request, form=form, status=400)


@login_required
@require_POST
def security_confirm(request: HttpRequest) -> HttpResponse:
    def confirm(token: str) -> HttpResponse:
        device = totp_device_confirm(user=request.user, token=token)
        # The code just proved the device: this session counts as verified.
        otp_login(request, device)
        messages.success(request, _("Your authenticator app is set up."))
        return redirect("accounts:security")

    return _with_token(request, confirm)


@login_required
@require_POST
def security_remove(request: HttpRequest) -> HttpResponse:
    def remove(token: str) -> HttpResponse:
        totp_device_remove(user=request.user, token=token)
        messages.success(request, _("Your authenticator app is removed."))
        return redirect("accounts:security")

    return _with_token(request, remove)
