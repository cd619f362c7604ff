"""The police pages of the diagnosis: the areas one may open, and one area's diagnosis (the
threat table, the biggest threat, the hotspot map, monthly charts, the sources; as CSV and as
a printable page)."""

from __future__ import annotations

import csv
import math

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from blisko.core.exceptions import NotFoundError
from blisko.diagnosis.charts import trend_chart
from blisko.diagnosis.forms import DiagnosisForm
from blisko.diagnosis.hotspots import DEFAULT_PERMUTATIONS
from blisko.diagnosis.ranking import MIN_EVENTS
from blisko.diagnosis.selectors.access import diagnosis_area_get, diagnosis_area_list
from blisko.diagnosis.selectors.diagnosis import Diagnosis, diagnosis_for_area
from blisko.diagnosis.selectors.hotspots import area_foresight, area_hotspots, hotspots_geojson
from blisko.reports.selectors.stats import user_is_supervisor

AREAS_PAGE_SIZE = 50
CHARTS = 6  # monthly charts of the first threats in the ranking


@login_required
@require_GET
def areas(request: HttpRequest) -> HttpResponse:
    """The areas whose diagnosis the user may open, searchable by name or code."""
    query = (request.GET.get("q") or "").strip()[:100]
    found = diagnosis_area_list(user=request.user).defer("boundary")
    if query:
        found = found.filter(
            Q(name_official__icontains=query)
            | Q(name_uk__icontains=query)
            | Q(name_pl__icontains=query)
            | Q(name_en__icontains=query)
            | Q(code__icontains=query)
        )
    page = Paginator(found, AREAS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "diagnosis/areas.html",
        {"page": page, "query": query, "is_supervisor": user_is_supervisor(user=request.user)},
    )


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return "inf"
    return f"{value:.{digits}f}"


def _csv(diagnosis: Diagnosis) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"diagnosis-{diagnosis.area.code}-{diagnosis.period.start:%Y-%m}-{diagnosis.period.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "rank",
            "threat",
            "name",
            "count",
            "police",
            "reports",
            "rate_per_1000",
            "rate_low",
            "rate_high",
            "region_count",
            "region_rate_per_1000",
            "ratio_to_region",
            "ratio_low",
            "ratio_high",
            "ratio_p_value",
            "previous_count",
            "trend_ratio",
            "trend_low",
            "trend_high",
            "trend_p_value",
            "too_few_events",
            "biggest",
        ]
    )
    for row in diagnosis.rows:
        f = row.figures
        writer.writerow(
            [
                row.rank,
                row.code,
                row.category.name,
                f.count,
                row.police,
                row.reports,
                _number(f.rate.value if f.rate else None, 3),
                _number(f.rate.low if f.rate else None, 3),
                _number(f.rate.high if f.rate else None, 3),
                f.region_count,
                _number(f.region_rate.value if f.region_rate else None, 3),
                _number(f.vs_region.ratio if f.vs_region else None),
                _number(f.vs_region.low if f.vs_region else None),
                _number(f.vs_region.high if f.vs_region else None),
                _number(f.vs_region.p_value if f.vs_region else None, 4),
                f.previous_count,
                _number(f.trend.ratio if f.trend else None),
                _number(f.trend.low if f.trend else None),
                _number(f.trend.high if f.trend else None),
                _number(f.trend.p_value if f.trend else None, 4),
                int(f.too_few),
                int(diagnosis.biggest is row),
            ]
        )
    return response


@login_required
@require_GET
def diagnosis(request: HttpRequest, area_id: int) -> HttpResponse:
    """One area's diagnosis; `?format=csv` the threat table as CSV, `?print=1` to print."""
    try:
        area = diagnosis_area_get(user=request.user, area_id=area_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    form = DiagnosisForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    period = form.period()
    result = diagnosis_for_area(area=area, period=period)
    if request.GET.get("format") == "csv" and valid:
        return _csv(result)
    printable = request.GET.get("print") == "1"
    resolution = form.resolution_value()
    threat = form.threat_value()
    cells = None
    foresight = None
    if not printable:
        foresight = area_foresight(area=area, period=period, resolution=resolution, threat=threat)
        cells = area_hotspots(
            area=area,
            period=period,
            resolution=resolution,
            permutations=DEFAULT_PERMUTATIONS,
            threat=threat,
        )
    charted = [row for row in result.rows if row.figures.count][:CHARTS]
    charts = [(row, trend_chart(result.months, row.monthly)) for row in charted]
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("print", None)
    return render(
        request,
        "diagnosis/print.html" if printable else "diagnosis/diagnosis.html",
        {
            "area": area,
            "form": form,
            "d": result,
            "charts": charts,
            "quiet": [
                r for r in result.rows if not r.figures.count and not r.figures.previous_count
            ],
            "min_events": MIN_EVENTS,
            "hotspots": hotspots_geojson(cells) if cells is not None else None,
            "hot_count": int(cells.hot().sum()) if cells is not None else 0,
            "cold_count": int((cells.classes == "cold").sum()) if cells is not None else 0,
            "cell_count": len(cells.cells) if cells is not None else 0,
            "resolution": resolution,
            "foresight": foresight,
            "threat": threat,
            "query": query.urlencode(),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
    )
