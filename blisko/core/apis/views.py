"""The base every public API view stands on, and the API's answer to an unknown path."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class PublicApi(APIView):
    """A public, read-only endpoint: anyone may GET it, nobody may write through it.

    No authentication runs, so an anonymous request never touches the session table; views
    define only `get`, so POST, PUT, PATCH and DELETE answer 405.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)


def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /api/v1/: a 404 in the API's own error body, never the site's
    HTML page (an `area_id` that is not a number, a mistyped endpoint). A path that exists
    with a trailing slash is redirected to it, as CommonMiddleware would."""
    if settings.APPEND_SLASH and request.method in ("GET", "HEAD") and not path.endswith("/"):
        try:
            match = resolve(f"{request.path}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            return HttpResponsePermanentRedirect(f"{request.path}/")
    return JsonResponse({"message": _("Not found."), "extra": {}}, status=404)
