"""Permissions-Policy: no page may use the camera, microphone or payments; only the pages that
ask for the resident's location (`uses_geolocation`) may use geolocation, and only for
Blisko's own origin."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), geolocation=()"
PERMISSIONS_POLICY_GEOLOCATION = "camera=(), microphone=(), payment=(), geolocation=(self)"


def uses_geolocation(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view whose page asks the browser for the user's location (navigator.geolocation)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY_GEOLOCATION
        return response

    return wrapped


class PermissionsPolicyMiddleware:
    """Sets PERMISSIONS_POLICY on every response that has none (see `uses_geolocation`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
