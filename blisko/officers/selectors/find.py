"""Find my officer: who serves an area or a point today (or on a day), and the nearest police units.

The hottest path Blisko has, so `officer_find` and `area_officers` for today keep what they
computed per area in this process, and throw it away as soon as the directory changes (a new
DirectoryChange row) or the day changes. The check for a change is a single indexed query
made at most every `settings.BLISKO_INDEX_CHECK_SECONDS`.
"""

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.utils.translation import gettext as _

from blisko.core.clock import site_today
from blisko.core.exceptions import NotFoundError
from blisko.core.freshness import FreshIndexRegistry, process_cache_register
from blisko.core.models import DirectoryChange
from blisko.core.periods import serving_on
from blisko.officers.models import PRIMARY_ROLES, Assignment, CoverReason, Officer, Role, Unit
from blisko.territories.models import Area, Level

EARTH_RADIUS_KM = 6371.0088


# The parent chain fetched in one query: country → region → district → community → area.
_PARENTS = ["parent", "parent__parent", "parent__parent__parent", "parent__parent__parent__parent"]


@dataclass
class OfficerCard:
    """One officer serving an area, as a resident sees them.

    `cover_reason` is the CoverReason code of a cover card; `absence_reason` is the readable
    (lazily translated) reason on the card of an absent officer.
    """

    officer: Officer
    role: str
    area: Area
    starts_on: dt.date
    ends_on: dt.date | None
    covering_for: Officer | None = None
    cover_reason: str = ""
    is_absent: bool = False
    absence_reason: str = ""


@dataclass
class UnitDistance:
    unit: Unit
    distance_km: float


@dataclass
class AreaOfficers:
    """Everything "find my officer" shows for one area on one day."""

    area: Area
    areas: list[Area]
    officers: list[OfficerCard]
    traffic_officers: list[OfficerCard]
    supervisors: list[OfficerCard]
    unit: Unit | None
    nearest_units: list[UnitDistance]
    phone: str
    email: str


@dataclass
class _Entry:
    """What area_officers computed for one area today, without the nearest units."""

    result: AreaOfficers
    origin: tuple[float, float] | None


@dataclass
class _UnitIndex:
    units: list[Unit]
    lon: Any  # numpy arrays: longitudes and latitudes in radians, cosines of the latitudes
    lat: Any
    cos_lat: Any


@dataclass
class _Cache:
    token: tuple[int, Any] | None = None
    day: dt.date | None = None
    entries: dict[int, _Entry] = field(default_factory=dict)
    units: _UnitIndex | None = None


def _directory_token() -> tuple[int, Any]:
    """The directory's version: the last change's id and time.

    The time is there because SQLite hands out a rolled-back id again; with it, a change
    made after a rollback (as between two tests) never looks like the one rolled back.
    """
    last = DirectoryChange.objects.order_by("-id").values_list("id", "at").first()
    return last if last is not None else (0, None)


class _CacheRegistry(FreshIndexRegistry[_Cache, tuple[Any, dt.date]]):
    """The cache is fresh while the directory's version and the site's day are those it was
    started at; a new one starts empty (cheap: it fills as areas are asked about), so it is
    always made in the caller's thread."""

    label = "officers directory"

    def read_token(self) -> tuple[Any, dt.date]:
        return _directory_token(), site_today()

    def build(self) -> _Cache:
        token, day = self.read_token()
        return _Cache(token=token, day=day)

    def token_of(self, value: _Cache) -> tuple[Any, dt.date]:
        return value.token, value.day  # type: ignore[return-value]

    def builds_in_caller(self) -> bool:
        return True


_registry = _CacheRegistry()


def _fresh_cache() -> _Cache:
    """The cache, emptied first if the directory or the day changed since it was filled.

    Between two checks nothing is asked, not even the date (zoneinfo makes it cost more
    than the rest of a warm look-up): `day` may lag midnight by one check interval. When the
    directory changed while a new cache was being started, this call gets a cache of its own
    that nobody keeps.
    """
    return _registry.current() or _Cache(day=site_today())


def directory_cache_clear() -> None:
    """Forget everything cached in this process (tests call it between cases)."""
    _registry.clear()


process_cache_register("officers directory", directory_cache_clear)


