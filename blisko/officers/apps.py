from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficersConfig(AppConfig):
    name = "blisko.officers"
    label = "officers"
    verbose_name = _("Officers")

    def ready(self) -> None:
        from blisko.core.admin import scope_register
        from blisko.officers.selectors.access import areas_for_user

        scope_register(areas_for_user)
