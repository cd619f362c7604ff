from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    """Memoranda and agreements between the police and communities (and their partners): the
    parties, the obligations of each and their fulfilment over time, and the coverage of the
    programme (communities with an officer, with a memorandum) against its rollout target."""

    name = "blisko.partnerships"
    label = "partnerships"
    verbose_name = _("Partnerships")
