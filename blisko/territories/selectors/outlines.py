"""Outlines of areas for the maps: one level simplified for a zoom, whole or only what meets a
view, valid and never empty, cached per process."""

import math
import threading
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import Polygon
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.core.periods import valid_on
from blisko.territories.index import IndexSnapshot, current_index
from blisko.territories.models import Area, AreaBoundary, Country, Level

OUTLINE_MAX_TOLERANCE = 1.0


# Outlines cached per index snapshot (level x country x tolerance x language).
OUTLINE_CACHE_SIZE = 48


# Outline coordinates are rounded to this many decimals (about 1 m).
_OUTLINE_DECIMALS = 5


# Outlines of a map view: simplified to half a pixel at its zoom. A pixel of a 256-pixel Web
# Mercator tile spans 360 / 2**(zoom + 8) degrees east-west, and cos(latitude) times that
# north-south: the smaller, at OUTLINE_LATITUDE (the north of Poland), is the one kept.
OUTLINE_MAX_ZOOM = 20


OUTLINE_LATITUDE = 55.0


# Simplified outlines of map views cached per index snapshot: at most this many vertices in all
# (about 100 bytes each as Python lists), then the cache starts again.
OUTLINE_VIEW_CACHE_VERTICES = 1_000_000


_outline_view_lock = threading.Lock()


def _simplified_shape(geometry: Any, tolerance: float, decimals: int) -> Any:
    """`geometry` simplified by `tolerance` degrees (keeping its topology), its coordinates
    rounded to `decimals`. Never empty nor invalid: where rounding (or the simplification)
    would make it so, the less changed geometry is kept."""
    simple = (
        shapely.simplify(geometry, tolerance, preserve_topology=True) if tolerance else geometry
    )
    for candidate in (shapely.transform(simple, lambda xy: np.round(xy, decimals)), simple):
        if not candidate.is_empty and candidate.is_valid:
            return candidate
    return geometry


def _simplified(geometry: Any, tolerance: float) -> dict[str, Any]:
    return mapping(_simplified_shape(geometry, tolerance, _OUTLINE_DECIMALS))


def _check_outline_query(level: str, country: str | None) -> None:
    if level not in Level.values:
        raise ApplicationError(_("Unknown level “%(level)s”.") % {"level": str(level)[:40]})
    if country is not None and country not in Country.values:
        raise ApplicationError(_("Unknown country “%(country)s”.") % {"country": str(country)[:8]})


def _outline_feature(area: Area, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area.pk,
        "properties": {
            "id": area.pk,
            "code": area.code,
            "name": area.name,
            "level": area.level,
        },
        "geometry": geometry,
    }


def areas_outline(*, level: str, country: str | None = None, tolerance: float = 0.002) -> dict:
    """A GeoJSON FeatureCollection of the areas of `level` (and `country`) in force today,
    simplified by `tolerance` degrees (each outline keeps its topology), with properties id,
    code, name (active language) and level; the background of the public map.

    Cached with the index, per language. The returned dict is shared: do not change it.
    Raises ApplicationError for an unknown level or country, or a tolerance outside 0..1.
    """
    _check_outline_query(level, country)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not math.isfinite(tolerance)
        or not 0 <= tolerance <= OUTLINE_MAX_TOLERANCE
    ):
        raise ApplicationError(
            _("The tolerance must be a number of degrees from 0 to %(max)s.")
            % {"max": OUTLINE_MAX_TOLERANCE}
        )
    snapshot = current_index()
    language = (get_language() or "uk")[:2]
    key = ("outline", level, country, float(tolerance), language)
    if snapshot is not None:
        cached = snapshot.memo.get(key)
        if cached is not None:
            return cached
        rows = [
            (area, geometry)
            for pk, geometry in snapshot.geometries.items()
            if (area := snapshot.areas[pk]).level == level
            and (country is None or area.country == country)
        ]
    else:
        today = timezone.localdate()
        versions = (
            AreaBoundary.objects.filter(valid_on(today), valid_on(today, "area__"))
            .filter(area__level=level)
            .select_related("area")
            .defer("area__boundary")
        )
        if country is not None:
            versions = versions.filter(area__country=country)
        rows = [(v.area, shapely.from_wkb(bytes(v.boundary.wkb))) for v in versions]
    rows.sort(key=lambda row: row[0].code)
    outline = {
        "type": "FeatureCollection",
        "features": [
            _outline_feature(area, _simplified(geometry, float(tolerance)))
            for area, geometry in rows
        ],
    }
    if snapshot is not None:
        # Bounded: the tolerance comes from requests, and each outline can weigh megabytes.
        outlines = snapshot.memo.setdefault("outlines", set())
        if key in outlines or len(outlines) < OUTLINE_CACHE_SIZE:
            outlines.add(key)
            snapshot.memo[key] = outline
    return outline


def outline_tolerance(*, zoom: int) -> float:
    """Half a pixel at `zoom`, in degrees: the simplification a map view's outlines need."""
    return 0.5 * 360.0 / (256 * 2.0**zoom) * math.cos(math.radians(OUTLINE_LATITUDE))


