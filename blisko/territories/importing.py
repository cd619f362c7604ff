"""Reading boundary files: GeoJSON in the formats of Ukraine's and Poland's official registers.

`read_boundary_file` turns a file into a list of `AreaRecord`s, or raises ApplicationError with
every problem it found; nothing here touches the database. `territory_import` (services) writes.

Formats recognised from the features' properties:
- Ukraine, KATOTTH: hromadas (`katotth` + `hromada`), raions (`katotth` + `rayon`), oblasts
  (`katotth` + `region`);
- Poland, TERYT/TERC: `terc` of 2 (voivodeship), 4 (powiat) or 7 digits (gmina);
- Blisko's own (service areas and anything else): `code`, `level`, `name`, optional `parent`,
  `name_uk`, `name_pl`, `name_en`, `population`.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon, shape

from blisko.core.exceptions import ApplicationError
from blisko.core.geojson import WGS84_NAMES, GeoJsonError, crs_name, feature_collection_parse
from blisko.core.text import pl_to_ukrainian, uk_to_latin, uk_to_polish
from blisko.territories.models import Country, Level

MAX_FILE_BYTES = 200 * 1024 * 1024

_HROMADA_TYPES = {
    "міська": ("urban", "miejska"),
    "сільська": ("rural", "wiejska"),
    "селищна": ("settlement", "osiedlowa"),
}
_TERC_GMINA_TYPES = {
    "1": ("gmina miejska", "urban gmina", "міська ґміна"),
    "2": ("gmina wiejska", "rural gmina", "сільська ґміна"),
    "3": ("gmina miejsko-wiejska", "urban-rural gmina", "місько-сільська ґміна"),
}


@dataclass
class AreaRecord:
    """One area as read from a file, ready to be compared with the database."""

    country: str
    level: str
    code: str
    name_official: str
    name_uk: str
    name_pl: str
    name_en: str
    parent_codes: list[str]  # candidate parent codes, nearest first
    geometry: MultiPolygon
    population: int | None = None
    repaired: str = ""  # what was wrong with the geometry, if it was repaired


@dataclass
class ReadResult:
    records: list[AreaRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _fail(message: str, problems: list[str] | None = None) -> ApplicationError:
    return ApplicationError(message, {"problems": problems or []})


def load_geojson(path: Path) -> dict[str, Any]:
    """Parse a GeoJSON FeatureCollection, refusing what is not one."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _fail(_("Cannot read the file: %(error)s") % {"error": exc.strerror})
    if size == 0:
        raise _fail(_("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise _fail(_("The file is larger than 200 MB."))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(_("The file is not UTF-8 text, so it cannot be GeoJSON."))
    try:
        return feature_collection_parse(text)
    except GeoJsonError as exc:
        raise _fail(str(exc))


def _crs_transform(data: dict[str, Any]) -> CoordTransform | None:
    name = crs_name(data)
    if name is None or name in WGS84_NAMES:
        return None
    code = name.rsplit(":", 1)[-1]
    if not code.isdigit():
        raise _fail(_("Unknown coordinate reference system “%(name)s”.") % {"name": name[:80]})
    try:
        source = SpatialReference(int(code))
    except Exception:
        raise _fail(_("Unknown coordinate reference system “%(name)s”.") % {"name": name[:80]})
    return CoordTransform(source, SpatialReference(4326))


def _to_multipolygon(
    raw: Any, transform: CoordTransform | None, label: str, problems: list[str]
) -> tuple[MultiPolygon | None, str]:
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = raw.get("type") if isinstance(raw, dict) else None
        problems.append(
            _("%(label)s: geometry is %(kind)s, not a polygon.") % {"label": label, "kind": kind}
        )
        return None, ""
    try:
        geom = shape(raw)
    except Exception:
        problems.append(_("%(label)s: the geometry cannot be read.") % {"label": label})
        return None, ""
    if transform is not None:
        geos = GEOSGeometry(memoryview(shapely.to_wkb(geom, output_dimension=2)))
        geos.transform(transform)
        geom = shapely.from_wkb(bytes(geos.wkb))
    if geom.is_empty:
        problems.append(_("%(label)s: the geometry is empty.") % {"label": label})
        return None, ""
    minx, miny, maxx, maxy = geom.bounds
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or not (
        -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    ):
        problems.append(
            _(
                "%(label)s: coordinates are not longitude/latitude; declare the file's "
                "coordinate reference system in its “crs” member."
            )
            % {"label": label}
        )
        return None, ""
    repaired = ""
    if not geom.is_valid:
        repaired = shapely.is_valid_reason(geom)
        geom = shapely.make_valid(geom)
        parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon)]
        polygons: list[Polygon] = []
        for part in parts:
            polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
        geom = MultiPolygon(polygons)
        if geom.is_empty:
            problems.append(_("%(label)s: nothing is left after repair.") % {"label": label})
            return None, ""
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    return geom, repaired


