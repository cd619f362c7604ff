from django.urls import path

from blisko.engagement import views_community

app_name = "community"

urlpatterns = [path("", views_community.community, name="community")]
