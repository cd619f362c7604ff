from django.urls import path

from blisko.engagement import views_meetings as views

app_name = "calendar"

urlpatterns = [path("<str:code>.ics", views.calendar_feed, name="area")]
