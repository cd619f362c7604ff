"""Writes to territories: imports, boundary versions, places."""

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.core.services import audit_record, directory_touch
from blisko.core.text import search_key, uk_to_latin
from blisko.territories.importing import AreaRecord, read_boundary_file
from blisko.territories.models import (
    LEVEL_ORDER,
    Area,
    AreaBoundary,
    Country,
    Level,
    Place,
    PlaceKind,
)

# Geometries closer than this (degrees, about 1 cm) count as the same boundary.
SAME_BOUNDARY_TOLERANCE = 1e-7

_COUNTRY_NAMES = {
    Country.UKRAINE: ("Україна", "Україна", "Ukraina", "Ukraine"),
    Country.POLAND: ("Rzeczpospolita Polska", "Польща", "Polska", "Poland"),
}


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    committed: bool = False


def _to_geos(geom: Any) -> MultiPolygon:
    geos = GEOSGeometry(memoryview(shapely.to_wkb(geom, output_dimension=2)), srid=GEO_SRID)
    if isinstance(geos, MultiPolygon):
        return geos
    return MultiPolygon(geos, srid=GEO_SRID)


def _same_boundary(current: MultiPolygon | None, new: Any) -> bool:
    if current is None:
        return False
    old = shapely.from_wkb(bytes(current.wkb))
    return bool(
        shapely.equals_exact(
            shapely.normalize(old), shapely.normalize(new), tolerance=SAME_BOUNDARY_TOLERANCE
        )
    )


def country_ensure(*, country: str) -> Area:
    """Return the country area, creating it (without a boundary) on first use."""
    official, uk, pl, en = _COUNTRY_NAMES[Country(country)]
    area, created = Area.objects.get_or_create(
        code=country,
        defaults={
            "country": country,
            "level": Level.COUNTRY,
            "name_official": official,
            "name_uk": uk,
            "name_pl": pl,
            "name_en": en,
            "valid_from": dt.date(1991, 1, 1),
        },
    )
    if created:
        directory_touch(entity="area", entity_id=area.pk)
    return area


def _boundary_in_force(*, area_id: int, day: dt.date) -> MultiPolygon | None:
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
    actor: AbstractBaseUser | AnonymousUser | None = None,
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
        area.boundary = _boundary_in_force(area_id=area.pk, day=timezone.localdate())
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


def _resolve_parent(record: AreaRecord, known: dict[str, Area]) -> tuple[Area | None, int]:
    """The nearest existing parent, and which of the record's candidate codes found it."""
    for index, code in enumerate(record.parent_codes):
        if code in known:
            return known[code], index
        if code in Country.values:
            known[code] = country_ensure(country=code)
            return known[code], index
        found = (
            Area.objects.filter(code=code).first()
            if len(code) in (2, 4, 7) and code.isdigit()
            else Area.objects.filter(code__startswith=code, level__in=_parent_levels(record.level))
            .exclude(code=record.code)
            .first()
            if code.startswith("UA")
            else Area.objects.filter(code=code).first()
        )
        if found is not None:
            known[code] = found
            return found, index
    return None, -1


def _parent_levels(level: str) -> list[str]:
    order = [Level.COUNTRY, Level.REGION, Level.DISTRICT, Level.COMMUNITY, Level.SERVICE_AREA]
    return [str(lv) for lv in order[: order.index(Level(level))]]