def _outline_decimals(tolerance: float) -> int:
    """Decimals that round a coordinate by a tenth of `tolerance` at most (3 to 6)."""
    return min(6, max(3, math.ceil(-math.log10(tolerance / 5))))


def _level_boxes(snapshot: IndexSnapshot, level: str, country: str | None) -> tuple:
    """The areas of `level` (and `country`) in the snapshot: ids, geometries and their
    bounding boxes as arrays, made once per snapshot."""
    key = ("outline-boxes", level, country)
    boxes = snapshot.memo.get(key)
    if boxes is None:
        ids = [
            pk
            for pk in snapshot.geometries
            if (area := snapshot.areas[pk]).level == level
            and (country is None or area.country == country)
        ]
        geometries = np.array([snapshot.geometries[pk] for pk in ids], dtype=object)
        bounds = shapely.bounds(geometries) if ids else np.zeros((0, 4))
        boxes = snapshot.memo[key] = (np.array(ids, dtype=np.int64), geometries, bounds)
    return boxes


def _meeting(geometries: Any, bounds: Any, bbox: tuple[float, float, float, float]) -> Any:
    """Which geometries meet `bbox` (a boolean array): their boxes first, then GEOS."""
    west, south, east, north = bbox
    near = (
        (bounds[:, 0] <= east)
        & (bounds[:, 2] >= west)
        & (bounds[:, 1] <= north)
        & (bounds[:, 3] >= south)
    )
    if near.any():
        near[near] = shapely.intersects(geometries[near], shapely.box(*bbox))
    return near


def _view_geometry(
    snapshot: IndexSnapshot | None, area_id: int, geometry: Any, zoom: int
) -> dict[str, Any]:
    """The outline of one area for `zoom`, cached in the snapshot (bounded by vertices)."""
    tolerance = outline_tolerance(zoom=zoom)
    decimals = _outline_decimals(tolerance)
    if snapshot is None:
        return mapping(_simplified_shape(geometry, tolerance, decimals))
    cache = snapshot.memo.setdefault("outline-views", {})
    found = cache.get((area_id, zoom))
    if found is not None:
        return found
    simple = _simplified_shape(geometry, tolerance, decimals)
    vertices = int(shapely.get_num_coordinates(simple))
    outline = mapping(simple)
    with _outline_view_lock:
        total = snapshot.memo.get("outline-view-vertices", 0) + vertices
        if total > OUTLINE_VIEW_CACHE_VERTICES:
            cache.clear()
            total = vertices
        cache[(area_id, zoom)] = outline
        snapshot.memo["outline-view-vertices"] = total
    return outline


def areas_outline_in_view(
    *,
    level: str,
    bbox: tuple[float, float, float, float],
    zoom: int,
    country: str | None = None,
    known: tuple[float, float, float, float] | None = None,
) -> dict:
    """A GeoJSON FeatureCollection of the areas of `level` (and `country`) in force today
    whose boundary meets `bbox`, but not `known`, each simplified to about half a pixel at
    `zoom` (`outline_tolerance`; topology kept, never empty or invalid); properties as in
    `areas_outline`, features in code order. The outlines a map needs for one view.

    `known` is a box the caller already holds the outlines of (the view it asked for last, at
    this zoom): areas meeting it are left out, so panning fetches only new outlines.
    Preconditions: `bbox` and `known` are (west, south, east, north) with west < east and
    south < north (as `blisko.core.geo.bbox_parse` reads them), `zoom`
    an int 0..OUTLINE_MAX_ZOOM. ApplicationError for an unknown level or country.
    Answers from the area index (outlines cached per area and zoom: the geometries are
    shared, do not change them), else the database.
    """
    _check_outline_query(level, country)
    snapshot = current_index()
    if snapshot is not None:
        ids, geometries, bounds = _level_boxes(snapshot, level, country)
        chosen = _meeting(geometries, bounds, bbox)
        if known is not None:
            chosen &= ~_meeting(geometries, bounds, known)
        rows = [
            (snapshot.areas[int(pk)], geometry)
            for pk, geometry in zip(ids[chosen], geometries[chosen], strict=True)
        ]
    else:
        today = timezone.localdate()
        versions = (
            AreaBoundary.objects.filter(valid_on(today), valid_on(today, "area__"))
            .filter(area__level=level, boundary__intersects=_box(bbox))
            .select_related("area")
            .defer("area__boundary")
        )
        if country is not None:
            versions = versions.filter(area__country=country)
        if known is not None:
            versions = versions.exclude(boundary__intersects=_box(known))
        rows = [(v.area, shapely.from_wkb(bytes(v.boundary.wkb))) for v in versions]
    rows.sort(key=lambda row: row[0].code)
    return {
        "type": "FeatureCollection",
        "features": [
            _outline_feature(area, _view_geometry(snapshot, area.pk, geometry, zoom))
            for area, geometry in rows
        ],
    }


def _box(bbox: tuple[float, float, float, float]) -> Polygon:
    box = Polygon.from_bbox(bbox)
    box.srid = GEO_SRID
    return box
