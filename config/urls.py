from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from blisko.core.views import healthz, media_public

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("blisko.api.urls")),
    path("open311/v2/", include("blisko.reports.open311.urls")),
    path("police/", include("blisko.reports.urls")),
    path("", include("blisko.public.urls")),
]
if settings.DEBUG or settings.BLISKO_SERVE_MEDIA:
    # The demo and development; never the police-only originals (blisko.core.views.media_public).
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media_public, name="media")]

handler404 = "blisko.public.views.error_404"
handler500 = "blisko.public.views.error_500"
