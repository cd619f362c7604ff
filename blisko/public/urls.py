from django.urls import path

from blisko.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("officer/", views.officer, name="officer"),
]
