"""Reads of territories: point → areas (today or any date), areas, boundaries, places, outlines.

Point → area for today answers from the in-memory index (`blisko.territories.index`) with no
query beyond its throttled freshness check; any other date, and today while the index is being
rebuilt, answers from the boundary versions in the database. Both give the same answer: the
areas whose boundary in force on that day intersects the point (a point exactly on a border
shared by two areas is in both; where one must be chosen, the first in code order wins).
"""

import datetime as dt
import math
import re
import threading
import unicodedata
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from shapely.geometry import mapping
from shapely.ops import polylabel

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.geo import GEO_SRID, make_point
from blisko.core.text import search_key
from blisko.territories.index import IndexSnapshot, current_index
from blisko.territories.models import LEVEL_ORDER, Area, AreaBoundary, Country, Level, Place

_LEVEL_RANK = {str(level): rank for rank, level in enumerate(LEVEL_ORDER)}
# select_related paths up to the country from a service area, and the boundaries to leave out.
_PARENTS = ["parent", "parent__parent", "parent__parent__parent", "parent__parent__parent__parent"]
_HEAVY = ["boundary"] + [f"{path}__boundary" for path in _PARENTS]

SEARCH_MAX_LENGTH = 200
SEARCH_MAX_LIMIT = 100
# Letters and digits of any script, spaces, and the punctuation place names use.
_SEARCH_ALLOWED = re.compile(r"(?:[^\W_]|[\s\-'’ʼ.,()])+")
# Where a word starts inside a search key.
_WORD_SEPARATORS = (" ", "-", "(", "'", ".", ",")

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


