"""/api/v1/ routes of the threat map, included from blisko/api/urls.py."""

from django.urls import path

from blisko.reports.apis.map import MapApi, ReportSeenApi

urlpatterns: list = [
    path("map", MapApi.as_view(), name="map"),
    path("reports/<str:tracking_code>/seen", ReportSeenApi.as_view(), name="reports-seen"),
]
