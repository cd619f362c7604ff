from django.urls import path

from blisko.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("new/", views.plan_new, name="new"),
    path("<int:plan_id>/", views.plan, name="plan"),
    path("<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_id>/evidence/", views.plan_refresh, name="refresh"),
    path("<int:plan_id>/move/<slug:move>/", views.plan_move, name="move"),
    path("<int:plan_id>/actions/", views.action_new, name="action-new"),
    path(
        "<int:plan_id>/actions/<int:action_id>/photo",
        views.action_photo,
        name="action-photo",
    ),
    path(
        "<int:plan_id>/actions/<int:action_id>/<slug:move>/",
        views.action_move,
        name="action-move",
    ),
]
