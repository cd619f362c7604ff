"""What the public map shows of the reports, and the rules that keep exact points private.

`map_data(bbox=, zoom=, filters=)` answers one viewport:
- zoomed in (zoom >= POINTS_MIN_ZOOM) and with at most MAX_POINTS reports in view: each report
  as a GeoJSON point at its *public* location (exact categories at their point, reduced ones
  at the centre of their ~300 m grid cell), with its code, status, colour, category, date and
  "seen too" count. Hidden categories never appear as points.
- otherwise: reports counted in square grid cells of 360 / 2**(zoom + 2) degrees (64 pixels
  east-west, more north-south in Web Mercator; coarser when the viewport would hold more than
  MAX_CELLS cells), each with its count, its counts per status, and a position: the mean of
  the public points in it, moved just far enough inside the cell for the page's count circle
  (CIRCLE_*: at most 60 pixels across) to fit with a pixel to spare, or the cell's centre when
  it has no public point. Cells do not overlap, so neither do their circles, at any zoom. A
  cell is counted whole (the viewport is widened to whole cells), so panning never changes a
  cell's numbers or its place. Counting runs on the in-memory index
  (`map_index`) or, while that is being built, in the database (`map_sql`): the same rules,
  the same numbers.

Privacy: no answer carries a coordinate computed from the exact point of a reduced or hidden
report. Reduced reports are counted and averaged by their public (snapped) point. Hidden
reports are counted only in cells of at least ~1.6 km (zoom <= 12; HIDDEN_MAX_LEVEL), add to
the count but not to the mean position, and are not counted at all when the area filter is
a service area (a beat can be smaller than that).

Public rules: duplicates are never shown (the report they repeat is); not-confirmed reports
leave the map BLISKO_REPORT_NOT_CONFIRMED_PUBLIC_DAYS after they were verified (police still
see them).

Why one module of over 400 lines: one answer to one viewport: the privacy rules, the points
and the cells depend on each other's constants, and the rules are meant to be read in one
place.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import (
    GEO_SRID,
    Bbox,
    viewport_check,
)
from blisko.reports.models import STATUS_COLOURS, Category, Precision, Report, Status
from blisko.territories.models import Area, Level
from blisko.threatmap.selectors import map_sql
from blisko.threatmap.selectors.map_index import MapIndex, map_index_current
from blisko.threatmap.selectors.map_sql import FINE_LEVEL, HIDDEN_MAX_LEVEL, CellQuery, level_step

# Reports are shown one by one from this zoom on (a few streets on a phone's screen)...
POINTS_MIN_ZOOM = 13
# ...when the viewport holds at most this many; otherwise they are counted in cells.
MAX_POINTS = 500
# At most this many cells in one answer (a 1920 x 1080 screen shows about 330 cells at its
# zoom): with every status in every cell that is still under 150 KB of JSON.
MAX_CELLS = 1024
# Web Mercator tiles are this many pixels square: the world is TILE_PX * 2**zoom pixels wide.
TILE_PX = 256
# Cells are CELL_LEVEL_OFFSET levels finer than the zoom: TILE_PX >> 2 = 64 pixels wide.
CELL_LEVEL_OFFSET = 2
# The circle the page (static/js/map/reports.js) draws for a cell, which reads these from the answer
# (`circle`): CIRCLE_MIN_PX + CIRCLE_PX_PER_DECADE * log10(count) pixels across, rounded, at
# most CIRCLE_MAX_PX. A circle keeps CIRCLE_GAP_PX from its cell's edges, so the circles of two
# neighbouring cells are at least twice that apart.
CIRCLE_MIN_PX = 26
CIRCLE_MAX_PX = 60
CIRCLE_PX_PER_DECADE = 7
CIRCLE_GAP_PX = 1
assert TILE_PX >> CELL_LEVEL_OFFSET >= CIRCLE_MAX_PX + 2 * CIRCLE_GAP_PX
# Web Mercator stops at this latitude (the world is square).
MERCATOR_MAX_LAT = 85.0511287798
# Statuses the public map shows, in the legend's order. Duplicates are shown as the report
# they repeat.
PUBLIC_STATUSES: tuple[str, ...] = tuple(s for s in Status.values if s != Status.DUPLICATE)


@dataclass(frozen=True)
class MapFilters:
    """The map's filters; empty means everything public. Build with `map_filters_get`."""

    categories: tuple[Category, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    area: Area | None = None
    area_ids: tuple[int, ...] = field(default=(), compare=False)


def _descendants(area: Area) -> tuple[int, ...]:
    """The area and every area below it, of any date (old reports keep old areas)."""
    children: dict[int, list[int]] = {}
    for pk, parent in Area.objects.values_list("id", "parent_id"):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found, todo = {area.pk}, [area.pk]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return tuple(sorted(found))


def map_filters_get(
    *,
    category_codes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    area_id: int | None = None,
) -> MapFilters:
    """Check the filters and resolve them: ApplicationError (translated, naming the field)
    for an unknown category code, a status the public map does not show, a period that
    ends before it starts, or an unknown area."""
    categories: list[Category] = []
    if category_codes:
        known = {c.code: c for c in Category.objects.filter(code__in=set(category_codes))}
        for code in category_codes:
            if code not in known:
                raise ApplicationError(
                    _("There is no category “%(code)s”.") % {"code": code},
                    {"field": "category"},
                )
            if known[code] not in categories:
                categories.append(known[code])
    for status in statuses:
        if status not in PUBLIC_STATUSES:
            raise ApplicationError(
                _("The public map has no status “%(status)s”.") % {"status": status},
                {"field": "status"},
            )
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ApplicationError(_("“from” must not be after “to”."), {"field": "from"})
    area = None
    area_ids: tuple[int, ...] = ()
    if area_id is not None:
        area = Area.objects.filter(pk=area_id).first()
        if area is None:
            raise ApplicationError(
                _("There is no area with the number %(id)s.") % {"id": area_id},
                {"field": "area"},
            )
        area_ids = _descendants(area)
    return MapFilters(
        categories=tuple(categories),
        statuses=tuple(dict.fromkeys(statuses)),
        date_from=date_from,
        date_to=date_to,
        area=area,
        area_ids=area_ids,
    )


def map_area_choices() -> list[tuple[Area, int]]:
    """The areas the public map can be filtered by, in force today, as a tree in reading
    order: each region (depth 0), its districts (1), each followed by its communities (2);
    siblings by name in the active language. Boundaries are not loaded."""
    today = timezone.localdate()
    areas = list(
        Area.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=today),
            valid_from__lte=today,
            level__in=[Level.REGION, Level.DISTRICT, Level.COMMUNITY],
        ).defer("boundary")
    )
    children: dict[int | None, list[Area]] = {}
    known = {area.pk for area in areas}
    for area in areas:
        parent = area.parent_id if area.parent_id in known else None
        if parent is None and area.level != Level.REGION:
            continue  # a district or community whose region is not in force: not listed
        children.setdefault(parent, []).append(area)
    out: list[tuple[Area, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for area in sorted(children.get(parent, []), key=lambda a: a.name):
            out.append((area, depth))
            walk(area.pk, depth + 1)

    walk(None, 0)
    return out


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _not_confirmed_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.BLISKO_REPORT_NOT_CONFIRMED_PUBLIC_DAYS)


def _hidden_counted(filters: MapFilters) -> bool:
    """Hidden categories are not counted under a service-area filter: a beat can be smaller
    than the smallest cell they are counted in."""
    return filters.area is None or filters.area.level != Level.SERVICE_AREA


def _legend(totals: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "status": status,
            "label": str(Status(status).label),
            "colour": STATUS_COLOURS[Status(status)],
            "count": totals.get(status, 0),
        }
        for status in PUBLIC_STATUSES
    ]


