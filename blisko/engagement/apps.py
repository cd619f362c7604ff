from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    """Meeting the community: meetings and debates with their public calendar, residents'
    questions before a meeting and their answers, and the officer's presence in the community."""

    name = "blisko.engagement"
    label = "engagement"
    verbose_name = _("Engagement")
