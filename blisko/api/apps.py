from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "blisko.api"
    label = "api"

    def ready(self) -> None:
        from blisko.api.errors import open311_unavailable, v1_unavailable
        from blisko.core.unavailable import door_register

        door_register("/api/", v1_unavailable)
        door_register("/open311/", open311_unavailable)