# --- points ------------------------------------------------------------------------------


def _public_reports(filters: MapFilters, now: dt.datetime) -> Any:
    """Reports the public may see as points, with the filters applied (a queryset)."""
    reports = (
        Report.objects.filter(public_location__isnull=False)
        .exclude(category__precision=Precision.HIDDEN)
        .filter(status__in=filters.statuses or PUBLIC_STATUSES)
        .annotate(settled=Coalesce("verified_at", "closed_at", "created_at"))
        .exclude(Q(status=Status.NOT_CONFIRMED) & Q(settled__lt=_not_confirmed_cutoff(now)))
    )
    if filters.categories:
        reports = reports.filter(category__in=[c.pk for c in filters.categories])
    if filters.area_ids:
        reports = reports.filter(area_id__in=filters.area_ids)
    if filters.date_from is not None:
        reports = reports.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        reports = reports.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(1)))
    return reports


def _points(bbox: Bbox, filters: MapFilters, now: dt.datetime) -> list[tuple] | None:
    """The reports in the viewport as rows, or None when there are more than MAX_POINTS.

    No ORDER BY: the database stops at MAX_POINTS + 1 rows, whichever they are.
    """
    viewport = Polygon.from_bbox(bbox)
    viewport.srid = GEO_SRID
    reports = (
        _public_reports(filters, now)
        .filter(public_location__intersects=viewport)
        .order_by()
        .values_list(
            "id",
            "tracking_code",
            "status",
            "category__code",
            "created_at",
            "seen_count",
            "public_location",
        )[: MAX_POINTS + 1]
    )
    with map_sql.serial_plan():
        rows = list(reports)
    if len(rows) > MAX_POINTS:
        return None
    rows.sort(key=lambda row: row[0])
    return rows


