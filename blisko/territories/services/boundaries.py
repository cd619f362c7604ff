"""Boundary versions: a new version of an area's boundary (the old one closed the day before),
and the daily refresh that makes the version in force the area's boundary."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.core.services import Actor, audit_record, directory_touch
from blisko.territories.models import (
    Area,
    AreaBoundary,
)

# Geometries closer than this (degrees, about 1 cm) count as the same boundary.
SAME_BOUNDARY_TOLERANCE = 1e-7


def to_geos(geom: Any) -> MultiPolygon:
    geos = GEOSGeometry(memoryview(shapely.to_wkb(geom, output_dimension=2)), srid=GEO_SRID)
    if isinstance(geos, MultiPolygon):
        return geos
    return MultiPolygon(geos, srid=GEO_SRID)


def same_boundary(current: MultiPolygon | None, new: Any) -> bool:
    if current is None:
        return False
    old = shapely.from_wkb(bytes(current.wkb))
    return bool(
        shapely.equals_exact(
            shapely.normalize(old), shapely.normalize(new), tolerance=SAME_BOUNDARY_TOLERANCE
        )
    )


def boundary_in_force(*, area_id: int, day: dt.date) -> MultiPolygon | None:
    """The geometry of the area's boundary version in force on `day`, or None. One query."""
    return (
        AreaBoundary.objects.filter(area_id=area_id, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from")
        .values_list("boundary", flat=True)
        .first()
    )


@dataclass
class BoundaryRefreshResult:
    """What `areas_refresh_boundaries` changed (or would change): "code: what" lines."""

    day: dt.date
    changed: list[str] = field(default_factory=list)
    checked: int = 0
    committed: bool = False


def _same_copy(copy: MultiPolygon | None, version: MultiPolygon | None) -> bool:
    """Whether `Area.boundary` holds exactly the version's geometry (it is copied as is)."""
    if copy is None or version is None:
        return copy is None and version is None
    return bytes(copy.wkb) == bytes(version.wkb) or bool(copy.equals_exact(version, 0))


def areas_refresh_boundaries(*, commit: bool = False) -> BoundaryRefreshResult:
    """Set every area's `boundary` to its boundary version in force today (None if none is).

    For the daily scheduler (`territories_refresh`): a version dated in the future takes over
    the copy on its first day, and a version that ended leaves it. The point lookup, the
    outlines and the officer search read the versions themselves; this keeps the copy (read
    by the admin's maps, the officers' page points and the demo) equal to them. Idempotent:
    a second run changes nothing. Without `commit` nothing is written. Atomic; each changed
    area gets a directory change.
    """
    day = timezone.localdate()
    result = BoundaryRefreshResult(day=day)
    in_force: dict[int, MultiPolygon] = {}
    versions = (
        AreaBoundary.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("area_id", "-valid_from")
        .values_list("area_id", "boundary")
    )
    for area_id, boundary in versions.iterator(chunk_size=200):
        in_force.setdefault(area_id, boundary)
    with transaction.atomic():
        areas = Area.objects.select_for_update().order_by("code").only("id", "code", "boundary")
        for area in areas.iterator(chunk_size=200):
            result.checked += 1
            version = in_force.get(area.pk)
            if _same_copy(area.boundary, version):
                continue
            if version is None:
                what = _("no boundary in force today")
            elif area.boundary is None:
                what = _("boundary in force today set")
            else:
                what = _("boundary replaced by the version in force today")
            result.changed.append(f"{area.code}: {what}")
            if commit:
                area.boundary = version
                area.save(update_fields=["boundary", "updated_at"])
                directory_touch(entity="area", entity_id=area.pk)
    result.committed = commit
    return result


def area_set_boundary(
    *,
    area: Area,
    boundary: MultiPolygon,
    valid_from: dt.date,
    source: str = "",
    was_repaired: bool = False,
    actor: Actor = None,
) -> AreaBoundary:
    """Close the area's boundary version in force and open a new one from `valid_from`.

    The old version stays queryable for dates before `valid_from`. Atomic.
    """
    if boundary.srid != GEO_SRID:
        boundary = boundary.transform(GEO_SRID, clone=True)  # type: ignore[assignment]
    if not isinstance(boundary, MultiPolygon):
        boundary = MultiPolygon(boundary, srid=GEO_SRID)
    if not boundary.valid:
        raise ApplicationError(
            _("The boundary is not a valid polygon: %(reason)s") % {"reason": boundary.valid_reason}
        )
    with transaction.atomic():
        versions = AreaBoundary.objects.select_for_update().filter(area=area)
        list(versions)  # lock the area's versions before changing them
        # The new version is open-ended: versions starting on or after its first day are
        # replaced by it (same day, or a correction back-dated before their start), and the
        # version in force on that day ends there. No two versions then overlap in time.
        versions.filter(valid_from__gte=valid_from).delete()
        versions.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)).update(
            valid_to=valid_from
        )
        version = AreaBoundary.objects.create(
            area=area,
            boundary=boundary,
            valid_from=valid_from,
            source=source,
            was_repaired=was_repaired,
        )
        # `Area.boundary` copies the version in force today; a future version leaves it be
        # until `areas_refresh_boundaries` runs on its first day.
        area.boundary = boundary_in_force(area_id=area.pk, day=timezone.localdate())
        area.save(update_fields=["boundary", "updated_at"])
        directory_touch(entity="area", entity_id=area.pk)
        audit_record(
            actor=actor,
            entity="territories.area",
            entity_id=area.pk,
            action="boundary_changed",
            after={"valid_from": valid_from.isoformat(), "source": source},
        )
    return version
