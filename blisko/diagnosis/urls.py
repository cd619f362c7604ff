"""Police pages of the diagnosis, mounted at /police/diagnosis/ by config/urls.py."""

from django.urls import path

from blisko.diagnosis import views

app_name = "diagnosis"
urlpatterns = [
    path("", views.areas, name="areas"),
    path("<int:area_id>/", views.diagnosis, name="area"),
]
