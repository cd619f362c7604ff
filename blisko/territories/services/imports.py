"""Imports of territories: areas with their boundaries from a GeoJSON file (territories_import),
the countries they belong to, and the places of the KATOTTH codifier."""

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, directory_touch
from blisko.core.text import search_key, uk_to_latin
from blisko.territories.importing import AreaRecord, read_boundary_file
from blisko.territories.models import (
    Area,
    Country,
    Level,
    Place,
    PlaceKind,
)
from blisko.territories.services.boundaries import (
    area_set_boundary,
    boundary_in_force,
    same_boundary,
    to_geos,
)

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
    actor: Actor = None,
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
                geometry = to_geos(record.geometry)
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
                if same_boundary(
                    boundary_in_force(area_id=area.pk, day=valid_from), record.geometry
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
