"""Reads of areas: point → areas (today or any date), an area, its boundary in force, children.

Point → area for today answers from the in-memory index (`blisko.territories.index`) with no
query beyond its throttled freshness check; any other date, and today while the index is being
rebuilt, answers from the boundary versions in the database. Both give the same answer: the
areas whose boundary in force on that day intersects the point (a point exactly on a border
shared by two areas is in both; where one must be chosen, the first in code order wins).
"""

import datetime as dt

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import MultiPolygon
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.geo import make_point
from blisko.core.periods import valid_on
from blisko.territories.index import IndexSnapshot, current_index
from blisko.territories.models import LEVEL_ORDER, Area, AreaBoundary

_LEVEL_RANK = {str(level): rank for rank, level in enumerate(LEVEL_ORDER)}


# select_related paths up to the country from a service area, and the boundaries to leave out.
_PARENTS = ["parent", "parent__parent", "parent__parent__parent", "parent__parent__parent__parent"]


_HEAVY = ["boundary"] + [f"{path}__boundary" for path in _PARENTS]


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
            valid_on(day),
            valid_on(day, "area__"),
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
        AreaBoundary.objects.filter(valid_on(day), area=area)
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
    versions = AreaBoundary.objects.filter(valid_on(day), area=area)
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
        AreaBoundary.objects.filter(valid_on(day), area=area)
        .order_by("-valid_from")
        .values_list("pk", flat=True)
        .first()
    )


def area_children(*, area: Area) -> list[Area]:
    """The area's children valid today, in code order (boundaries not loaded)."""
    today = timezone.localdate()
    return list(area.children.filter(valid_on(today)).defer("boundary").order_by("code"))


def area_by_code(*, code: str) -> Area:
    """The area in force today with this KATOTTH/TERYT code (boundary not loaded), parents
    joined. Raises NotFoundError."""
    code = (code or "").strip()[:40]
    area = (
        Area.objects.filter(valid_on(timezone.localdate()), code=code)
        .select_related(*_PARENTS)
        .defer("boundary", *[f"{path}__boundary" for path in _PARENTS])
        .first()
    )
    if area is None:
        raise NotFoundError(_("There is no area with the code %(code)s.") % {"code": code})
    return area


def area_point(*, area: Area) -> tuple[float, float] | None:
    """A point surely inside the area (lon, lat), to look up its officer from; None without a
    boundary."""
    point = (
        Area.objects.filter(pk=area.pk, boundary__isnull=False)
        .annotate(inside=PointOnSurface("boundary"))
        .values_list("inside", flat=True)
        .first()
    )
    return (point.x, point.y) if point is not None else None
