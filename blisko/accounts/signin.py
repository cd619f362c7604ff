"""The one sign-in page (/accounts/login/) for police pages and the back office.

The authenticator code (django-otp, TOTP) is asked of users who set one up on
/accounts/security/; the session is then verified, which the back office may require
(BLISKO_ADMIN_OTP_REQUIRED). Throttling (django-axes) is in blisko.accounts.lockout.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.forms import OTPAuthenticationFormMixin

from blisko.accounts.selectors import totp_device_for_user
from blisko.core.roles import COMMUNITY_HEAD


class SignInForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """User name and password, and the authenticator code when the user has set one up."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Your account has an authenticator app: enter the code it shows as well."),
        invalid_token=_("That code is not right. Enter the code your authenticator app shows now."),
        n_failed_attempts=ngettext_lazy(
            "Codes are refused for a while after %(failure_count)d wrong code. Try again soon.",
            "Codes are refused for a while after %(failure_count)d wrong codes. Try again soon.",
            "failure_count",
        ),
        verification_not_allowed=_("Codes are refused for a while. Try again soon."),
        device_required=_("Your account has an authenticator app: enter the code it shows."),
    )

    def _chosen_device(self, user: Any) -> Any:
        # One authenticator per user (blisko.accounts.services), so nothing to choose.
        return totp_device_for_user(user=user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and totp_device_for_user(user=user) is not None:
            self.clean_otp(user)
        return cleaned


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"

    def get_default_redirect_url(self) -> str:
        # A community head has no police pages: their own page is the community's.
        if self.request.user.groups.filter(name=COMMUNITY_HEAD).exists():
            return reverse("community:community")
        return super().get_default_redirect_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        is_verified = getattr(user, "is_verified", None)
        context["needs_second_factor"] = bool(
            settings.BLISKO_ADMIN_OTP_REQUIRED
            and user.is_authenticated
            and user.is_staff
            and str(context.get("next", "")).startswith(reverse("admin:index"))
            and not (is_verified and is_verified())
        )
        return context