def _ua_suffix(full_name: str) -> tuple[str, str, str]:
    """From "Вінницька міська громада" the type word in uk, en, pl."""
    for word, (en, pl) in _HROMADA_TYPES.items():
        if f" {word}" in f" {full_name}":
            return word, en, pl
    return "", "", ""


def _ua_record(props: dict[str, Any], geom: MultiPolygon) -> AreaRecord:
    code = str(props["katotth"]).strip()
    bare = str(props.get("katotth_name") or "").strip()
    if "hromada" in props:
        if code.startswith("UA80"):  # Kyiv: a city with special status, its own community
            name = bare or "Київ"
            return AreaRecord(
                Country.UKRAINE,
                Level.COMMUNITY,
                code,
                name,
                name,
                uk_to_polish(name),
                uk_to_latin(name),
                ["UA"],
                geom,
            )
        bare = bare or str(props["hromada"]).split(" ")[0]
        word, en, pl = _ua_suffix(str(props["hromada"]))
        official = f"{bare} {word} територіальна громада" if word else f"{bare} громада"
        uk = f"{bare} {word} громада" if word else f"{bare} громада"
        return AreaRecord(
            Country.UKRAINE,
            Level.COMMUNITY,
            code,
            official,
            uk,
            f"{uk_to_polish(bare)} hromada {pl}".strip(),
            f"{uk_to_latin(bare)} {en} hromada".replace("  ", " "),
            [code[:6], code[:4], "UA"],
            geom,
        )
    if "rayon" in props:
        bare = bare or str(props["rayon"]).split(" ")[0]
        return AreaRecord(
            Country.UKRAINE,
            Level.DISTRICT,
            code,
            f"{bare} район",
            f"{bare} район",
            f"rejon {uk_to_polish(bare)}",
            f"{uk_to_latin(bare)} raion",
            [code[:4], "UA"],
            geom,
        )
    bare = bare or str(props.get("region", "")).split(" ")[0]
    return AreaRecord(
        Country.UKRAINE,
        Level.REGION,
        code,
        f"{bare} область",
        f"{bare} область",
        f"obwód {uk_to_polish(bare)}",
        f"{uk_to_latin(bare)} oblast",
        ["UA"],
        geom,
    )


