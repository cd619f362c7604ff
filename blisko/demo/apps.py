from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data (`manage.py demo_load`): the one package allowed to import every app."""

    name = "blisko.demo"
    label = "demo"
    verbose_name = _("Demo")
