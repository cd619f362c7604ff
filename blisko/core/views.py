from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_safe
from django.views.static import serve

from blisko.core.health import database_is_ready

# Uploaded files that only police may see; they are served by police views, never as media.
PRIVATE_MEDIA_PREFIXES = ("reports/original/", "plans/", "partnerships/")


@require_safe
def healthz(request):
    """Liveness for load balancers: answers without touching the database."""
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request, using: str = DEFAULT_DB_ALIAS):
    """Readiness for load balancers: 200 while the database answers, else 503 with
    Retry-After (send no traffic here for now; the process itself need not restart)."""
    if database_is_ready(connections[using]):
        response = JsonResponse({"status": "ok"})
    else:
        response = JsonResponse({"status": "unavailable"}, status=503)
        response["Retry-After"] = str(settings.BLISKO_DB_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def media_public(request, path: str):
    """Serve uploaded media in development, except the private originals (404 for those).

    Production serves media from its web server or object store, which must apply the same
    rule; see README.
    """
    if path.lstrip("/").startswith(PRIVATE_MEDIA_PREFIXES):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
