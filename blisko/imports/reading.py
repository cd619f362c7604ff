"""Reading report files from another system (KMZB exports, an Open311 backlog).

`read_reports_file` turns a CSV or GeoJSON file into columns ready for `reports_bulk_import`,
refusing the whole file for a problem of the file itself (missing, not UTF-8, empty, too large,
no required column, a header named twice, GeoJSON that is no FeatureCollection) and collecting
every invalid row with its line (or feature) number. Nothing there touches the database but
the category list.

The import itself is `blisko.imports.services.importing.reports_import_file`.

CSV: UTF-8 (with or without BOM), comma or semicolon between fields (whichever the header uses
more), a header naming `lat`, `lon`, `category` and optionally `created_at`, `status`,
`description`. GeoJSON: a FeatureCollection of Points with the same names as properties.

Why one module of over 400 lines: reading and checking a whole file (CSV and GeoJSON) with
line-numbered refusals; nothing here writes.
"""

import csv
import datetime as dt
import hashlib
import io
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import parse_coordinate
from blisko.core.geojson import (
    WGS84_NAMES,
    GeoJsonError,
    crs_name,
    feature_collection_features,
    feature_collection_parse,
)
from blisko.reports.models import Category, Status

REQUIRED_COLUMNS = ("lat", "lon", "category")
OPTIONAL_COLUMNS = ("created_at", "status", "description")
# How many problems (and reports outside every territory) are listed; the rest are counted.
SHOWN = 20
# A resident's clock may run ahead of the server's; an exporting system's too.
FUTURE_SKEW = dt.timedelta(minutes=5)
# A guard against typos in years ("0224", "1024"): no report system predates this.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass
class ReadResult:
    """The valid rows of a file as columns, and what was wrong with the others."""

    kind: str  # "CSV" or "GeoJSON"
    sha256: str
    rows: int = 0
    lines: list[int] = field(default_factory=list)  # line (or feature) number of each valid row
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    category_codes: list[str] = field(default_factory=list)
    created_at: list[dt.datetime] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    invalid: int = 0
    problems: list[str] = field(default_factory=list)  # the first SHOWN, one per invalid row
    ignored_columns: list[str] = field(default_factory=list)

    def add_problem(self, label: str, messages: list[str]) -> None:
        self.invalid += 1
        if len(self.problems) < SHOWN:
            self.problems.append(f"{label}: {'; '.join(m.rstrip('.') for m in messages)}")


def refusal(message: str, problems: list[str] | None = None, **extra: Any) -> ApplicationError:
    return ApplicationError(message, {"problems": problems or [], **extra})


