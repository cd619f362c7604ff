"""/api/v1/ routes of the threat map, included from blisko/api/urls.py."""

urlpatterns: list = []
