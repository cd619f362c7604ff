"""The coverage pages for the police (`/police/coverage/`): per region and district, the
communities with an officer, with a memorandum, with both, with neither (a table, also as CSV),
the region's communities on a map coloured by class (boundaries from a GeoJSON endpoint,
simplified for the map's zoom and cached by ETag), and the rollout month by month against the
administrator's targets (server-rendered SVG charts and a table of their figures).

Any signed-in police user opens them; a community head or an account without a police role
gets a 403 page (the endpoint: a 403 JSON answer)."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import Extent
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blisko.core.clock import country_zone
from blisko.partnerships.charts import rollout_charts
from blisko.partnerships.forms_coverage import CoverageFilterForm
from blisko.partnerships.selectors.coverage import (
    CommunityCoverage,
    Counts,
    CoverageClass,
    CoverageTable,
    coverage_communities,
    coverage_default_scope,
    coverage_regions,
    coverage_table,
    coverage_user_may_see,
    rollout_series,
)
from blisko.reports.selectors.stats import user_is_supervisor
from blisko.territories.models import Area, Country, Level
from blisko.territories.selectors.outlines import OUTLINE_MAX_ZOOM, outline_tolerance

# The map's colours (Okabe-Ito: told apart with the common colour-vision deficiencies); the
# same in static/css/coverage.css (the legend) and static/js/coverage.js (the map).
CLASS_COLOURS = {
    CoverageClass.BOTH: "#009e73",
    CoverageClass.OFFICER: "#0072b2",
    CoverageClass.MEMORANDUM: "#e69f00",
    CoverageClass.NEITHER: "#bbbbbb",
}
DEFAULT_ZOOM = 8
# The GeoJSON may be kept by the browser this long, then revalidated by its ETag.
GEOJSON_MAX_AGE = 300
# A region's number or a zoom: ASCII digits only (str.isdigit takes "²"), short of overflow.
_WHOLE = re.compile(r"[0-9]{1,12}")


def _today(country: str) -> Any:
    return timezone.localdate(timezone=country_zone(country))


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "partnerships/coverage_forbidden.html",
        {"message": _("The coverage pages are for the police.")},
        status=403,
    )


def _scope(request: HttpRequest, form: CoverageFilterForm) -> tuple[str, Area | None]:
    """The (country, region) shown: the form's when valid; otherwise (and for the country when
    the form names none) the user's own (those of the areas they serve; Ukraine when none)."""
    if form.is_bound and form.is_valid():
        country, region = form.scope()
        if country:
            return country, region
        return coverage_default_scope(user=request.user)[0] or Country.UKRAINE, None
    default_country, default_region = coverage_default_scope(user=request.user)
    return default_country or Country.UKRAINE, None if form.is_bound else default_region


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _cell(text: str) -> str:
    """A name as a CSV cell that no spreadsheet runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_counts(counts: Counts) -> list[Any]:
    return [
        counts.communities,
        counts.officer,
        _number(counts.officer_percent),
        counts.memorandum,
        _number(counts.memorandum_percent),
        counts.both,
        _number(counts.both_percent),
        counts.neither,
        _number(counts.neither_percent),
    ]


def _csv(table: CoverageTable, country: str, region: Area | None) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"coverage-{region.code if region else country}-{table.on:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "row",
            "country",
            "region_code",
            "region",
            "district_code",
            "district",
            "communities",
            "with_officer",
            "with_officer_percent",
            "with_memorandum",
            "with_memorandum_percent",
            "with_both",
            "with_both_percent",
            "with_neither",
            "with_neither_percent",
        ]
    )
    for rows in table.regions:
        r = rows.region
        for row in rows.districts:
            d = row.district
            writer.writerow(
                [
                    "district",
                    r.country,
                    r.code,
                    _cell(r.name),
                    d.code if d else "",
                    _cell(d.name) if d else "",
                    *_csv_counts(row.counts),
                ]
            )
        writer.writerow(
            ["region", r.country, r.code, _cell(r.name), "", "", *_csv_counts(rows.totals)]
        )
    writer.writerow(["total", country, "", "", "", "", *_csv_counts(table.totals)])
    return response


def _legend(communities: list[CommunityCoverage]) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind.value,
            "label": str(kind.label),
            "colour": CLASS_COLOURS[kind],
            "count": sum(1 for c in communities if c.kind == kind),
        }
        for kind in CoverageClass
    ]


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """The coverage of a country (or one region) today: the table, the region's map, the
    rollout charts; `?format=csv` the table as CSV."""
    if not coverage_user_may_see(user=request.user):
        return _forbidden(request)
    regions = coverage_regions()
    form = CoverageFilterForm(request.GET or None, regions=regions)
    country, region = _scope(request, form)
    if not form.is_bound:
        form = CoverageFilterForm(
            initial={"country": country, "region": str(region.pk) if region else ""},
            regions=regions,
        )
    day = _today(country)
    table = coverage_table(on=day, country=country, region=region)
    if request.GET.get("format") == "csv" and not form.errors:
        return _csv(table, country, region)
    communities = coverage_communities(on=day, region=region) if region is not None else []
    bounds = None
    if communities:
        extent = (
            Area.objects.filter(pk__in=[c.id for c in communities])
            .exclude(boundary__isnull=True)
            .aggregate(extent=Extent("boundary"))["extent"]
        )
        if extent:
            west, south, east, north = extent
            bounds = [[south, west], [north, east]]
    series = rollout_series(country=country, today=day)
    query = request.GET.copy()
    query.pop("format", None)
    if not form.is_bound:
        query["country"] = country
        if region is not None:
            query["region"] = str(region.pk)
    return render(
        request,
        "partnerships/coverage.html",
        {
            "form": form,
            "country": country,
            "country_label": Country(country).label,
            "region": region,
            "day": day,
            "table": table,
            "communities": communities,
            "legend": _legend(communities),
            "colours": {kind.value: colour for kind, colour in CLASS_COLOURS.items()},
            "bounds": bounds,
            "series": series,
            "charts": rollout_charts(series),
            "country_regions": [r for r in regions if r.country == country],
            "query": query.urlencode(),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
    )


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"message": message, "extra": {}}, status=status)


def _round_coordinates(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list):
        return [_round_coordinates(v, digits) for v in value]
    return value


def _geometry(boundary: Any, tolerance: float) -> dict[str, Any] | None:
    """The boundary simplified by `tolerance` degrees (GEOS, keeping its topology), its
    coordinates rounded to a tenth of it; the boundary itself where that would be empty or
    invalid."""
    if boundary is None:
        return None
    simple = boundary.simplify(tolerance, preserve_topology=True)
    if simple.empty or not simple.valid:
        simple = boundary
    shape = json.loads(simple.json)
    digits = 6 if tolerance <= 0 else min(6, max(3, math.ceil(-math.log10(tolerance / 10))))
    shape["coordinates"] = _round_coordinates(shape["coordinates"], digits)
    return shape


@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    """`?region=<id>[&zoom=0-20]`: the region's communities today as GeoJSON, each with its
    code, name, district and coverage class (no person in it), the boundaries simplified to
    about half a pixel at `zoom`. Cached by the browser for a few minutes and revalidated by
    ETag. 400 for a missing or bad region or zoom, 403 for anyone but the police."""
    if not coverage_user_may_see(user=request.user):
        return _error(_("The coverage pages are for the police."), status=403)
    raw = request.GET.get("region", "")
    if not _WHOLE.fullmatch(raw):
        return _error(_("Give a region by its number."))
    region = Area.objects.filter(pk=int(raw), level=Level.REGION).defer("boundary").first()
    if region is None:
        return _error(_("There is no such region."))
    zoom_raw = request.GET.get("zoom", str(DEFAULT_ZOOM))
    if not _WHOLE.fullmatch(zoom_raw) or int(zoom_raw) > OUTLINE_MAX_ZOOM:
        return _error(
            _("The zoom must be a whole number from 0 to %(max)s.") % {"max": OUTLINE_MAX_ZOOM}
        )
    zoom = int(zoom_raw)
    day = _today(region.country)
    found = coverage_communities(on=day, region=region)
    ids = [c.id for c in found]
    saved = Area.objects.filter(pk__in=ids).aggregate(last=Max("updated_at"), n=Count("id"))
    language = (get_language() or "uk")[:2]
    fingerprint = json.dumps(
        [
            day.isoformat(),
            region.pk,
            zoom,
            language,
            str(saved["last"]),
            saved["n"],
            [(c.id, c.kind.value, c.name, c.district) for c in found],
        ]
    )
    etag = '"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'
    asked = [
        t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")
    ]
    if etag in asked:
        response: HttpResponse = HttpResponseNotModified()
    else:
        tolerance = outline_tolerance(zoom=zoom)
        boundaries = dict(Area.objects.filter(pk__in=ids).values_list("pk", "boundary"))
        features = [
            {
                "type": "Feature",
                "id": c.code,
                "geometry": _geometry(boundaries.get(c.id), tolerance),
                "properties": {
                    "code": c.code,
                    "name": c.name,
                    "district": c.district,
                    "class": c.kind.value,
                    "label": str(c.kind.label),
                },
            }
            for c in found
        ]
        response = JsonResponse(
            {"type": "FeatureCollection", "features": features},
            content_type="application/geo+json",
            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
        )
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=GEOJSON_MAX_AGE)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response