def _valid_on(day: dt.date, prefix: str = "") -> Q:
    """Rows in force on `day`: valid_from <= day < valid_to (or no valid_to)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def _check_point(lon: float, lat: float) -> None:
    # Also refuses NaN, for which every comparison is False.
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ApplicationError(_("The point must be a longitude and latitude in WGS 84."))


def _order(area: Area) -> tuple[int, str]:
    return _LEVEL_RANK.get(area.level, len(_LEVEL_RANK)), area.code


def _with_ancestors(hits: list[Area]) -> list[Area]:
    """Hits plus their ancestors at levels no boundary answered (the country, always: it has
    no boundary), coarse → fine, each level in code order."""
    levels = {area.level for area in hits}
    found = {area.pk: area for area in hits}
    for area in hits:
        for ancestor in area.ancestors():
            if ancestor.level not in levels and ancestor.pk not in found:
                found[ancestor.pk] = ancestor
    return sorted(found.values(), key=_order)


def _hits_from_database(lon: float, lat: float, day: dt.date) -> list[Area]:
    """Areas valid on `day` whose boundary version in force on `day` intersects the point.

    One query (PostGIS uses the GiST index on the versions); the parents come joined, so
    `ancestors()` makes no further query.
    """
    versions = (
        AreaBoundary.objects.filter(
            _valid_on(day),
            _valid_on(day, "area__"),
            boundary__intersects=make_point(lon, lat),
        )
        .select_related(*[f"area__{path}" for path in _PARENTS])
        .defer("boundary", *[f"area__{path}" for path in _HEAVY])
        .order_by()
    )
    areas = {version.area_id: version.area for version in versions}
    return sorted(areas.values(), key=_order)


def _snapshot_for(on: dt.date | None) -> IndexSnapshot | None:
    """The fresh index when the question is about today, else None."""
    if on is not None and on != site_today():
        return None
    snapshot = current_index()
    if snapshot is None or (on is not None and on != snapshot.day):
        return None
    return snapshot


def areas_for_point(*, lon: float, lat: float, on: dt.date | None = None) -> list[Area]:
    """Every area holding the point (lon, lat) on `on` (today by default), coarse → fine.

    Each level holds the areas whose boundary intersects the point (two only on a shared
    border or where the source data overlap), in code order; levels without a boundary (the
    country) come from the hits' ancestors. [] when the point is outside every territory.
    Today: no query but the index's throttled freshness check; the Area objects are shared,
    read-only. Raises ApplicationError for a point that is not lon/lat.
    """
    _check_point(lon, lat)
    snapshot = _snapshot_for(on)
    if snapshot is not None:
        areas = snapshot.areas
        return _with_ancestors([areas[pk] for pk in snapshot.index.lookup_all(lon, lat)])
    return _with_ancestors(_hits_from_database(lon, lat, on or timezone.localdate()))


def area_for_point(*, lon: float, lat: float, on: dt.date | None = None) -> Area | None:
    """The finest area holding the point on `on` (today by default): its service area if one
    covers it, else its community, else the finest level that does; None outside every area.

    On a shared border the first area in code order is chosen. Today: no query but the
    index's throttled freshness check.
    """
    # Inlined checks: this is the hot path of GET /api/v1/officers/find.
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        _check_point(lon, lat)
    snapshot = current_index() if on is None else _snapshot_for(on)
    if snapshot is not None:
        pk = snapshot.index.lookup_finest(lon, lat)
        return snapshot.areas[pk] if pk is not None else None
    hits = _hits_from_database(lon, lat, on or timezone.localdate())
    if not hits:
        return None
    finest = max(_LEVEL_RANK.get(area.level, -1) for area in hits)
    return next(area for area in hits if _LEVEL_RANK.get(area.level, -1) == finest)


def area_get(*, area_id: int) -> Area:
    """The area with this id, with its parents joined. Raises NotFoundError."""
    try:
        return (
            Area.objects.select_related(*_PARENTS)
            .defer(*[f"{path}__boundary" for path in _PARENTS])
            .get(pk=area_id)
        )
    except (Area.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("There is no area with the number %(id)s.") % {"id": area_id})


def area_boundary(*, area: Area, on: dt.date | None = None) -> MultiPolygon | None:
    """The area's boundary version in force on `on` (today by default), or None (countries
    have none; an area may have had none yet on that day). One query."""
    day = on or timezone.localdate()
    return (
        AreaBoundary.objects.filter(_valid_on(day), area=area)
        .order_by("-valid_from")
        .values_list("boundary", flat=True)
        .first()
    )


def area_boundary_version(
    *, area: Area, on: dt.date | None = None, geometry: bool = True
) -> AreaBoundary | None:
    """The area's boundary version (geometry and validity dates) in force on `on` (today by
    default), or None, as for area_boundary. One query. `geometry=False` leaves the boundary
    (often tens of kilobytes) unloaded, for a caller that needs only the version."""
    day = on or timezone.localdate()
    versions = AreaBoundary.objects.filter(_valid_on(day), area=area)
    if not geometry:
        versions = versions.defer("boundary")
    return versions.order_by("-valid_from").first()


def area_boundary_version_id(*, area: Area, on: dt.date | None = None) -> int | None:
    """The id of the area's boundary version in force on `on` (today by default), or None:
    the version `area_boundary_version` gives. For an area of today's index, no query but
    the index's throttled freshness check; else one query."""
    snapshot = _snapshot_for(on)
    if snapshot is not None and area.pk in snapshot.versions:
        # The index holds the version in force today of every area valid today.
        return snapshot.versions[area.pk]
    day = on or timezone.localdate()
    return (
        AreaBoundary.objects.filter(_valid_on(day), area=area)
        .order_by("-valid_from")
        .values_list("pk", flat=True)
        .first()
    )


def area_children(*, area: Area) -> list[Area]:
    """The area's children valid today, in code order (boundaries not loaded)."""
    today = timezone.localdate()
    return list(area.children.filter(_valid_on(today)).defer("boundary").order_by("code"))


# --- places --------------------------------------------------------------------------------