def _unit_index(cache: _Cache | None) -> _UnitIndex:
    if cache is not None and cache.units is not None:
        return cache.units
    units = list(Unit.objects.exclude(location__isnull=True).order_by("name", "pk"))
    lat = np.radians(np.array([u.location.y for u in units], dtype=float))
    index = _UnitIndex(
        units=units,
        lon=np.radians(np.array([u.location.x for u in units], dtype=float)),
        lat=lat,
        cos_lat=np.cos(lat),
    )
    if cache is not None:
        cache.units = index
    return index


def _nearest(index: _UnitIndex, lon: float, lat: float, limit: int) -> list[UnitDistance]:
    """Haversine distances on the mean Earth sphere (error well under 1 % at these ranges).

    Ranks by the haversine term itself (monotonic in the distance) and takes the arcsine of
    the few kept only; a stable sort keeps units at equal distance in name order.
    """
    if not index.units or limit <= 0:
        return []
    lon0, lat0 = math.radians(lon), math.radians(lat)
    sin_dlat = np.sin((index.lat - lat0) * 0.5)
    sin_dlon = np.sin((index.lon - lon0) * 0.5)
    term = sin_dlat * sin_dlat + (math.cos(lat0) * index.cos_lat) * sin_dlon * sin_dlon
    order = np.argsort(term, kind="stable")[:limit]
    return [
        UnitDistance(
            unit=index.units[i],
            distance_km=round(
                2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(float(term[i]), 0.0), 1.0))),
                3,
            ),
        )
        for i in order
    ]


def units_nearest(*, lon: float, lat: float, limit: int | None = None) -> list[UnitDistance]:
    """The police units nearest to (lon, lat), closest first, with the distance in km.

    `limit` defaults to settings.BLISKO_NEAREST_UNITS. Distances are great-circle (haversine)
    in Python over every unit, which is the same on both databases; units are few and kept in
    the per-process cache, so a warm call makes no query.
    """
    limit = settings.BLISKO_NEAREST_UNITS if limit is None else limit
    return _nearest(_unit_index(_fresh_cache()), lon, lat, limit)


def _card(assignment: Assignment, **extra: Any) -> OfficerCard:
    return OfficerCard(
        officer=assignment.officer,
        role=assignment.role,
        area=assignment.area,
        starts_on=assignment.starts_on,
        ends_on=assignment.ends_on,
        **extra,
    )


def _cards(served: list[Assignment], active: list[Assignment]) -> list[OfficerCard]:
    """Cards for the assignments served, each absent one after the covers standing in."""
    cards: list[OfficerCard] = []
    for assignment in sorted(served, key=lambda a: (a.officer.last_name, a.officer.first_name)):
        covers = [a for a in active if a.covers_id == assignment.pk]
        for cover in covers:
            cards.append(
                _card(cover, covering_for=assignment.officer, cover_reason=cover.cover_reason)
            )
        if covers:
            reason = CoverReason(covers[0].cover_reason).label
            cards.append(_card(assignment, is_absent=True, absence_reason=reason))  # type: ignore[arg-type]
        else:
            cards.append(_card(assignment))
    return cards


def _chain(area_id: int) -> tuple[Area, list[Area], tuple[float, float] | None]:
    """The area (boundary deferred), its ancestors nearest first, and a point on its surface."""
    area = (
        Area.objects.select_related(*_PARENTS)
        .defer("boundary", *(f"{p}__boundary" for p in _PARENTS))
        .annotate(surface_point=PointOnSurface("boundary"))
        .get(pk=area_id)
    )
    ancestors, node = [], area.parent
    while node is not None:
        ancestors.append(node)
        # Deeper than the five levels fetched: one more query per level (never in practice).
        node = node.parent
    point = area.surface_point  # type: ignore[attr-defined]
    if point is None:
        for ancestor in ancestors:
            # Countries have no boundary; fall back to the nearest ancestor's surface.
            ancestor_point = (
                Area.objects.filter(pk=ancestor.pk)
                .annotate(p=PointOnSurface("boundary"))
                .values_list("p", flat=True)
                .first()
            )
            if ancestor_point is not None:
                point = ancestor_point
                break
    return area, ancestors, (point.x, point.y) if point is not None else None


