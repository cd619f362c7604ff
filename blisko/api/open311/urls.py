"""Open311 GeoReport v2 at /open311/v2/. Each resource ends in .json or .xml."""

from django.urls import path, re_path

from blisko.api.open311 import views

app_name = "open311"

_FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + _FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + _FORMAT, views.services, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+?)" + _FORMAT,
        views.service_definition,
        name="service",
    ),
    re_path(r"^requests" + _FORMAT, views.service_requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + _FORMAT,
        views.request_detail,
        name="request",
    ),
    re_path(r"^tokens/(?P<token_id>[^/]+?)" + _FORMAT, views.token, name="token"),
    re_path(r"^(?P<path>.+)$", views.not_found, name="not-found"),
]
