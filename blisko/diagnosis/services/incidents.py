"""Importing police-recorded incidents: events with a point, a category and a time.

`incidents_import_file(path=, commit=)` reads the whole file and refuses it with every
problem listed (line- or feature-numbered, the first SHOWN) before anything is written: a
failed import changes nothing. Each valid event is routed to the finest area holding its point
(service area, else community), as reports are; an event outside every territory is not
imported and is listed. An event already on record (the same category, time and point to
1e-6°) is skipped, so a re-import never stores it twice. Then, in one transaction (rolled back
unless `commit`, so a dry run counts exactly what the import would do), the events are written
with each engine's bulk path and the import is audited.

CSV: UTF-8 (with or without BOM), comma or semicolon between fields (whichever the header uses
more), a header naming `lat`, `lon`, `category` (an incident category's code or its uk/pl/en
name, in any case) and `occurred_at` (ISO 8601 date and time; without an offset it is read in
the given time zone). CSV is streamed: the rows are kept as numbers, so a file of millions of
rows fits in bounded memory. GeoJSON: a FeatureCollection of Points with the same properties
(read whole, so at most BLISKO_REPORT_IMPORT_MAX_BYTES).

Why one module of over 400 lines: one import, from its two file formats' reading and row
checks to its two engines' write paths, which must store the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import zoneinfo
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geojson import WGS84_NAMES, GeoJsonError, crs_name, feature_collection_parse
from blisko.core.services import Actor, audit_record
from blisko.core.text import search_key
from blisko.diagnosis.models import Incident, IncidentCategory
from blisko.territories.index import current_index, index_rebuild
from blisko.territories.models import Level

COLUMNS = ("lat", "lon", "category", "occurred_at")
SHOWN = 20
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_FINE_TO_COARSE = (Level.SERVICE_AREA, Level.COMMUNITY)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class IncidentsImportResult:
    kind: str = "CSV"
    rows: int = 0
    imported: int = 0
    already: int = 0
    outside: int = 0
    outside_lines: list[int] = field(default_factory=list)
    committed: bool = False
    sha256: str = ""
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass
class _Rows:
    lat: array = field(default_factory=lambda: array("d"))
    lon: array = field(default_factory=lambda: array("d"))
    category: array = field(default_factory=lambda: array("q"))
    moment: array = field(default_factory=lambda: array("q"))  # microseconds since 1970 UTC
    line: array = field(default_factory=lambda: array("q"))


def _refusal(message: str) -> ApplicationError:
    return ApplicationError(message, {"field": "file"})


def _shown(value: Any, limit: int = 40) -> str:
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Checker:
    """Checks one row's values; holds what every row shares."""

    def __init__(self, zone: zoneinfo.ZoneInfo, result: IncidentsImportResult) -> None:
        self.zone = zone
        self.result = result
        self.now = timezone.now()
        self.rows = _Rows()
        self.by_key: dict[str, int] = {}
        self.names: list[str] = []
        self.codes: dict[int, str] = {}
        for category in IncidentCategory.objects.all():
            self.codes[category.pk] = category.code
            for text in (category.code, category.name_uk, category.name_pl, category.name_en):
                self.by_key[search_key(text)] = category.pk
                if text not in self.names:
                    self.names.append(text)
        self._seen_categories: dict[str, int] = {}

    def problem(self, label: str, message: str) -> None:
        self.result.problem_count += 1
        if len(self.result.problems) < SHOWN:
            self.result.problems.append(f"{label}: {message}")

    def coordinate(self, value: Any, name: str, low: float, high: float) -> float | None:
        if isinstance(value, str):
            value = value.strip()
            if "," in value and "." not in value:
                value = value.replace(",", ".")  # a decimal comma
        if value is None or value == "" or isinstance(value, bool):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return number if low <= number <= high else None

    def moment(self, value: Any) -> tuple[int | None, str | None]:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None, _("“occurred_at” is required.")
        moment: dt.datetime | None
        try:
            moment = dt.datetime.fromisoformat(text)  # C-fast; Django's parsers for the rest
        except ValueError:
            try:
                moment = parse_datetime(text)
                if moment is None:
                    day = parse_date(text)
                    moment = dt.datetime.combine(day, dt.time()) if day else None
            except ValueError:
                moment = None
        if moment is None:
            return None, _(
                "“%(value)s” is not a date and time in ISO 8601 (such as 2024-05-17T14:30)"
            ) % {"value": _shown(text)}
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, self.zone)
        if moment > self.now + dt.timedelta(minutes=5):
            return None, _("the time %(value)s is in the future") % {"value": _shown(text)}
        if moment < EARLIEST:
            return None, _("the time %(value)s is before %(year)s; is the year right?") % {
                "value": _shown(text),
                "year": EARLIEST.year,
            }
        return (moment - _EPOCH) // dt.timedelta(microseconds=1), None

    def category(self, value: Any) -> tuple[int | None, str | None]:
        text = str(value).strip() if value is not None else ""
        found = self._seen_categories.get(text)
        if found is not None:
            return found, None
        found = self.by_key.get(search_key(text)) if text else None
        if found is None:
            message = _("“%(value)s” is not an incident category.") % {"value": _shown(text, 60)}
            close = difflib.get_close_matches(text, self.names, n=3, cutoff=0.6)
            if close:
                message += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(close)}
            return None, message
        self._seen_categories[text] = found
        return found, None

    def check(self, label: str, number: int, values: dict[str, Any]) -> None:
        self.result.rows += 1
        problems: list[str] = []
        lat = self.coordinate(values.get("lat"), "lat", -90.0, 90.0)
        if lat is None:
            problems.append(_("“lat” must be a number between -90 and 90."))
        lon = self.coordinate(values.get("lon"), "lon", -180.0, 180.0)
        if lon is None:
            problems.append(_("“lon” must be a number between -180 and 180."))
        category, message = self.category(values.get("category"))
        if message:
            problems.append(message)
        moment, message = self.moment(values.get("occurred_at"))
        if message:
            problems.append(message)
        if problems:
            self.problem(label, "; ".join(problems))
            return
        rows = self.rows
        rows.lat.append(lat)  # type: ignore[arg-type]
        rows.lon.append(lon)  # type: ignore[arg-type]
        rows.category.append(category)  # type: ignore[arg-type]
        rows.moment.append(moment)  # type: ignore[arg-type]
        rows.line.append(number)


