"""Writes to areas in the back office: save (checked against its parent, audited, its
boundary written as a new version) and delete."""

import datetime as dt
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.core.services import Actor, audit_record, directory_touch, full_clean
from blisko.territories.models import (
    LEVEL_ORDER,
    Area,
    Level,
)
from blisko.territories.services.boundaries import (
    area_set_boundary,
    boundary_in_force,
    same_boundary,
)

# Fields of an area the back office edits; the audit event records their before/after.
_AREA_AUDIT_FIELDS = (
    "country",
    "level",
    "code",
    "name_official",
    "name_uk",
    "name_pl",
    "name_en",
    "parent_id",
    "population",
    "valid_from",
    "valid_to",
    "contact_phone",
    "contact_email",
)


# A boundary drawn by hand may stray over its parent's edge, but not mostly lie outside it.
_MIN_SHARE_INSIDE_PARENT = 0.5


def _area_snapshot(area: Area | None) -> dict[str, Any] | None:
    if area is None:
        return None
    return {
        name: (value.isoformat() if isinstance(value, dt.date) else value)
        for name in _AREA_AUDIT_FIELDS
        for value in [getattr(area, name)]
    }


def _area_check_parent(*, area: Area, old: Area | None, boundary: GEOSGeometry | None) -> None:
    parent = area.parent
    if parent is None:
        was_parentless = old is not None and old.parent_id is None
        if area.level != Level.COUNTRY and not was_parentless:
            raise ApplicationError(_("Only a country has no parent area."), {"field": "parent"})
        return
    # Walk the stored parent chain (not the objects in memory, which may already loop).
    node_id: int | None = parent.pk
    seen: set[int] = set()
    while node_id is not None and node_id not in seen:
        if area.pk is not None and node_id == area.pk:
            raise ApplicationError(_("An area cannot lie inside itself."), {"field": "parent"})
        seen.add(node_id)
        node_id = Area.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
    if parent.country != area.country:
        raise ApplicationError(_("The parent area is in another country."), {"field": "parent"})
    if LEVEL_ORDER.index(Level(parent.level)) >= LEVEL_ORDER.index(Level(area.level)):
        raise ApplicationError(
            _("A %(level)s cannot lie inside a %(parent_level)s.")
            % {
                "level": Level(area.level).label,
                "parent_level": Level(parent.level).label,
            },
            {"field": "parent"},
        )
    parent_boundary = boundary_in_force(area_id=parent.pk, day=timezone.localdate())
    if boundary is None or parent_boundary is None or boundary.empty:
        return
    inside = boundary.intersection(parent_boundary).area
    if inside < _MIN_SHARE_INSIDE_PARENT * boundary.area:
        raise ApplicationError(
            _("Most of the boundary lies outside the parent area %(parent)s.") % {"parent": parent},
            {"field": "boundary"},
        )