def territory_import(
    *,
    path: Path,
    valid_from: dt.date | None = None,
    commit: bool = False,
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> ImportResult:
    """Import a boundary file: new areas are created, changed boundaries get a new version.

    Idempotent: the same file twice changes nothing. Without `commit` nothing is written
    (the whole import runs in a transaction that is rolled back). A file with any problem
    is refused whole (ApplicationError listing the problems).
    """
    read = read_boundary_file(path)
    valid_from = valid_from or timezone.localdate()
    result = ImportResult(skipped=read.skipped)
    source = path.name
    # Parents first, so that children in the same file find them.
    order = {
        lv: i for i, lv in enumerate(_parent_levels(Level.SERVICE_AREA) + [Level.SERVICE_AREA])
    }
    records = sorted(read.records, key=lambda r: order[r.level])
    try:
        with transaction.atomic():
            known: dict[str, Area] = {}
            for record in records:
                label = f"{record.code} {record.name_official}"
                if record.repaired:
                    result.repaired.append(f"{label}: {record.repaired}")
                parent, found_by = _resolve_parent(record, known)
                if parent is None:
                    result.notes.append(_("%(label)s: no parent area found.") % {"label": label})
                elif found_by > 0:
                    result.notes.append(
                        _("%(label)s: parent %(wanted)s is not imported; attached to %(parent)s.")
                        % {"label": label, "wanted": record.parent_codes[0], "parent": parent.code}
                    )
                geometry = _to_geos(record.geometry)
                area = Area.objects.filter(code=record.code).first()
                if area is None:
                    area = Area.objects.create(
                        country=record.country,
                        level=record.level,
                        code=record.code,
                        name_official=record.name_official,
                        name_uk=record.name_uk,
                        name_pl=record.name_pl,
                        name_en=record.name_en,
                        parent=parent,
                        population=record.population,
                        valid_from=valid_from,
                    )
                    area_set_boundary(
                        area=area,
                        boundary=geometry,
                        valid_from=valid_from,
                        source=source,
                        was_repaired=bool(record.repaired),
                        actor=actor,
                    )
                    result.created.append(label)
                    known[record.code] = area
                    continue
                known[record.code] = area
                if area.name_official != record.name_official or area.parent_id != (
                    parent.pk if parent else None
                ):
                    area.name_official = record.name_official
                    area.parent = parent
                    area.save(update_fields=["name_official", "parent", "updated_at"])
                    directory_touch(entity="area", entity_id=area.pk)
                    result.renamed.append(label)
                # Against the version in force from `valid_from` (a future one included), so
                # that the same file imported twice for a future date changes nothing.
                if _same_boundary(
                    _boundary_in_force(area_id=area.pk, day=valid_from), record.geometry
                ):
                    result.unchanged.append(label)
                    continue
                area_set_boundary(
                    area=area,
                    boundary=geometry,
                    valid_from=valid_from,
                    source=source,
                    was_repaired=bool(record.repaired),
                    actor=actor,
                )
                result.changed.append(label)
            if not commit:
                raise _DryRun
    except _DryRun:
        return result
    result.committed = True
    return result


class _DryRun(Exception):
    """Raised to roll back a dry run."""


_CODIFIER_KINDS = {
    "M": (PlaceKind.CITY, 1),
    "X": (PlaceKind.SETTLEMENT, 2),
    "C": (PlaceKind.VILLAGE, 3),
    "B": (PlaceKind.CITY_DISTRICT, 4),
}
_CODIFIER_HEADER = "Перший рівень"


def places_import_katotth(*, path: Path, commit: bool = False) -> ImportResult:
    """Import the KATOTTH codifier's settlements as places of their hromada.

    Cities, settlements, villages and city districts become places; rows whose hromada is not
    imported are counted as skipped. Idempotent; dry run unless `commit`.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ApplicationError(_("Cannot read the codifier: %(error)s") % {"error": exc})
    if not rows or not rows[0] or rows[0][0].strip() != _CODIFIER_HEADER or len(rows[0]) < 7:
        raise ApplicationError(_("This is not the KATOTTH codifier (unexpected header)."))
    hromadas = {a.code: a for a in Area.objects.filter(country=Country.UKRAINE)}
    result = ImportResult()
    wanted: dict[str, Place] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 7:
            result.skipped.append(_("line %(n)s: too few columns") % {"n": number})
            continue
        category, name = row[5].strip(), row[6].strip()
        if category not in _CODIFIER_KINDS:
            continue
        hromada_code = row[2].strip() or row[0].strip()  # Kyiv's districts hang off the K code
        code = row[4].strip() if category == "B" else row[3].strip()
        area = hromadas.get(hromada_code)
        if area is None or not code:
            result.skipped.append(code or f"line {number}")
            continue
        kind, rank = _CODIFIER_KINDS[category]
        latin = uk_to_latin(name)
        wanted[code] = Place(
            code=code,
            kind=kind,
            name=name,
            name_latin=latin,
            search_name=search_key(name),
            search_latin=search_key(latin),
            area=area,
            rank=rank,
        )
    try:
        with transaction.atomic():
            existing = {p.code: p for p in Place.objects.filter(code__in=list(wanted))}
            to_create, to_update = [], []
            for code, place in wanted.items():
                old = existing.get(code)
                if old is None:
                    to_create.append(place)
                    result.created.append(code)
                elif (old.name, old.area_id, old.kind) != (place.name, place.area_id, place.kind):
                    place.pk = old.pk
                    to_update.append(place)
                    result.changed.append(code)
                else:
                    result.unchanged.append(code)
            Place.objects.bulk_create(to_create, batch_size=1000)
            Place.objects.bulk_update(
                to_update,
                ["kind", "name", "name_latin", "search_name", "search_latin", "area", "rank"],
                batch_size=1000,
            )
            if not commit:
                raise _DryRun
    except _DryRun:
        return result
    result.committed = True
    return result


def places_sync_areas() -> int:
    """Make every community and service area findable by its own name. Returns places written."""
    written = 0
    kinds = {
        Level.COMMUNITY: (PlaceKind.COMMUNITY, 0),
        Level.SERVICE_AREA: (PlaceKind.SERVICE_AREA, 5),
    }
    with transaction.atomic():
        for area in Area.objects.filter(level__in=list(kinds), valid_to__isnull=True):
            kind, rank = kinds[Level(area.level)]
            name = area.name_uk if area.country == Country.UKRAINE else area.name_pl
            name = name or area.name_official
            latin = area.name_en or name
            Place.objects.update_or_create(
                code=f"area:{area.code}",
                defaults={
                    "kind": kind,
                    "name": name,
                    "name_latin": latin,
                    "search_name": search_key(name),
                    "search_latin": search_key(latin),
                    "area": area,
                    "rank": rank,
                },
            )
            written += 1
    return written


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
    parent_boundary = _boundary_in_force(area_id=parent.pk, day=timezone.localdate())
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
    actor: AbstractBaseUser | AnonymousUser | None,
    boundary_valid_from: dt.date | None = None,
) -> Area:
    """Create or update an area from an edit form (the admin), boundary included.

    `area` carries the new values, unsaved. A changed boundary becomes a new boundary version
    from `boundary_valid_from` (default today) through `area_set_boundary`, so history is kept;
    a boundary cannot be removed once set. Checks the row (`full_clean`) and the parent
    (same country, a higher level, the boundary mostly inside it). Atomic; writes a directory
    change and an audit event. Raises ApplicationError on a refusal.
    """
    from django.core.exceptions import ValidationError

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
        old_boundary = _boundary_in_force(area_id=old.pk, day=timezone.localdate()) if old else None
        if new_boundary is None and old_boundary is not None:
            raise ApplicationError(
                _("A boundary cannot be removed; set the area's “valid to” date instead."),
                {"field": "boundary"},
            )
        boundary_changed = new_boundary is not None and not _same_boundary(
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
        try:
            area.full_clean()
        except ValidationError as exc:
            fields = getattr(exc, "message_dict", {"__all__": exc.messages})
            raise ApplicationError(" ".join(exc.messages), {"fields": fields}) from exc
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


def area_delete(*, area: Area, actor: AbstractBaseUser | AnonymousUser | None) -> None:
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
