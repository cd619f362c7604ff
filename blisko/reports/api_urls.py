"""/api/v1/ routes of the threat map, included from blisko/api/urls.py."""

from django.urls import path

from blisko.reports.apis.map import MapApi, ReportSeenApi
from blisko.reports.apis.submit import ReportSubmitApi, ReportTrackApi

urlpatterns: list = [
    path("reports", ReportSubmitApi.as_view(), name="reports-create"),
    path("reports/<str:tracking_code>", ReportTrackApi.as_view(), name="reports-detail"),
    path("map", MapApi.as_view(), name="map"),
    path("reports/<str:tracking_code>/seen", ReportSeenApi.as_view(), name="reports-seen"),
]
