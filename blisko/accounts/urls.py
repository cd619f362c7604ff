"""/accounts/ pages of Blisko's own (the sign-in page itself is `login`, in config/urls.py)."""

from django.urls import path

from blisko.accounts import views

app_name = "accounts"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/start/", views.security_start, name="security-start"),
    path("security/confirm/", views.security_confirm, name="security-confirm"),
    path("security/remove/", views.security_remove, name="security-remove"),
]
