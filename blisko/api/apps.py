from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "blisko.api"
    label = "api"
