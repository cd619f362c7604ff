from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "blisko.reports"
    label = "reports"
    verbose_name = _("Threat map")

    def ready(self) -> None:
        from blisko.officers.signals import assignments_changed

        assignments_changed.connect(_reports_follow_officers, dispatch_uid="reports-follow")


def _reports_follow_officers(sender, *, areas, actor, **kwargs) -> None:
    """Open reports of the areas whose officers changed (and of the areas below them) are
    routed again to the officers now serving them."""
    from blisko.reports.services.routing import reports_reroute

    for area in areas:
        reports_reroute(area=area, actor=actor)
