"""The public threat map: reports coloured by status, counted in cells when zoomed out.

The page renders the filters, the legend and the map's frame; static/js/map.js asks
GET /api/v1/map for each viewport and draws points or cells, and sends "I have seen this
too". Without JavaScript the page says the map needs it and still links to reporting and
to following a report by its code. `?lat=&lon=&zoom=` opens the map at a place (links from
a report's page, tests); the filters are plain GET fields, so a filtered map has a URL.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import MAX_ZOOM, parse_lat_lon
from blisko.reports.models import STATUS_COLOURS, Status
from blisko.reports.selectors.categories import categories_all
from blisko.threatmap.selectors.map import (
    PUBLIC_STATUSES,
    map_area_choices,
)

# Placeholder the script replaces with a tracking code in the URLs below.
CODE = "CODE"


def _view(request: HttpRequest) -> dict[str, Any] | None:
    """The place to open the map at, from `?lat=&lon=&zoom=`; None when absent or unusable
    (the map then shows every area)."""
    try:
        lon, lat = parse_lat_lon(request.GET.get("lat"), request.GET.get("lon"))
    except ApplicationError:
        return None
    raw = request.GET.get("zoom", "15")
    zoom = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 2 else 15
    return {"lat": lat, "lon": lon, "zoom": min(zoom, MAX_ZOOM)}


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The public map page with its filters (pre-filled from the query) and legend."""
    chosen_statuses = [s for s in request.GET.getlist("status") if s in PUBLIC_STATUSES]
    context = {
        "map_url": reverse("api:map"),
        "outlines_url": reverse("api:areas-outlines"),
        "seen_url": reverse("api:reports-seen", kwargs={"tracking_code": CODE}),
        "track_url": reverse("public:report-track", kwargs={"code": CODE}),
        "code_placeholder": CODE,
        "categories": categories_all(),
        "statuses": [
            {
                "code": status,
                "label": Status(status).label,
                "colour": STATUS_COLOURS[Status(status)],
                "checked": not chosen_statuses or status in chosen_statuses,
            }
            for status in PUBLIC_STATUSES
        ],
        "areas": [{"area": area, "indent": "\u2003" * depth} for area, depth in map_area_choices()],
        "chosen": {
            "category": request.GET.get("category", ""),
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
            "area": request.GET.get("area", ""),
        },
        "view": _view(request),
    }
    return render(request, "public/map.html", context)
