from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Reports from other systems (`manage.py reports_import`) and the bulk loading that the
    import and the demo share (COPY on PostgreSQL)."""

    name = "blisko.imports"
    label = "imports"
    verbose_name = _("Imports")
