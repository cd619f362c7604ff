"""The back office's admin site: the same as Django's, plus a second factor.

With BLISKO_ADMIN_OTP_REQUIRED, only a session verified by the user's authenticator app
(django-otp) may open /admin/; staff without one are sent to the one sign-in page, which asks
for the code. The admin has no login form of its own, so lock-out and the code are checked in
one place.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        if not settings.BLISKO_ADMIN_OTP_REQUIRED:
            return True
        is_verified = getattr(request.user, "is_verified", None)
        return bool(is_verified and is_verified())

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url)