def _points_payload(rows: list[tuple]) -> tuple[dict[str, Any], dict[str, int], list[str]]:
    features = []
    totals: dict[str, int] = {}
    codes: list[str] = []
    for _pk, code, status, category, created_at, seen, point in rows:
        totals[status] = totals.get(status, 0) + 1
        if category not in codes:
            codes.append(category)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(point.x, 6), round(point.y, 6)],
                },
                "properties": {
                    "code": code,
                    "status": status,
                    "colour": STATUS_COLOURS[Status(status)],
                    "category": category,
                    "date": timezone.localdate(created_at).isoformat(),
                    "seen": seen,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}, totals, codes


# --- cells -------------------------------------------------------------------------------


def _cell_query(bbox: Bbox, zoom: int, filters: MapFilters, now: dt.datetime) -> CellQuery:
    """The cells of the viewport at the zoom's level, coarser while they are too many."""
    west, south, east, north = bbox
    level = min(zoom + CELL_LEVEL_OFFSET, FINE_LEVEL)
    while True:
        step = level_step(level)
        cx0, cx1 = math.floor(west / step), math.floor(east / step)
        cy0, cy1 = math.floor(south / step), math.floor(north / step)
        if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) <= MAX_CELLS or level == 0:
            break
        level -= 1
    return CellQuery(
        level=level,
        cx0=cx0,
        cx1=cx1,
        cy0=cy0,
        cy1=cy1,
        statuses=filters.statuses or PUBLIC_STATUSES,
        category_ids=tuple(c.pk for c in filters.categories),
        area_ids=filters.area_ids,
        created_from=_day_start(filters.date_from) if filters.date_from else None,
        created_before=_day_start(filters.date_to + dt.timedelta(1)) if filters.date_to else None,
        not_confirmed_cutoff=_not_confirmed_cutoff(now),
        with_hidden=_hidden_counted(filters),
    )


def map_cells_count(*, query: CellQuery, use_index: bool = True) -> list[map_sql.CellRow]:
    """Rows (cx, cy, status, count, sum x, sum y, public points) for `query`, from the
    in-memory index when it is fresh (and `use_index`), else from the database."""
    index = map_index_current() if use_index else None
    return _count_cells(query, index)