def area_save(
    *,
    area: Area,
    actor: Actor,
    boundary_valid_from: dt.date | None = None,
) -> Area:
    """Create or update an area from an edit form (the admin), boundary included.

    `area` carries the new values, unsaved. A changed boundary becomes a new boundary version
    from `boundary_valid_from` (default today) through `area_set_boundary`, so history is kept;
    a boundary cannot be removed once set. Checks the row (`full_clean`) and the parent
    (same country, a higher level, the boundary mostly inside it). Atomic; writes a directory
    change and an audit event. Raises ApplicationError on a refusal.
    """

    is_new = area.pk is None
    new_boundary: GEOSGeometry | None = area.boundary
    if new_boundary is not None and new_boundary.geom_type == "Polygon":
        new_boundary = MultiPolygon(new_boundary, srid=new_boundary.srid or GEO_SRID)
    if new_boundary is not None and new_boundary.srid is None:
        new_boundary.srid = GEO_SRID  # a drawn boundary without a reference system is WGS 84
    if new_boundary is not None and new_boundary.srid != GEO_SRID:
        new_boundary = new_boundary.transform(GEO_SRID, clone=True)
    if new_boundary is not None and not isinstance(new_boundary, MultiPolygon):
        raise ApplicationError(
            _("A boundary is a polygon or several polygons, not a %(kind)s.")
            % {"kind": new_boundary.geom_type},
            {"field": "boundary"},
        )
    with transaction.atomic():
        old = None if is_new else Area.objects.select_for_update().filter(pk=area.pk).first()
        if not is_new and old is None:
            raise ApplicationError(_("This area no longer exists."))
        # The version in force today, not the copy (stale until the daily refresh).
        old_boundary = boundary_in_force(area_id=old.pk, day=timezone.localdate()) if old else None
        if new_boundary is None and old_boundary is not None:
            raise ApplicationError(
                _("A boundary cannot be removed; set the area's “valid to” date instead."),
                {"field": "boundary"},
            )
        boundary_changed = new_boundary is not None and not same_boundary(
            old_boundary, shapely.from_wkb(bytes(new_boundary.wkb))
        )
        if new_boundary is not None and not new_boundary.valid:
            raise ApplicationError(
                _("The boundary is not a valid polygon: %(reason)s")
                % {"reason": new_boundary.valid_reason},
                {"field": "boundary"},
            )
        _area_check_parent(area=area, old=old, boundary=new_boundary if boundary_changed else None)
        # The boundary itself is written by area_set_boundary, with its version.
        area.boundary = old_boundary
        full_clean(area)
        area.save()
        if boundary_changed and new_boundary is not None:
            area_set_boundary(
                area=area,
                boundary=new_boundary,
                valid_from=boundary_valid_from or timezone.localdate(),
                source="admin",
                actor=actor,
            )
        else:
            directory_touch(entity="area", entity_id=area.pk)
        audit_record(
            actor=actor,
            entity="territories.area",
            entity_id=area.pk,
            action="created" if is_new else "changed",
            before=_area_snapshot(old),
            after=_area_snapshot(area),
        )
    return area


def area_delete(*, area: Area, actor: Actor) -> None:
    """Delete an area with its boundary versions and places.

    Refused (ApplicationError) while the area has child areas, assignments or police units:
    end its validity instead, or move those first. Atomic; writes a directory change (a
    deletion) and an audit event.
    """
    with transaction.atomic():
        area = Area.objects.select_for_update().get(pk=area.pk)
        if area.children.exists():
            raise ApplicationError(
                _("%(area)s has child areas; delete or move them first.") % {"area": area}
            )
        if area.assignments.exists():  # type: ignore[attr-defined]
            raise ApplicationError(
                _("%(area)s has officer assignments; set its “valid to” date instead.")
                % {"area": area}
            )
        if area.units.exists():  # type: ignore[attr-defined]
            raise ApplicationError(
                _("%(area)s is the area of police units; move them first.") % {"area": area}
            )
        before, area_id = _area_snapshot(area), area.pk
        area.delete()
        directory_touch(entity="area", entity_id=area_id, is_deleted=True)
        audit_record(
            actor=actor,
            entity="territories.area",
            entity_id=area_id,
            action="deleted",
            before=before,
        )


@transaction.atomic
def areas_set_population(
    *, populations: dict[int, int | None], actor: Actor = None, note: str = ""
) -> int:
    """Set the population of each area (area id → residents, None for unknown), each change
    audited with its value before and after; how many changed. For a census or register
    update of many areas at once (the admin edits one area through `area_save`)."""
    changed = 0
    now = timezone.now()
    for area in Area.objects.filter(pk__in=list(populations)).only("pk", "population"):
        value = populations[area.pk]
        if value is not None and value < 0:
            raise ApplicationError(_("A population cannot be negative."), {"field": "population"})
        if area.population == value:
            continue
        audit_record(
            actor=actor,
            entity="territories.area",
            entity_id=area.pk,
            action="population",
            before={"population": area.population},
            after={"population": value},
            note=note,
        )
        Area.objects.filter(pk=area.pk).update(population=value, updated_at=now)
        changed += 1
    return changed
