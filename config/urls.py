from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from blisko.accounts.signin import SignInView
from blisko.core.views import healthz, media_public, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Blisko's sign-in (lock-out, authenticator code) before Django's other account views.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("blisko.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("blisko.api.urls")),
    path("open311/v2/", include("blisko.api.open311.urls")),
    path("police/diagnosis/", include("blisko.diagnosis.urls")),
    path("police/plans/", include("blisko.plans.urls")),
    path("police/partnerships/", include("blisko.partnerships.urls")),
    path("police/coverage/", include("blisko.partnerships.urls_coverage")),
    path("police/meetings/", include("blisko.engagement.urls_meetings")),
    path("police/presence/", include("blisko.engagement.urls_presence")),
    path("community/", include("blisko.engagement.urls_community")),
    path("calendar/", include("blisko.engagement.urls_calendar")),
    path("police/", include("blisko.reports.urls")),
    path("", include("blisko.public.urls")),
]
if settings.DEBUG or settings.BLISKO_SERVE_MEDIA:
    # The demo and development; never the police-only originals (blisko.core.views.media_public).
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media_public, name="media")]

handler403 = "blisko.public.views.error_403"
handler404 = "blisko.public.views.error_404"
handler500 = "blisko.public.views.error_500"
