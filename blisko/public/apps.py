from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "blisko.public"
    label = "public"
