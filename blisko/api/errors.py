"""How the API's doors answer a database that is unavailable (registered with
blisko.core.unavailable at start-up): JSON under /api/v1/, Open311's error array under
/open311/ in the format the request asked for."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from blisko.api.open311.render import JSON, XML, error_response


def v1_unavailable(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return JsonResponse(
        {"message": message, "extra": {"retry_after": settings.BLISKO_DB_RETRY_AFTER_SECONDS}},
        status=status,
    )


def open311_unavailable(request: HttpRequest, message: str, status: int) -> HttpResponse:
    match = getattr(request, "resolver_match", None)
    fmt = (match.kwargs.get("fmt") if match else None) or (
        XML if request.path_info.endswith(".xml") else JSON
    )
    return error_response(message, fmt=fmt, status=status)
