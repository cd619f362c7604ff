from django.urls import path

from blisko.engagement import views_presence as views

app_name = "presence"

urlpatterns = [
    path("", views.presence, name="presence"),
    path("officer/<int:officer_id>/", views.officer_month, name="officer"),
    path("team/", views.team, name="team"),
    path("import/", views.import_page, name="import"),
]
