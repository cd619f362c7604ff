from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Priority action plans: a plan per officer and area against the diagnosis' biggest threat,
    approved by the supervisor, carried out as actions, and evaluated from the data."""

    name = "blisko.plans"
    label = "plans"
    verbose_name = _("Priority action plans")
