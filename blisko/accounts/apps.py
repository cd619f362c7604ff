from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "blisko.accounts"
    label = "accounts"
    verbose_name = _("Sign-in and security")
    default = True

    def ready(self) -> None:
        from blisko.accounts import lockout  # noqa: F401  (connects the lock-out audit receiver)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, with Blisko's site: a verified second factor when the setting asks."""

    default = False
    default_site = "blisko.accounts.sites.AdminSite"
