"""The coverage pages for the police (`/police/coverage/`, namespace `coverage`)."""

from django.urls import path

from blisko.partnerships import views_coverage

app_name = "coverage"

urlpatterns = [
    path("", views_coverage.coverage, name="coverage"),
    path("communities.geojson", views_coverage.communities, name="communities"),
]
