from django.urls import path

from blisko.engagement import views_meetings as views

app_name = "meetings"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("new/", views.meeting_new, name="new"),
    path("<int:meeting_id>/", views.meeting, name="meeting"),
    path("<int:meeting_id>/edit/", views.meeting_edit, name="edit"),
    path("<int:meeting_id>/move/<slug:move>/", views.meeting_move, name="move"),
    path(
        "<int:meeting_id>/questions/<int:question_id>/<slug:move>/",
        views.question_move,
        name="question-move",
    ),
]
