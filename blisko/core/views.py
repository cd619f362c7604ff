from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET
from django.views.static import serve

# Uploaded files that only police may see; they are served by police views, never as media.
PRIVATE_MEDIA_PREFIXES = ("reports/original/",)


@require_GET
def healthz(request):
    """Liveness for load balancers: answers without touching the database."""
    return JsonResponse({"status": "ok"})


def media_public(request, path: str):
    """Serve uploaded media in development, except the private originals (404 for those).

    Production serves media from its web server or object store, which must apply the same
    rule; see README.
    """
    if path.lstrip("/").startswith(PRIVATE_MEDIA_PREFIXES):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