def _time_zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _refusal(
            _("Unknown time zone %(zone)s: use a name such as Europe/Warsaw or Europe/Kyiv.")
            % {"zone": _shown(name)}
        ) from None


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            raise _refusal(_("“%(path)s” is a folder, not a file.") % {"path": _shown(path, 200)})
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise _refusal(_("There is no file “%(path)s”.") % {"path": _shown(path, 200)}) from None
    except OSError as exc:
        raise _refusal(_("Cannot read the file: %(error)s") % {"error": exc.strerror}) from None
    return digest.hexdigest()


def _read_csv(path: Path, checker: _Checker) -> None:
    with path.open("rb") as handle:
        try:
            header = handle.readline().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refusal(
                _("The file is not UTF-8 text. Save it as UTF-8, in a spreadsheet as “CSV UTF-8”.")
            ) from None
        if not header.strip():
            raise _refusal(_("The file is empty."))
        delimiter = ";" if header.count(";") > header.count(",") else ","
        names = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter))]
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise _refusal(
                _(
                    "The header has no column %(missing)s. The first line must name the columns "
                    "lat, lon, category and occurred_at, separated by commas or semicolons."
                )
                % {"missing": ", ".join(missing)}
            )
        at = {c: names.index(c) for c in COLUMNS}
        width = max(at.values()) + 1

        def decoded() -> Iterator[str]:
            for number, raw_line in enumerate(handle, start=2):
                try:
                    yield raw_line.decode("utf-8")
                except UnicodeDecodeError:
                    raise _refusal(
                        _("Line %(line)s is not UTF-8 text.") % {"line": number}
                    ) from None

        reader = csv.reader(decoded(), delimiter=delimiter)
        for cells in reader:
            line = reader.line_num + 1  # the header was read before the reader started
            if len(cells) < width:
                if not any(cell.strip() for cell in cells):
                    continue
                cells = cells + [""] * (width - len(cells))
            checker.check(
                _("Line %(line)s") % {"line": line},
                line,
                {name: cells[i] for name, i in at.items()},
            )


