"""Resident-facing pages: find your officer by place name, by location or on the map.

Views stay thin: they read the query, call selectors and render. Every page works without
JavaScript; static/js/blisko.js adds suggestions, "use my location" and the maps.
"""

import logging
import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.geo import parse_lat_lon
from blisko.core.unavailable import database_unavailable_response, is_database_unavailable
from blisko.diagnosis.selectors.public import public_summary
from blisko.officers.selectors.find import officer_find
from blisko.partnerships.selectors.access import memoranda_for_community
from blisko.plans.selectors.plans import area_priorities
from blisko.territories.models import Level, Place
from blisko.territories.selectors.areas import area_by_code, area_children, area_point
from blisko.territories.selectors.places import place_get, place_location, place_search

logger = logging.getLogger(__name__)

# How many places the page without JavaScript lists for one search.
SEARCH_PAGE_LIMIT = 20


def _api_urls() -> dict[str, str]:
    """The JSON endpoints the page's script calls (kept here so templates hold no paths)."""
    return {
        "places_search_url": reverse("api:places-search"),
        "outlines_url": reverse("api:areas-outlines"),
    }


def _error_page(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "public/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def _where(place: Place) -> list[str]:
    """Community, district and region of a place: what tells apart villages of one name."""
    names: list[str] = []
    node = place.area
    while node is not None:
        if node.level in (Level.COMMUNITY, Level.DISTRICT, Level.REGION) and node.name not in (
            place.name,
            *names,
        ):
            names.append(node.name)
        node = node.parent
    return names


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page: search by place name, use my location, or click the map."""
    return render(request, "public/home.html", _api_urls())


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Places matching `q`, each linking to its officer: the search without JavaScript."""
    query = request.GET.get("q", "")
    context: dict[str, Any] = {**_api_urls(), "query": query.strip(), "places": [], "error": ""}
    if not query.strip():
        return render(request, "public/search.html", context)
    try:
        places = place_search(query=query, limit=SEARCH_PAGE_LIMIT)
    except ApplicationError as error:
        context["error"] = error.message
        return render(request, "public/search.html", context, status=400)
    context["places"] = [{"place": place, "where": _where(place)} for place in places]
    return render(request, "public/search.html", context)


def _place_point(raw_id: str) -> tuple[Place, float, float]:
    """The place named by `?place=` and its (lon, lat); ApplicationError if unusable."""
    raw_id = raw_id.strip()
    if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18:
        raise ApplicationError(_("“place” must be the number of a place."), {"field": "place"})
    place = place_get(place_id=int(raw_id))
    location = place_location(place=place)
    if location is None:
        raise NotFoundError(_("This place has no location on the map."), {"place": place.pk})
    lon, lat = location
    return place, lon, lat


@require_GET
def officer(request: HttpRequest) -> HttpResponse:
    """The officer(s) serving a point (`?lat=&lon=`) or a place (`?place=<id>`)."""
    place: Place | None = None
    try:
        if "place" in request.GET:
            place, lon, lat = _place_point(request.GET["place"])
        else:
            lon, lat = parse_lat_lon(request.GET.get("lat"), request.GET.get("lon"))
    except NotFoundError as error:
        return _error_page(
            request, status=404, title=_("This place was not found"), message=error.message
        )
    except ApplicationError as error:
        return _error_page(
            request, status=400, title=_("This location cannot be used"), message=error.message
        )

    try:
        found = officer_find(lon=lon, lat=lat)
    except NotFoundError:
        return render(request, "public/outside.html", {"lat": lat, "lon": lon}, status=404)

    # Anyone standing in for an absent officer comes first: they are the one to call now.
    cards = sorted(found.officers, key=lambda card: card.covering_for is None)
    area = found.area
    community = next((a for a in found.areas if a.level == Level.COMMUNITY), area)
    return render(
        request,
        "public/officer.html",
        {
            **_api_urls(),
            "area": area,
            "areas": found.areas,
            "parents": [a for a in found.areas if a.pk != area.pk and a.level != Level.COUNTRY],
            "chain": list(reversed(found.areas)),
            "cards": cards,
            "traffic_officers": found.traffic_officers,
            "supervisors": found.supervisors,
            "unit": found.unit,
            "nearest_units": found.nearest_units,
            "phone": found.phone,
            "email": found.email,
            "place": place,
            "lat": lat,
            "lon": lon,
            "boundary_url": reverse("api:areas-boundary", kwargs={"area_id": area.pk}),
            "summary": public_summary(area=community),
            "priorities": [
                p
                for served in found.areas
                if served.level in (Level.COMMUNITY, Level.SERVICE_AREA)
                for p in area_priorities(area=served)
            ],
            "area_page": reverse("public:area", kwargs={"code": community.code}),
        },
    )


@require_GET
def area_page(request: HttpRequest, code: str) -> HttpResponse:
    """An area's public page: what threatens it, its police priorities, the areas it holds,
    and the way to its officer. 404 for an unknown code."""
    try:
        area = area_by_code(code=code)
    except NotFoundError as error:
        return _error_page(
            request, status=404, title=_("This area was not found"), message=error.message
        )
    point = area_point(area=area)
    return render(
        request,
        "public/area.html",
        {
            "area": area,
            "parents": [a for a in reversed(area.ancestors()) if a.level != Level.COUNTRY],
            "children": area_children(area=area),
            "summary": public_summary(area=area),
            "priorities": area_priorities(area=area),
            # Cooperation is public: which memoranda the community has in force, with whom.
            "memoranda": (
                list(memoranda_for_community(area=area, on=site_today()))
                if area.level == Level.COMMUNITY
                else []
            ),
            "officer_url": (
                f"{reverse('public:officer')}?lat={point[1]:.6f}&lon={point[0]:.6f}"
                if point
                else ""
            ),
        },
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    """The site's answer to an uncaught error; 503 with Retry-After when it is the database
    being unavailable (blisko.core.unavailable), raised before any view could answer."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the page itself may be what broke: answer plainly
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(
            "<!doctype html><title>500</title><h1>Server error</h1>", content_type="text/html"
        )