def _shown(value: Any, limit: int = 40) -> str:
    """A value as it may be quoted in a message: short, without control characters (a file
    could carry terminal escape sequences)."""
    text = str(value)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
    except FileNotFoundError:
        raise refusal(_("There is no file “%(path)s”.") % {"path": _shown(path, 200)})
    except IsADirectoryError:
        raise refusal(_("“%(path)s” is a folder, not a file.") % {"path": _shown(path, 200)})
    except OSError as exc:
        raise refusal(_("Cannot read the file: %(error)s") % {"error": exc.strerror})
    limit = settings.BLISKO_REPORT_IMPORT_MAX_BYTES
    if size > limit:
        raise refusal(
            _("The file is larger than %(limit)s MB; split it into smaller files.")
            % {"limit": limit // (1024 * 1024)}
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise refusal(_("Cannot read the file: %(error)s") % {"error": exc.strerror})


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise refusal(
            _(
                "The file is not UTF-8 text (the first byte that is not is on line %(line)s). "
                "Save it as UTF-8, in a spreadsheet as “CSV UTF-8”."
            )
            % {"line": line}
        )
    if not text.strip():
        raise refusal(_("The file is empty."))
    return text


class _Categories:
    """Category by code or by its Polish, Ukrainian or English name, ignoring case."""

    def __init__(self) -> None:
        self.by_key: dict[str, set[int]] = {}
        self.rows = {c.pk: c for c in Category.objects.all()}
        for category in self.rows.values():
            for name in (category.code, category.name_pl, category.name_uk, category.name_en):
                self.by_key.setdefault(self._key(name), set()).add(category.pk)
        self._found: dict[str, str | tuple[str, ...]] = {}

    @staticmethod
    def _key(value: str) -> str:
        return " ".join(value.split()).casefold()

    def find(self, value: str) -> str | tuple[str, ...]:
        """The category's code, or the messages saying why there is none."""
        if value not in self._found:
            self._found[value] = self._find(value)
        return self._found[value]

    def _find(self, value: str) -> str | tuple[str, ...]:
        if not value.strip():
            return (_("the category is missing"),)
        ids = self.by_key.get(self._key(value), set())
        if not ids:
            return (_("unknown category “%(value)s”") % {"value": _shown(value)},)
        if len(ids) > 1:
            return (
                _("“%(value)s” names more than one category; give its code")
                % {"value": _shown(value)},
            )
        category = self.rows[next(iter(ids))]
        if not category.is_active:
            return (
                _("the category “%(code)s” is retired; new reports cannot use it")
                % {"code": category.code},
            )
        return category.code


class _RowChecker:
    """Checks one row's values; holds what every row shares (categories, now, the zone)."""

    def __init__(self, zone: zoneinfo.ZoneInfo) -> None:
        self.categories = _Categories()
        self.now = timezone.now()
        self.zone = zone
        self.statuses = {value: value for value in Status.values}
        self.limit = settings.BLISKO_REPORT_DESCRIPTION_MAX

    def check(self, result: ReadResult, label: str, number: int, values: dict[str, Any]) -> None:
        problems: list[str] = []
        lat = self._coordinate(values.get("lat"), "lat", -90.0, 90.0, problems)
        lon = self._coordinate(values.get("lon"), "lon", -180.0, 180.0, problems)
        found = self.categories.find(_text(values.get("category")))
        if isinstance(found, tuple):
            problems.extend(found)
        moment = self._created_at(_text(values.get("created_at")), problems)
        status = _text(values.get("status")).lower() or Status.SUBMITTED
        if status not in self.statuses:
            problems.append(
                _("unknown status “%(value)s” (use one of: %(choices)s)")
                % {"value": _shown(status), "choices": ", ".join(Status.values)}
            )
        description = _text(values.get("description"))
        if len(description) > self.limit:
            problems.append(
                ngettext(
                    "The description can be at most %(limit)d character long; it has %(count)d.",
                    "The description can be at most %(limit)d characters long; it has %(count)d.",
                    self.limit,
                )
                % {"limit": self.limit, "count": len(description)}
            )
        if problems:
            result.add_problem(label, problems)
            return
        assert lat is not None and lon is not None and isinstance(found, str)  # noqa: S101
        result.lines.append(number)
        result.lat.append(lat)
        result.lon.append(lon)
        result.category_codes.append(found)
        result.created_at.append(moment or self.now)
        result.statuses.append(status)
        result.descriptions.append(description)

    @staticmethod
    def _coordinate(
        value: Any, name: str, low: float, high: float, problems: list[str]
    ) -> float | None:
        if isinstance(value, str):
            value = value.strip()
            if "," in value and "." not in value:
                value = value.replace(",", ".")  # a decimal comma, as Polish spreadsheets write
        try:
            return parse_coordinate(value, name=name, low=low, high=high)
        except ApplicationError as exc:
            problems.append(exc.message)
            return None

    def _created_at(self, value: str, problems: list[str]) -> dt.datetime | None:
        if not value:
            return None
        moment: dt.datetime | None
        try:
            moment = parse_datetime(value)
            if moment is None:
                day = parse_date(value)
                moment = dt.datetime.combine(day, dt.time()) if day else None
        except ValueError:
            moment = None
        if moment is None:
            problems.append(
                _("“%(value)s” is not a date and time in ISO 8601 (such as 2024-05-17T14:30)")
                % {"value": _shown(value)}
            )
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, self.zone)
        try:
            if moment > self.now + FUTURE_SKEW:
                problems.append(_("the time %(value)s is in the future") % {"value": _shown(value)})
                return None
            if moment < EARLIEST:
                problems.append(
                    _("the time %(value)s is before %(year)s; is the year right?")
                    % {"value": _shown(value), "year": EARLIEST.year}
                )
                return None
        except OverflowError:
            problems.append(_("the time %(value)s is out of range") % {"value": _shown(value)})
            return None
        return moment


def _text(value: Any) -> str:
    """Text as given, with Windows line ends folded and NUL characters (which PostgreSQL cannot
    store) dropped, as submissions keep it. HTML stays text: it is escaped wherever shown."""
    if value is None:
        return ""
    return str(value).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _sniff_delimiter(text: str) -> tuple[str, bool]:
    """The delimiter the header uses more (comma or semicolon), and whether the file starts
    with Excel's "sep=;" line, which names it."""
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), "").strip()
    if first.lower() in ("sep=;", "sep=,"):
        return first[-1], True
    return (";" if first.count(";") > first.count(",") else ","), False


