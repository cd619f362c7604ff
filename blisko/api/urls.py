"""Routes of the JSON API, mounted at /api/v1/ by config/urls.py: every /api/v1/ route is
wired here, and only here (each app keeps its views in its `apis` module).

The schema (OpenAPI 3), Swagger UI and ReDoc are served from the drf-spectacular-sidecar
static files, so the documentation works without reaching any CDN.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from blisko.core.apis.views import not_found
from blisko.diagnosis.apis import AreaDiagnosisApi, AreaHotspotsApi
from blisko.engagement.apis import AreaEventsApi
from blisko.officers.apis import DirectoryApi, OfficerFindApi
from blisko.plans.apis import AreaPrioritiesApi
from blisko.reports.apis.seen import ReportSeenApi
from blisko.reports.apis.submit import ReportSubmitApi, ReportTrackApi
from blisko.territories.apis import (
    AreaBoundaryApi,
    AreaDetailApi,
    AreaLocateApi,
    AreaOutlinesApi,
    PlaceSearchApi,
)
from blisko.threatmap.apis import MapApi

app_name = "api"

urlpatterns = [
    path("areas/locate", AreaLocateApi.as_view(), name="areas-locate"),
    path("areas/outlines", AreaOutlinesApi.as_view(), name="areas-outlines"),
    path("areas/<int:area_id>", AreaDetailApi.as_view(), name="areas-detail"),
    path("areas/<int:area_id>/boundary", AreaBoundaryApi.as_view(), name="areas-boundary"),
    path("areas/<int:area_id>/diagnosis", AreaDiagnosisApi.as_view(), name="areas-diagnosis"),
    path("areas/<int:area_id>/hotspots", AreaHotspotsApi.as_view(), name="areas-hotspots"),
    path("areas/<int:area_id>/priorities", AreaPrioritiesApi.as_view(), name="areas-priorities"),
    path("areas/<int:area_id>/events", AreaEventsApi.as_view(), name="areas-events"),
    path("officers/find", OfficerFindApi.as_view(), name="officers-find"),
    path("places/search", PlaceSearchApi.as_view(), name="places-search"),
    path("directory", DirectoryApi.as_view(), name="directory"),
    path("reports", ReportSubmitApi.as_view(), name="reports-create"),
    path("reports/<str:tracking_code>", ReportTrackApi.as_view(), name="reports-detail"),
    path("reports/<str:tracking_code>/seen", ReportSeenApi.as_view(), name="reports-seen"),
    path("map", MapApi.as_view(), name="map"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        # ReDoc's bundle adds its <style> elements without a nonce (styled-components in a
        # webpack build that cannot be given one): this page alone allows inline styles.
        # Its scripts stay under the nonce.
        csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    # Last: every other path under /api/v1/ answers a JSON 404 (see not_found).
    re_path(r"^(?P<path>.*)$", not_found, name="not-found"),
]