def _compute(area_id: int, day: dt.date, units: _UnitIndex) -> _Entry:
    area, ancestors, origin = _chain(area_id)
    chain = [area, *ancestors]  # fine → coarse
    by_id = {a.pk: a for a in chain}
    active = list(
        Assignment.objects.filter(serving_on(day), area_id__in=list(by_id))
        .select_related("officer", "officer__unit")
        .order_by("starts_on", "pk")
    )
    for assignment in active:
        assignment.area = by_id[assignment.area_id]

    def served(target: Area, role_filter: Any) -> list[Assignment]:
        return [
            a
            for a in active
            if a.area_id == target.pk and a.covers_id is None and role_filter(a.role)
        ]

    community = area.parent if area.level == Level.SERVICE_AREA else None
    if community is not None and community.level != Level.COMMUNITY:
        community = None

    primaries = served(area, lambda r: r in PRIMARY_ROLES)
    if not primaries and community is not None:
        # A service area without its own officer is served by its community's officer.
        primaries = served(community, lambda r: r in PRIMARY_ROLES)

    traffic = served(area, lambda r: r == Role.TRAFFIC_OFFICER)
    if not traffic and community is not None:
        traffic = served(community, lambda r: r == Role.TRAFFIC_OFFICER)

    supervisors: list[Assignment] = []
    for node in chain:
        supervisors = served(node, lambda r: r == Role.SUPERVISOR)
        if supervisors:
            break

    unit = primaries[0].officer.unit if primaries else None
    if unit is None:
        for node in chain:
            unit = next((u for u in units.units if u.area_id == node.pk), None)
            if unit is not None:
                break

    result = AreaOfficers(
        area=area,
        areas=chain[::-1],
        officers=_cards(primaries, active),
        traffic_officers=_cards(traffic, active),
        supervisors=_cards(supervisors, active),
        unit=unit,
        nearest_units=[],
        phone=next((a.contact_phone for a in chain if a.contact_phone), ""),
        email=next((a.contact_email for a in chain if a.contact_email), ""),
    )
    return _Entry(result=result, origin=origin)


def area_officers(
    *,
    area: Area,
    on: dt.date | None = None,
    lon: float | None = None,
    lat: float | None = None,
    with_nearest_units: bool = True,
) -> AreaOfficers:
    """Who serves `area` on `on` (today by default), and where residents can go.

    The officers are the primary (community or district) officer of the area (of its
    community for a service area without one); while a cover is active, the cover cards come
    first (covering_for set) and the primary's card is marked absent. Traffic officers are
    those of the area or, for a service area without its own, of its community; supervisors
    those of the area or its nearest ancestor that has one. The unit is the primary officer's,
    else one serving the area or its nearest ancestor. Phone and e-mail are the area's own,
    else the nearest ancestor's. Nearest units are measured from (lon, lat) when given, else
    from a point on the area's surface; `with_nearest_units=False` leaves them out (routing a
    report needs none), and the result is then the shared cached object itself.

    For today the result comes from the per-process cache (no query when warm); treat it
    as read-only, since other callers share its parts.
    """
    cache = _fresh_cache()
    today = cache.day or site_today()
    day = on or today
    if day == today:
        units = _unit_index(cache)
        entry = cache.entries.get(area.pk)
        if entry is None:
            entry = _compute(area.pk, day, units)
            cache.entries[area.pk] = entry
    else:
        units = _unit_index(None)
        entry = _compute(area.pk, day, units)
    if not with_nearest_units:
        return entry.result
    origin = (lon, lat) if lon is not None and lat is not None else entry.origin
    nearest = (
        _nearest(units, origin[0], origin[1], settings.BLISKO_NEAREST_UNITS)
        if origin is not None
        else []
    )
    return replace(entry.result, nearest_units=nearest)


def officer_find(*, lon: float, lat: float, on: dt.date | None = None) -> AreaOfficers:
    """Who serves the point (lon, lat) on `on` (today by default): area_officers of the finest
    area holding it, with the nearest units measured from the point.

    Raises NotFoundError when the point lies outside every territory. For today, a warm
    process answers without a query (see the module docstring).
    """
    from blisko.territories.selectors.areas import area_for_point

    area = area_for_point(lon=lon, lat=lat, on=on)
    if area is None:
        raise NotFoundError(_("This point is outside every territory Blisko covers."))
    return area_officers(area=area, on=on, lon=lon, lat=lat)