def _read_csv(text: str, result: ReadResult, zone: zoneinfo.ZoneInfo) -> None:
    delimiter, skip_sep_line = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    checker: _RowChecker | None = None
    previous_end = 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if skip_sep_line:
                skip_sep_line = False
                continue
            if header is None:
                header = _header(row, result)
                checker = _RowChecker(zone)
                continue
            assert checker is not None  # noqa: S101
            result.rows += 1
            label = _("line %(n)s") % {"n": start}
            cells = row
            if len(cells) > len(header) and not any(c.strip() for c in cells[len(header) :]):
                cells = cells[: len(header)]  # trailing empty fields, as spreadsheets add
            if len(cells) != len(header):
                result.add_problem(
                    label,
                    [
                        _("it has %(count)s fields, the header has %(expected)s")
                        % {"count": len(cells), "expected": len(header)}
                    ],
                )
                continue
            values = {name: cell for name, cell in zip(header, cells, strict=True) if name}
            checker.check(result, label, start, values)
    except csv.Error as exc:
        raise refusal(
            _("The CSV cannot be read at line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        )
    if header is None:
        raise refusal(_("The file is empty."))


def _header(row: list[str], result: ReadResult) -> list[str]:
    """The header's column names (lower case); "" for a column that is ignored."""
    names = [cell.strip().lower() for cell in row]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise refusal(
                _("The column “%(name)s” appears more than once in the header.")
                % {"name": _shown(name)}
            )
        seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        raise refusal(
            _(
                "The header has no column %(missing)s. The first line must name the columns: "
                "lat, lon, category, and optionally created_at, status, description."
            )
            % {"missing": ", ".join(missing)}
        )
    known = set(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    result.ignored_columns = [_shown(name) for name in names if name and name not in known]
    return [name if name in known else "" for name in names]


def _read_geojson(text: str, result: ReadResult, zone: zoneinfo.ZoneInfo) -> None:
    try:
        data = feature_collection_parse(text, require_features=False)
    except GeoJsonError as exc:
        raise refusal(str(exc))
    name = crs_name(data)
    if name is not None and name not in WGS84_NAMES:
        raise refusal(
            _("Coordinates must be longitude and latitude in WGS 84; the file declares “%(name)s”.")
            % {"name": _shown(name, 80)}
        )
    try:
        features = feature_collection_features(data)
    except GeoJsonError as exc:
        raise refusal(str(exc))
    checker = _RowChecker(zone)
    for number, feature in enumerate(features, start=1):
        result.rows += 1
        label = _("feature %(n)s") % {"n": number}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            result.add_problem(label, [_("not a GeoJSON Feature")])
            continue
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if kind != "Point":
            result.add_problem(
                label, [_("the geometry is %(kind)s, not a Point") % {"kind": _shown(kind)}]
            )
            continue
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            result.add_problem(label, [_("the Point has no longitude and latitude")])
            continue
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        values: dict[str, Any] = {
            name: properties.get(name) for name in OPTIONAL_COLUMNS + ("category",)
        }
        values["lon"], values["lat"] = coordinates[0], coordinates[1]
        wrong = [
            name
            for name, value in values.items()
            if name not in ("lon", "lat") and isinstance(value, dict | list)
        ]
        if wrong:
            result.add_problem(
                label,
                [_("“%(name)s” must be text") % {"name": name} for name in wrong],
            )
            continue
        checker.check(result, label, number, values)


def time_zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The IANA zone for times without an offset (TIME_ZONE by default); ApplicationError if
    there is no such zone."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise refusal(
            _("Unknown time zone %(zone)s: use a name such as Europe/Warsaw or Europe/Kyiv.")
            % {"zone": _shown(name)}
        ) from None


def read_reports_file(path: Path, *, zone_name: str | None = None) -> ReadResult:
    """Read a CSV or GeoJSON file of reports; raises ApplicationError for a file that cannot be
    read at all, and lists invalid rows in the result (`invalid`, the first `problems`). Times
    without an offset are read in `zone_name` (TIME_ZONE by default)."""
    zone = time_zone(zone_name)
    raw = _read_bytes(path)
    text = _decode(raw)
    is_json = path.suffix.lower() in (".geojson", ".json") or text.lstrip()[:1] in ("{", "[")
    result = ReadResult(
        kind="GeoJSON" if is_json else "CSV", sha256=hashlib.sha256(raw).hexdigest()
    )
    if is_json:
        _read_geojson(text, result, zone)
    else:
        _read_csv(text, result, zone)
    if result.rows == 0:
        raise refusal(_("The file names its columns but holds no reports."))
    return result
