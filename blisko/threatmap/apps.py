from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThreatmapConfig(AppConfig):
    """The public threat map: what the map shows of the reports (counted in cells or as
    points at their public places), from an in-memory index or the database."""

    name = "blisko.threatmap"
    label = "threatmap"
    verbose_name = _("Public map")