def _validate_query(query: str) -> str:
    """The search key of a user's query; ApplicationError when it cannot be one."""
    if not isinstance(query, str) or not query.strip():
        raise ApplicationError(_("Type the name of a place to search for."), {"field": "q"})
    if len(query) > SEARCH_MAX_LENGTH:
        raise ApplicationError(
            _("The search text is longer than %(max)s characters.") % {"max": SEARCH_MAX_LENGTH},
            {"field": "q"},
        )
    # Composed form, so that a letter typed as base + accent counts as a letter.
    query = unicodedata.normalize("NFC", query)
    if not _SEARCH_ALLOWED.fullmatch(query):
        raise ApplicationError(
            _(
                "A place name may hold only letters, digits, spaces and the characters "
                "- ' ’ . , ( )"
            ),
            {"field": "q"},
        )
    key = search_key(query)
    if not any(ch.isalnum() for ch in key):
        raise ApplicationError(_("Type the name of a place to search for."), {"field": "q"})
    return key


def place_search(*, query: str, limit: int = 10) -> list[Place]:
    """Places whose name (in its script or in Latin letters) matches `query`.

    Case, diacritics and the kind of apostrophe do not matter ("vinnytsia", "ВІННИЦЯ",
    "slesin" for Ślesin, "Кам'янка" with any apostrophe). Names starting with the text come
    first, then names with a word starting with it, then names containing it; within each,
    by rank (cities before villages), then name. Each place comes with its area and the
    area's two parents. Raises ApplicationError for an empty text, a text over 200
    characters, characters other than letters, digits, spaces and - ' ’ ʼ . , ( ), or a
    limit outside 1..100.
    """
    key = _validate_query(query)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= SEARCH_MAX_LIMIT:
        raise ApplicationError(
            _("The limit must be a whole number from 1 to %(max)s.") % {"max": SEARCH_MAX_LIMIT},
            {"field": "limit"},
        )
    prefix = Q(search_name__startswith=key) | Q(search_latin__startswith=key)
    word_start = Q()
    for separator in _WORD_SEPARATORS:
        word_start |= Q(search_name__contains=separator + key)
        word_start |= Q(search_latin__contains=separator + key)
    contains = Q(search_name__contains=key) | Q(search_latin__contains=key)
    places = (
        Place.objects.filter(contains)
        .annotate(
            match=Case(
                When(prefix, then=Value(0)),
                When(word_start, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("area", "area__parent", "area__parent__parent")
        .defer("area__boundary", "area__parent__boundary", "area__parent__parent__boundary")
        .order_by("match", "rank", "name", "pk")[:limit]
    )
    return list(places)


def place_get(*, place_id: int) -> Place:
    """The place with this id, with its area and the area's two parents. Raises
    NotFoundError."""
    try:
        return (
            Place.objects.select_related("area", "area__parent", "area__parent__parent")
            .defer("area__boundary", "area__parent__boundary", "area__parent__parent__boundary")
            .get(pk=place_id)
        )
    except (Place.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("There is no place with the number %(id)s.") % {"id": place_id})


def _inside_point(geometry: Any) -> tuple[float, float]:
    """A point well inside the geometry: its centroid when inside, else the pole of
    inaccessibility of its largest part (about 100 m precision)."""
    centroid = geometry.centroid
    if geometry.contains(centroid):
        point = centroid
    else:
        parts = list(getattr(geometry, "geoms", [geometry]))
        largest = max(parts, key=lambda part: part.area)
        point = polylabel(largest, tolerance=0.001)
    return round(point.x, 6), round(point.y, 6)


def place_location(*, place: Place) -> tuple[float, float] | None:
    """A representative (lon, lat) inside the place's area, or None when the area has no
    boundary today. Cached per area with the index; without it, one query."""
    snapshot = current_index()
    if snapshot is not None:
        geometry = snapshot.geometries.get(place.area_id)
        if geometry is None:
            return None
        key = ("location", place.area_id)
        location = snapshot.memo.get(key)
        if location is None:
            location = snapshot.memo[key] = _inside_point(geometry)
        return location
    boundary = area_boundary(area=place.area)
    if boundary is None:
        return None
    return _inside_point(shapely.from_wkb(bytes(boundary.wkb)))


# --- outlines ------------------------------------------------------------------------------


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
            AreaBoundary.objects.filter(_valid_on(today), _valid_on(today, "area__"))
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
            AreaBoundary.objects.filter(_valid_on(today), _valid_on(today, "area__"))
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
