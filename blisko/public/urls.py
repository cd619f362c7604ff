from django.urls import path

from blisko.core.headers import uses_geolocation
from blisko.public import views, views_map, views_meetings, views_reports

app_name = "public"

urlpatterns = [
    path("", uses_geolocation(views.home), name="home"),
    path("search/", views.search, name="search"),
    path("officer/", views.officer, name="officer"),
    path("area/<str:code>/", views.area_page, name="area"),
    path("map/", views_map.map_page, name="map"),
    path("report/", uses_geolocation(views_reports.report_new), name="report"),
    path("report/track/", views_reports.report_find, name="report-find"),
    path("report/<str:code>/", views_reports.report_track, name="report-track"),
    path("meetings/<uuid:uid>/", views_meetings.meeting_page, name="meeting"),
    path(
        "meetings/<uuid:uid>/questions/",
        views_meetings.meeting_question,
        name="meeting-question",
    ),
]
