"""The api_key of an Open311 request: read from the request, checked by the service."""

from django.http import HttpRequest

from blisko.reports.models import Open311Key
from blisko.reports.services.open311_keys import open311_key_check


def request_api_key(request: HttpRequest) -> str | None:
    """The api_key the client sent: a form field of the POST, or a query parameter."""
    return (request.POST.get("api_key") or request.GET.get("api_key") or "").strip() or None


def request_key(request: HttpRequest) -> Open311Key:
    """The active key of the request; ApplicationError (403) when missing, unknown or inactive."""
    return open311_key_check(raw_key=request_api_key(request))