def _read_geojson(path: Path, checker: _Checker) -> None:
    if path.stat().st_size > settings.BLISKO_REPORT_IMPORT_MAX_BYTES:
        raise _refusal(
            _("The file is larger than %(limit)s MB; split it, or give the events as CSV.")
            % {"limit": settings.BLISKO_REPORT_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refusal(_("The file is not UTF-8 text.")) from None
    try:
        data = feature_collection_parse(text)
    except GeoJsonError as exc:
        raise _refusal(str(exc)) from None
    name = crs_name(data)
    if name is not None and name not in WGS84_NAMES:
        raise _refusal(
            _("Coordinates must be longitude and latitude in WGS 84; the file declares “%(name)s”.")
            % {"name": _shown(name, 80)}
        )
    for number, feature in enumerate(data["features"], start=1):
        label = _("Feature %(n)s") % {"n": number}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (
            not isinstance(geometry, dict)
            or geometry.get("type") != "Point"
            or not isinstance(coordinates, list)
            or len(coordinates) < 2
        ):
            checker.result.rows += 1
            checker.problem(label, _("not a GeoJSON Feature with a Point"))
            continue
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        checker.check(
            label,
            number,
            {
                "lon": coordinates[0],
                "lat": coordinates[1],
                "category": properties.get("category"),
                "occurred_at": properties.get("occurred_at"),
            },
        )


def _is_json(path: Path) -> bool:
    if path.suffix.lower() in (".geojson", ".json"):
        return True
    with path.open("rb") as handle:
        start = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"{", b"[")


def _keys(rows: _Rows, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Each event's identity: 16 bytes of a hash of its category, time and point to 1e-6°
    (as numpy bytes: 16 bytes a row, not a Python string)."""
    lon6 = np.round(lon * 1e6).astype(np.int64).tolist()
    lat6 = np.round(lat * 1e6).astype(np.int64).tolist()
    out = np.empty(len(lon6), dtype="S16")
    for i, (c, m, x, y) in enumerate(zip(rows.category, rows.moment, lon6, lat6, strict=True)):
        out[i] = hashlib.blake2b(f"{c}|{m}|{x}|{y}".encode(), digest_size=16).digest()
    return out


def _route(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The finest area holding each point (-1 outside every territory)."""
    snapshot = current_index() or index_rebuild()
    found = np.full(lon.shape, -1, dtype=np.int64)
    for level in _FINE_TO_COARSE:
        missing = found < 0
        if not missing.any():
            break
        found[missing] = snapshot.index.lookup_many(lon[missing], lat[missing], level=level)
    return found


def incidents_import_file(
    *, path: Path, commit: bool = False, zone_name: str | None = None, actor: Actor = None
) -> IncidentsImportResult:
    """Read, check, route and (with `commit`) import the file; see the module's text. Raises
    ApplicationError for a file that cannot be read as a whole; returns the problems of its
    rows (and writes nothing) when there are any."""
    zone = _time_zone(zone_name)
    result = IncidentsImportResult(sha256=_digest(path))
    checker = _Checker(zone, result)
    if _is_json(path):
        result.kind = "GeoJSON"
        _read_geojson(path, checker)
    else:
        _read_csv(path, checker)
    rows = checker.rows
    if result.rows == 0:
        raise _refusal(_("The file names its columns but holds no incidents."))
    lon = np.frombuffer(rows.lon, dtype=np.float64)
    lat = np.frombuffer(rows.lat, dtype=np.float64)
    keys = _keys(rows, lon, lat)
    _check_duplicates(keys, rows, checker, result.kind)
    if result.problem_count:
        return result
    areas = _route(lon, lat)
    inside = areas >= 0
    result.outside = int((~inside).sum())
    lines = np.frombuffer(rows.line, dtype=np.int64)
    result.outside_lines = lines[~inside][:SHOWN].tolist()
    chosen = np.flatnonzero(inside)
    with transaction.atomic():
        result.imported = _write(rows, keys, areas, chosen)
        result.already = len(chosen) - result.imported
        categories = np.frombuffer(rows.category, dtype=np.int64)[chosen]
        for pk, count in zip(*np.unique(categories, return_counts=True), strict=True):
            result.by_category[checker.codes[int(pk)]] = int(count)
        audit_record(
            actor=actor,
            entity="diagnosis.incidents_import",
            entity_id=result.sha256[:16],
            action="imported",
            after={
                "file": path.name,
                "sha256": result.sha256,
                "rows": result.rows,
                "imported": result.imported,
                "already": result.already,
                "outside": result.outside,
            },
        )
        if not commit:
            transaction.set_rollback(True)
    result.committed = commit
    return result


def _check_duplicates(keys: np.ndarray, rows: _Rows, checker: _Checker, kind: str) -> None:
    if not len(keys):
        return
    order = np.argsort(keys, kind="stable")
    repeated = np.flatnonzero(keys[order][1:] == keys[order][:-1]) + 1
    lines = np.frombuffer(rows.line, dtype=np.int64)
    for position in repeated.tolist():
        line = int(lines[order[position]])
        first = int(lines[order[position - 1]])
        label = (_("Line %(line)s") if kind == "CSV" else _("Feature %(n)s")) % {
            "line": line,
            "n": line,
        }
        checker.problem(
            label, _("the same category, time and place as %(first)s.") % {"first": first}
        )


_CHUNK = 50_000


def _chunks(
    rows: _Rows, keys: np.ndarray, areas: np.ndarray, chosen: np.ndarray
) -> Iterator[list[tuple[int, str, float, float, int, str]]]:
    """The chosen rows, _CHUNK at a time, as (category, UTC time, lon, lat, area, key hex):
    only one chunk is ever made of Python objects. Times as each engine stores them: ISO with
    an offset for PostgreSQL, Django's naive UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]") for
    SQLite, whose range lookups compare text."""
    postgresql = connection.vendor == "postgresql"

    def stamp(text: str) -> str:
        if postgresql:
            return f"{text}+00:00"
        text = text.replace("T", " ")
        return text[:-7] if text.endswith(".000000") else text

    moment_all = np.frombuffer(rows.moment, dtype=np.int64)
    lon_all = np.frombuffer(rows.lon, dtype=np.float64)
    lat_all = np.frombuffer(rows.lat, dtype=np.float64)
    category_all = np.frombuffer(rows.category, dtype=np.int64)
    for start in range(0, len(chosen), _CHUNK):
        part = chosen[start : start + _CHUNK]
        stamps = np.datetime_as_string(moment_all[part].astype("datetime64[us]"), unit="us")
        yield list(
            zip(
                category_all[part].tolist(),
                [stamp(t) for t in stamps.tolist()],
                lon_all[part].tolist(),
                lat_all[part].tolist(),
                areas[part].tolist(),
                [k.hex() for k in keys[part].tolist()],
                strict=True,
            )
        )


def _write(rows: _Rows, keys: np.ndarray, areas: np.ndarray, chosen: np.ndarray) -> int:
    """Insert the chosen events, skipping those on record (by key); how many were new. COPY into
    a temporary table and one INSERT … ON CONFLICT DO NOTHING on PostgreSQL; one prepared
    INSERT OR IGNORE run for every row on SQLite."""
    if not len(chosen):
        return 0
    table = connection.ops.quote_name(Incident._meta.db_table)
    now = timezone.now()
    columns = "category_id, occurred_at, location, area_id, key, created_at"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE diagnosis_incident_in (category_id bigint, "
                "occurred_at timestamptz, lon float8, lat float8, area_id bigint, key text) "
                "ON COMMIT DROP"
            )
            with (
                cursor.connection.cursor() as pg,
                pg.copy("COPY diagnosis_incident_in FROM STDIN") as copy,
            ):
                for chunk in _chunks(rows, keys, areas, chosen):
                    copy.write(
                        "".join(
                            f"{c}\t{t}\t{x!r}\t{y!r}\t{a}\t{k}\n" for c, t, x, y, a, k in chunk
                        ).encode()
                    )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT category_id, occurred_at, "
                f"ST_SetSRID(ST_MakePoint(lon, lat), 4326), area_id, key, %s "
                f"FROM diagnosis_incident_in ON CONFLICT (key) DO NOTHING",
                [now],
            )
            inserted = cursor.rowcount
            cursor.execute("DROP TABLE diagnosis_incident_in")
            return int(inserted)
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        before = cursor.fetchone()[0]
        stamp = connection.ops.adapt_datetimefield_value(now)
        for chunk in _chunks(rows, keys, areas, chosen):
            cursor.executemany(
                f"INSERT OR IGNORE INTO {table} ({columns}) "
                f"VALUES (%s, %s, MakePoint(%s, %s, 4326), %s, %s, %s)",
                [(c, t, x, y, a, k, stamp) for c, t, x, y, a, k in chunk],
            )
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0] - before)