def _count_cells(query: CellQuery, index: MapIndex | None) -> list[map_sql.CellRow]:
    if index is not None:
        return index.count_cells(query)
    return map_sql.cells_count(query)


def cell_circle_px(count: int) -> int:
    """How many pixels across the page draws the circle of a cell of `count` reports: the
    formula of static/js/map/reports.js (`cellIcon`), whose Math.round rounds halves up."""
    size = CIRCLE_MIN_PX + CIRCLE_PX_PER_DECADE * math.log10(max(count, 1))
    return math.floor(min(max(size, CIRCLE_MIN_PX), CIRCLE_MAX_PX) + 0.5)


def mercator_y(lat: float, zoom: int) -> float:
    """Pixels north of the equator at `zoom` in Web Mercator (as Leaflet draws it); latitudes
    beyond MERCATOR_MAX_LAT count as that."""
    phi = math.radians(min(max(lat, -MERCATOR_MAX_LAT), MERCATOR_MAX_LAT))
    return TILE_PX * 2.0**zoom / (2 * math.pi) * math.log(math.tan(math.pi / 4 + phi / 2))


def _mercator_lat(y: float, zoom: int) -> float:
    return math.degrees(
        2 * math.atan(math.exp(y * 2 * math.pi / (TILE_PX * 2.0**zoom))) - math.pi / 2
    )


