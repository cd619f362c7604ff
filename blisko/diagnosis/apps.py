from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    """The initial diagnosis: police statistics and map reports → each area's biggest threat,
    its hotspots and trends. So far: the hotspot engine (`hotspots`) and its command."""

    name = "blisko.diagnosis"
    label = "diagnosis"
    verbose_name = _("Diagnosis")
