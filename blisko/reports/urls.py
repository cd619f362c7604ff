"""Police pages of the threat map: the officer's work queue and the supervisor's view."""

from django.urls import path

from blisko.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.queue, name="queue"),
    path("reports/bulk/", views.queue_bulk, name="bulk"),
    path("reports/<str:tracking_code>/", views.detail, name="detail"),
    path("reports/<str:tracking_code>/do/<slug:move>/", views.report_move, name="move"),
    path(
        "reports/<str:tracking_code>/files/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "reports/<str:tracking_code>/events/<int:event_id>/photo/",
        views.event_photo,
        name="event-photo",
    ),
    path("units/", views.units, name="units"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
]