def _pl_record(props: dict[str, Any], geom: MultiPolygon) -> AreaRecord:
    code = str(props["terc"]).strip()
    name = str(props.get("name") or "").strip()
    if len(code) == 2:
        adjective = name.lower()
        return AreaRecord(
            Country.POLAND,
            Level.REGION,
            code,
            f"województwo {adjective}",
            f"{pl_to_ukrainian(adjective).capitalize()} воєводство",
            f"województwo {adjective}",
            f"{adjective.capitalize()} Voivodeship",
            ["PL"],
            geom,
        )
    if len(code) == 4:
        is_city = name[:1].isupper()
        pl = f"miasto na prawach powiatu {name}" if is_city else f"powiat {name}"
        uk = (
            f"місто на правах повіту {pl_to_ukrainian(name)}"
            if is_city
            else (f"повіт {pl_to_ukrainian(name)}")
        )
        en = f"{name} (city county)" if is_city else f"{name.capitalize()} County"
        return AreaRecord(
            Country.POLAND, Level.DISTRICT, code, pl, uk, pl, en, [code[:2], "PL"], geom
        )
    kind_pl, kind_en, kind_uk = _TERC_GMINA_TYPES.get(code[-1], ("gmina", "gmina", "ґміна"))
    return AreaRecord(
        Country.POLAND,
        Level.COMMUNITY,
        code,
        f"{name} ({kind_pl})",
        f"{pl_to_ukrainian(name)} ({kind_uk})",
        f"{name} ({kind_pl})",
        f"{name} ({kind_en})",
        [code[:4], code[:2], "PL"],
        geom,
    )


def _own_record(props: dict[str, Any], geom: MultiPolygon) -> AreaRecord:
    level = str(props.get("level") or "")
    if level not in Level.values:
        raise ValueError(_("unknown level “%(level)s”") % {"level": level[:40]})
    name = str(props.get("name") or "").strip()
    if not name:
        raise ValueError(_("no name"))
    country = str(props.get("country") or "").upper()
    if country not in Country.values:
        raise ValueError(_("unknown country “%(country)s”") % {"country": country[:8]})
    population = props.get("population")
    parent = str(props.get("parent") or "").strip()
    return AreaRecord(
        country,
        level,
        str(props["code"]).strip(),
        name,
        str(props.get("name_uk") or name),
        str(props.get("name_pl") or name),
        str(props.get("name_en") or name),
        [parent] if parent else [country],
        geom,
        population=int(population) if population not in (None, "") else None,
    )


def read_boundary_file(path: Path) -> ReadResult:
    """Read a boundary file into records; raises ApplicationError listing every problem."""
    data = load_geojson(path)
    transform = _crs_transform(data)
    result = ReadResult()
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, feature in enumerate(data["features"], start=1):
        label = _("feature %(n)s") % {"n": number}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(_("%(label)s is not a GeoJSON Feature.") % {"label": label})
            continue
        props = feature.get("properties") or {}
        if props.get("katotth_match") == "oblast_level_placeholder":
            result.skipped.append(
                _("%(label)s (%(name)s): a placeholder without its own code, skipped.")
                % {"label": label, "name": props.get("hromada", "")}
            )
            continue
        code_key = next((k for k in ("katotth", "terc", "code") if props.get(k)), None)
        if code_key is None:
            problems.append(_("%(label)s has no code (katotth, terc or code).") % {"label": label})
            continue
        code = str(props[code_key]).strip()
        label = _("feature %(n)s (%(code)s)") % {"n": number, "code": code[:40]}
        if code in seen:
            problems.append(
                _("%(label)s: the code is used again, first by feature %(first)s.")
                % {"label": label, "first": seen[code]}
            )
            continue
        seen[code] = number
        geom, repaired = _to_multipolygon(feature.get("geometry"), transform, label, problems)
        if geom is None:
            continue
        try:
            if code_key == "katotth":
                if not (len(code) == 19 and code.startswith("UA") and code[2:].isdigit()):
                    raise ValueError(_("not a KATOTTH code"))
                record = _ua_record(props, geom)
            elif code_key == "terc":
                if not (code.isdigit() and len(code) in (2, 4, 7)):
                    raise ValueError(_("not a TERC code of 2, 4 or 7 digits"))
                record = _pl_record(props, geom)
            else:
                record = _own_record(props, geom)
        except (ValueError, KeyError) as exc:
            problems.append(f"{label}: {exc}")
            continue
        record.repaired = repaired
        result.records.append(record)
    if problems:
        raise _fail(
            _("The file was not imported: %(count)s problem(s).") % {"count": len(problems)},
            problems,
        )
    return result