def _cell_decimals(zoom: int) -> int:
    """Decimals of a cell's position: a tenth of a pixel or finer at `zoom`."""
    return 5 + max(0, (zoom - 12) // 3)


class _CellPlacer:
    """Where a cell's circle goes: the mean of its public points, moved (if need be) just far
    enough into the cell for a circle of the cell's diameter to keep CIRCLE_GAP_PX from every
    edge; the middle of the cell along a side too short for it (never, while cells are 64
    pixels or more). Cells with no public point sit at their centre.

    East-west a degree is the same number of pixels everywhere; north-south it grows with the
    latitude (Web Mercator), so that test is made in pixels. The edges of each row of cells
    are computed once (the answer is made for up to MAX_CELLS cells).
    """

    def __init__(self, *, level: int, zoom: int):
        self.step = level_step(level)
        self.zoom = zoom
        self.degrees_per_px = 360.0 / (TILE_PX * 2.0**zoom)
        # (row, diameter) → the latitudes a centre may take in that row.
        self.latitudes: dict[tuple[int, int], tuple[float, float]] = {}

    def _latitudes(self, cy: int, diameter: int) -> tuple[float, float]:
        found = self.latitudes.get((cy, diameter))
        if found is None:
            margin = diameter / 2 + CIRCLE_GAP_PX
            low = mercator_y(cy * self.step, self.zoom) + margin
            high = mercator_y((cy + 1) * self.step, self.zoom) - margin
            if low > high:
                low = high = (low + high) / 2
            found = (_mercator_lat(low, self.zoom), _mercator_lat(high, self.zoom))
            self.latitudes[(cy, diameter)] = found
        return found

    def place(
        self, cx: int, cy: int, count: int, mean: tuple[float, float] | None
    ) -> tuple[float, float]:
        step = self.step
        if mean is None:  # hidden reports only: the cell's centre, never anything nearer them
            return (cx + 0.5) * step, (cy + 0.5) * step
        lon, lat = mean
        diameter = cell_circle_px(count)
        pad = (diameter / 2 + CIRCLE_GAP_PX) * self.degrees_per_px
        low, high = cx * step + pad, (cx + 1) * step - pad
        lon = (low + high) / 2 if low > high else min(max(lon, low), high)
        low, high = self._latitudes(cy, diameter)
        return lon, min(max(lat, low), high)


def _cells_payload(
    rows: list[map_sql.CellRow], level: int, zoom: int
) -> tuple[list, dict[str, int]]:
    """The answer's cells (south to north, then west to east) and the totals per status.

    Both ways of counting return their rows ordered by cy, cx (`map_sql.cells_count`,
    `MapIndex.count_cells`), so a cell's rows are consecutive; rows out of that order are
    sorted first.
    """
    placer = _CellPlacer(level=level, zoom=zoom)
    decimals = _cell_decimals(zoom)
    out: list[dict[str, Any]] = []
    totals: dict[str, int] = {}

    def close(cx: int, cy: int, counts: dict[str, int], count: int, mean: Any) -> None:
        lon, lat = placer.place(cx, cy, count, mean)
        out.append(
            {
                "lat": round(lat, decimals),
                "lon": round(lon, decimals),
                "count": count,
                "counts": {s: counts[s] for s in PUBLIC_STATUSES if s in counts},
            }
        )

    key = None
    counts: dict[str, int] = {}
    count = n = 0
    sum_x = sum_y = 0.0
    for cx, cy, status, number, sx, sy, n_public in rows:
        if key != (cy, cx):
            if key is not None:
                if (cy, cx) < key:
                    return _cells_payload(sorted(rows, key=lambda r: (r[1], r[0])), level, zoom)
                close(key[1], key[0], counts, count, (sum_x / n, sum_y / n) if n else None)
            key = (cy, cx)
            counts, count, n, sum_x, sum_y = {}, 0, 0, 0.0, 0.0
        counts[status] = counts.get(status, 0) + number
        count += number
        if sx is not None and sy is not None:  # None: no public point among these rows
            sum_x += sx
            sum_y += sy
            n += n_public
        totals[status] = totals.get(status, 0) + number
    if key is not None:
        close(key[1], key[0], counts, count, (sum_x / n, sum_y / n) if n else None)
    return out, totals


# --- the answer --------------------------------------------------------------------------


def map_data(
    *,
    bbox: Bbox,
    zoom: int,
    filters: MapFilters | None = None,
    now: dt.datetime | None = None,
    use_index: bool = True,
) -> dict[str, Any]:
    """The public map for one viewport: points or cells, the legend's counts per status.

    `bbox` is (west, south, east, north) in degrees, `zoom` 0-20; ApplicationError
    (translated, extra {"field": ...}) when the zoom is out of range or the bbox is not a
    proper box or is larger than MAX_VIEWPORT_TILES tiles at a zoom of 4 or more. The
    answer is plain JSON-ready data (see the API's schema: blisko/threatmap/apis.py).
    """
    viewport_check(bbox=bbox, zoom=zoom)
    filters = filters or MapFilters()
    now = now or timezone.now()
    answer: dict[str, Any] = {"zoom": zoom, "bbox": list(bbox)}
    query = _cell_query(bbox, zoom, filters, now)
    index = map_index_current() if use_index else None
    rows = None
    # Points only zoomed in, and only when few enough (the index tells without asking the
    # database; without it the database stops reading at MAX_POINTS + 1).
    if zoom >= POINTS_MIN_ZOOM and (index is None or index.count_points(query, bbox) <= MAX_POINTS):
        rows = _points(bbox, filters, now)
    if rows is not None:
        points, totals, codes = _points_payload(rows)
        names = {c.code: c.name for c in Category.objects.filter(code__in=codes)}
        answer.update(
            kind="points",
            cell_size=None,
            hidden_counted=False,
            points=points,
            cells=[],
            categories={code: names[code] for code in sorted(codes)},
        )
    else:
        cells, totals = _cells_payload(_count_cells(query, index), query.level, zoom)
        answer.update(
            kind="cells",
            cell_size=level_step(query.level),
            hidden_counted=query.with_hidden and query.level <= HIDDEN_MAX_LEVEL,
            points={"type": "FeatureCollection", "features": []},
            cells=cells,
            categories={},
        )
    answer["total"] = sum(totals.values())
    answer["legend"] = _legend(totals)
    answer["circle"] = {
        "min_px": CIRCLE_MIN_PX,
        "max_px": CIRCLE_MAX_PX,
        "px_per_decade": CIRCLE_PX_PER_DECADE,
    }
    return answer
