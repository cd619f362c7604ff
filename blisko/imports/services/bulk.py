"""Bulk import of reports (statistics, migrations from another system, the demo, benchmarks).

Each report is routed as `report_submit` routes one — finest area holding the point, the
boundary version in force, the officer of that area whose role fits the category — but for a
million points at once: the area comes from the in-memory index's vectorised lookup, and the
routing is computed once per (area, verifier role) by `report_route` itself, so the rules live
in one place. On PostgreSQL the rows go in with COPY; elsewhere with bulk_create.

Why one module of over 400 lines: one loading pipeline with its two engine paths side by
side (COPY on PostgreSQL, prepared statements on SQLite), which must write the same rows.
"""

import datetime as dt
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.officers.models import Officer, Unit
from blisko.reports.models import Category, Precision, Report, ReportEvent, Status
from blisko.reports.services.submit import CODE_ALPHABET
from blisko.territories.index import IndexSnapshot, current_index, index_rebuild
from blisko.territories.models import Area, AreaBoundary, Level

# The submission codes' alphabet (no 0/O, 1/I/L), as bytes for vectorised codes.
_CODE_BYTES = np.frombuffer(CODE_ALPHABET.encode("ascii"), dtype=np.uint8)
_FINE_TO_COARSE = (Level.SERVICE_AREA, Level.COMMUNITY)
_STATUS_STAMPS = {
    Status.SUBMITTED: (),
    Status.IN_VERIFICATION: ("taken_up_at",),
    Status.CONFIRMED: ("taken_up_at", "verified_at"),
    Status.NOT_CONFIRMED: ("taken_up_at", "verified_at", "closed_at"),
    Status.RESOLVED: ("taken_up_at", "verified_at", "closed_at"),
    Status.REFERRED: ("taken_up_at", "verified_at", "closed_at"),
    Status.DUPLICATE: ("closed_at",),
}


@dataclass
class BulkImportResult:
    imported: int
    outside: int
    seconds: float
    report_ids: np.ndarray


def tracking_codes(count: int) -> list[str]:
    """`count` random tracking codes "XXXX-XXXX-XXXX" (about 59 bits each, from `secrets`)."""
    raw = np.frombuffer(secrets.token_bytes(count * 12), dtype=np.uint8).reshape(count, 12)
    letters = _CODE_BYTES[raw % len(_CODE_BYTES)]
    out = np.full((count, 14), ord("-"), dtype=np.uint8)
    out[:, 0:4], out[:, 5:9], out[:, 10:14] = letters[:, 0:4], letters[:, 4:8], letters[:, 8:12]
    return out.view("S14").ravel().astype("U14").tolist()  # type: ignore[no-any-return]


def _snapshot() -> IndexSnapshot:
    return current_index() or index_rebuild()


def _finest_areas(snapshot: IndexSnapshot, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    found = np.full(lon.shape, -1, dtype=np.int64)
    for level in _FINE_TO_COARSE:
        missing = found < 0
        if not missing.any():
            break
        found[missing] = snapshot.index.lookup_many(lon[missing], lat[missing], level=level)
    return found


def _public_points(
    lon: np.ndarray, lat: np.ndarray, precision: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Public (lon, lat, shown) per report, as rules.public_location_for does one by one."""
    step = settings.BLISKO_REPORT_REDUCED_GRID_DEG
    reduced = precision == Precision.REDUCED
    plon, plat = lon.copy(), lat.copy()
    plon[reduced] = np.round((np.floor(lon[reduced] / step) + 0.5) * step, 6)
    plat[reduced] = np.round((np.floor(lat[reduced] / step) + 0.5) * step, 6)
    return plon, plat, precision != Precision.HIDDEN


def reports_bulk_import(
    *,
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    category_codes: Sequence[str] | np.ndarray,
    created_at: Sequence[dt.datetime] | None = None,
    statuses: Sequence[str] | None = None,
    descriptions: Sequence[str] | None = None,
    history: bool = False,
) -> BulkImportResult:
    """Import many reports at once, each routed like a submitted one. Atomic.

        Points outside every territory are skipped and counted. `created_at` defaults to now;
        `statuses` to submitted (the status timestamps are set as if the moves happened on the
        creation day). Each report gets one public event recording its import; with `history`, the
    events of its moves instead (submitted, then each status change at its timestamp), as if it had
    gone through the workflow (the demo). The returned
        `report_ids` are in area order, not in the order of the input.
    """
    started = time.perf_counter()
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    codes = np.asarray(category_codes)
    n = len(lon)
    if not (len(lat) == len(codes) == n):
        raise ApplicationError(_("Every column must have one value per report."))
    categories = {c.code: c for c in Category.objects.all()}
    unknown = set(np.unique(codes).tolist()) - set(categories)
    if unknown:
        raise ApplicationError(
            _("Unknown categories: %(codes)s") % {"codes": ", ".join(sorted(unknown)[:10])}
        )
    now = timezone.now()
    created = np.array(created_at if created_at is not None else [now] * n, dtype=object)
    status_arr = np.array(statuses if statuses is not None else [Status.SUBMITTED] * n)
    text = np.array(descriptions if descriptions is not None else [""] * n, dtype=object)

    snapshot = _snapshot()
    area_ids = _finest_areas(snapshot, lon, lat)
    inside = area_ids >= 0
    # Written in area order: rows of one area share their area, boundary version, officer and
    # unit, so the indexes on those columns are filled in runs instead of at random places.
    order = np.flatnonzero(inside)[np.argsort(area_ids[inside], kind="stable")]
    lon, lat, codes, area_ids = lon[order], lat[order], codes[order], area_ids[order]
    created, status_arr, text = created[order], status_arr[order], text[order]
    count = len(lon)

    # Routing once per (area, verifier role), through the same function submissions use.
    from blisko.reports.services.routing import report_route

    role_of = {code: c.verifier_role for code, c in categories.items()}
    sample_category: dict[str, Category] = {}
    for c in categories.values():
        sample_category.setdefault(c.verifier_role, c)
    roles = np.array([role_of[c] for c in codes.tolist()])
    routes: dict[tuple[int, str], tuple[int | None, int | None]] = {}
    for area_id, role in set(zip(area_ids.tolist(), roles.tolist(), strict=True)):
        x, y = _representative_point(snapshot, area_id, lon, lat, area_ids)
        routing = report_route(lon=x, lat=y, category=sample_category[role])
        routes[(area_id, role)] = (
            routing.officer.pk if routing.officer else None,
            routing.unit.pk if routing.unit else None,
        )
    precision = np.array([categories[c].precision for c in codes.tolist()])
    plon, plat, shown = _public_points(lon, lat, precision)
    route_keys = list(zip(area_ids.tolist(), roles.tolist(), strict=True))
    rows = _Rows(
        codes=tracking_codes(count),
        category_ids=np.array([categories[c].pk for c in codes.tolist()], dtype=np.int64),
        lon=lon,
        lat=lat,
        plon=plon,
        plat=plat,
        shown=shown,
        area_ids=area_ids,
        versions=_ids_or_none([snapshot.versions.get(a) for a in area_ids.tolist()]),
        officers=_ids_or_none([routes[k][0] for k in route_keys]),
        units=_ids_or_none([routes[k][1] for k in route_keys]),
        statuses=status_arr.astype(str),
        created_us=_microseconds(created.tolist()),
        text=text.tolist(),
        take_up=dt.timedelta(days=settings.BLISKO_REPORT_TAKE_UP_DAYS),
        verify=dt.timedelta(days=settings.BLISKO_REPORT_VERIFY_DAYS),
        now=now,
        history=history,
    )
    with transaction.atomic():
        ids = _copy_postgresql(rows) if connection.vendor == "postgresql" else _bulk_create(rows)
    return BulkImportResult(
        imported=count,
        outside=int((~inside).sum()),
        seconds=time.perf_counter() - started,
        report_ids=ids,
    )


def _representative_point(
    snapshot: IndexSnapshot, area_id: int, lon: np.ndarray, lat: np.ndarray, area_ids: np.ndarray
) -> tuple[float, float]:
    first = int(np.argmax(area_ids == area_id))
    return float(lon[first]), float(lat[first])


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_NAT = np.iinfo(np.int64).min  # numpy's NaT as int64: "no timestamp"
_NULL = "\\N"  # COPY's NULL
_CHUNK = 50_000  # rows per COPY write: formatting the next chunk overlaps the server's work


def _microseconds(values: Sequence[dt.datetime]) -> np.ndarray:
    """Aware datetimes as int64 microseconds since the epoch (exact, unlike timestamp())."""
    return np.fromiter(((v - _EPOCH) // _MICROSECOND for v in values), np.int64, len(values))


def _ids_or_none(values: Sequence[int | None]) -> np.ndarray:
    return np.array([-1 if v is None else v for v in values], dtype=np.int64)


@dataclass
class _Rows:
    """The columns of the reports to write; ids of -1 and times of _NAT stand for NULL."""

    codes: list[str]
    category_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    plon: np.ndarray
    plat: np.ndarray
    shown: np.ndarray
    area_ids: np.ndarray
    versions: np.ndarray
    officers: np.ndarray
    units: np.ndarray
    statuses: np.ndarray
    created_us: np.ndarray
    text: list[str]
    take_up: dt.timedelta
    verify: dt.timedelta
    now: dt.datetime
    history: bool = False

    def __len__(self) -> int:
        return len(self.codes)

    def stamps(self) -> dict[str, np.ndarray]:
        """taken_up_at / verified_at / closed_at (µs) as if each move came 20 hours apart,
        never later than now."""
        now_us = (self.now - _EPOCH) // _MICROSECOND
        step_us = 20 * 3600 * 1_000_000
        out = {}
        for name in ("taken_up_at", "verified_at", "closed_at"):
            steps = np.zeros(len(self), dtype=np.int64)
            for status, names in _STATUS_STAMPS.items():
                if name in names:
                    steps[self.statuses == status] = names.index(name) + 1
            out[name] = np.where(
                steps > 0, np.minimum(self.created_us + steps * step_us, now_us), _NAT
            )
        return out

    def dues(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.created_us + self.take_up // _MICROSECOND,
            self.created_us + self.verify // _MICROSECOND,
        )


# The moves that lead to each status, with the timestamp each happened at (see stamps()).
_S, _IV, _C = Status.SUBMITTED, Status.IN_VERIFICATION, Status.CONFIRMED
_MOVES: dict[str, tuple[tuple[str, str, str], ...]] = {
    Status.IN_VERIFICATION: ((_S, _IV, "taken_up_at"),),
    Status.CONFIRMED: ((_S, _IV, "taken_up_at"), (_IV, _C, "verified_at")),
    Status.NOT_CONFIRMED: ((_S, _IV, "taken_up_at"), (_IV, Status.NOT_CONFIRMED, "verified_at")),
    Status.RESOLVED: (
        (_S, _IV, "taken_up_at"),
        (_IV, _C, "verified_at"),
        (_C, Status.RESOLVED, "closed_at"),
    ),
    Status.REFERRED: (
        (_S, _IV, "taken_up_at"),
        (_IV, _C, "verified_at"),
        (_C, Status.REFERRED, "closed_at"),
    ),
    Status.DUPLICATE: ((_S, Status.DUPLICATE, "closed_at"),),
}


@dataclass
class _Events:
    """The history events to write, ordered by report and then by move."""

    report_ids: np.ndarray
    at_us: np.ndarray
    actions: np.ndarray
    from_status: np.ndarray
    to_status: np.ndarray

    def __len__(self) -> int:
        return len(self.report_ids)


def _events(rows: _Rows, ids: np.ndarray, times: dict[str, np.ndarray]) -> _Events:
    """One "imported" event a report at the import's time; with rows.history, a "submitted"
    event at the creation time and one status change per move at its timestamp."""
    from blisko.reports.services.submit import ACTION_SUBMITTED
    from blisko.reports.services.workflow import ACTION_STATUS

    n = len(rows)
    now_us = (rows.now - _EPOCH) // _MICROSECOND
    if not rows.history:
        return _Events(
            report_ids=ids,
            at_us=np.full(n, now_us, dtype=np.int64),
            actions=np.full(n, "imported", dtype=object),
            from_status=np.full(n, "", dtype=object),
            to_status=rows.statuses.astype(object),
        )
    parts = [(ids, rows.created_us, ACTION_SUBMITTED, "", Status.SUBMITTED.value, 0)]
    for status, moves in _MOVES.items():
        mask = rows.statuses == status
        if mask.any():
            for step, (source, target, stamp) in enumerate(moves, start=1):
                parts.append((ids[mask], times[stamp][mask], ACTION_STATUS, source, target, step))
    report_ids = np.concatenate([p[0] for p in parts])
    steps = np.concatenate([np.full(len(p[0]), p[5]) for p in parts])
    order = np.lexsort((steps, report_ids))

    def column(values: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(values)[order]

    return _Events(
        report_ids=report_ids[order],
        at_us=column([p[1] for p in parts]),
        actions=column([np.full(len(p[0]), p[2], dtype=object) for p in parts]),
        from_status=column([np.full(len(p[0]), str(p[3]), dtype=object) for p in parts]),
        to_status=column([np.full(len(p[0]), str(p[4]), dtype=object) for p in parts]),
    )


def _copy_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _id_strings(values: np.ndarray) -> list[str]:
    """Ids as COPY text; a column has few distinct values, so each is formatted once."""
    distinct, inverse = np.unique(values, return_inverse=True)
    table = np.array([_NULL if v < 0 else str(v) for v in distinct.tolist()], dtype=object)
    return table[inverse].tolist()  # type: ignore[no-any-return]


def _time_strings(us: np.ndarray) -> list[str]:
    """µs since the epoch as ISO 8601 in UTC ("…Z"), formatted by numpy, NULL for _NAT."""
    text = np.datetime_as_string(us.view("datetime64[us]"), unit="us", timezone="UTC")
    return np.where(us == _NAT, _NULL, text).tolist()  # type: ignore[no-any-return]


def _ewkb_strings(lon: np.ndarray, lat: np.ndarray, shown: np.ndarray | None = None) -> list[str]:
    """Points as hex EWKB (little-endian, with SRID), which PostGIS reads faster than WKT."""
    record = np.zeros(
        len(lon),
        dtype=[("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")],
    )
    record["order"], record["type"], record["srid"] = 1, 0x20000001, GEO_SRID
    record["x"], record["y"] = lon, lat
    text = np.frombuffer(record.tobytes().hex().encode("ascii"), dtype="S50").astype("U50")
    if shown is not None:
        text = np.where(shown, text, _NULL)
    return text.tolist()  # type: ignore[no-any-return]


def _report_lines(
    rows: _Rows, ids: np.ndarray, times: dict[str, np.ndarray], start: int, stop: int
) -> str:
    """COPY text for reports start..stop, in the column order of _REPORT_COLUMNS."""
    part = slice(start, stop)
    size = stop - start
    stamps = {name: values[part] for name, values in times.items()}
    texts = rows.text[part]
    columns = (
        map(str, ids[part].tolist()),
        rows.codes[part],
        _id_strings(rows.category_ids[part]),
        _ewkb_strings(rows.lon[part], rows.lat[part]),
        _ewkb_strings(rows.plon[part], rows.plat[part], rows.shown[part]),
        _id_strings(rows.area_ids[part]),
        _id_strings(rows.versions[part]),
        _id_strings(rows.officers[part]),
        _id_strings(rows.units[part]),
        rows.statuses[part].tolist(),
        map(_copy_escape, texts) if any(texts) else repeat("", size),
        repeat("\t\t", size),  # reporter_email, client_hash, referred_to: empty
        _time_strings(stamps["taken_up_at"]),
        _time_strings(stamps["verified_at"]),
        _time_strings(stamps["closed_at"]),
        _time_strings(stamps["take_up_due_at"]),
        _time_strings(stamps["verify_due_at"]),
        repeat("0", size),  # seen_count
        _time_strings(rows.created_us[part]),
        repeat(rows.now.astimezone(dt.UTC).isoformat(), size),  # updated_at
    )
    return "".join(line + "\n" for line in map("\t".join, zip(*columns, strict=True)))


_REPORT_COLUMNS = (
    "id, tracking_code, category_id, location, public_location, area_id, "
    "area_boundary_id, assigned_officer_id, assigned_unit_id, status, description, "
    "reporter_email, client_hash, referred_to, taken_up_at, verified_at, closed_at, "
    "take_up_due_at, verify_due_at, seen_count, created_at, updated_at"
)


def _copy_postgresql(rows: _Rows) -> np.ndarray:
    """COPY the reports and their events. Ids come from the sequence first, so the events can
    point at their reports without reading anything back. Chunks go through psycopg's queued
    writer: its thread sends one chunk while this one formats the next."""
    from psycopg.copy import QueuedLibpqWriter

    count = len(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('reports_report', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        ids = np.fromiter((r[0] for r in cursor.fetchall()), dtype=np.int64, count=count)
        times = rows.stamps()
        times["take_up_due_at"], times["verify_due_at"] = rows.dues()
        _lock_referenced_rows(cursor, rows)
        set_based = _set_based_keys(cursor)
        raw = cursor.connection  # the psycopg connection, for COPY
        with raw.cursor() as pg:
            sql = f"COPY reports_report ({_REPORT_COLUMNS}) FROM STDIN"
            with pg.copy(sql, writer=QueuedLibpqWriter(pg)) as copy:
                for start in range(0, count, _CHUNK):
                    copy.write(_report_lines(rows, ids, times, start, min(start + _CHUNK, count)))
            sql = (
                "COPY reports_reportevent (report_id, at, action, from_status, to_status, note, "
                "photo, is_public) FROM STDIN"
            )
            events = _events(rows, ids, times)
            with pg.copy(sql, writer=QueuedLibpqWriter(pg)) as copy:
                for start in range(0, len(events), _CHUNK * 2):
                    part = slice(start, start + _CHUNK * 2)
                    columns = (
                        map(str, events.report_ids[part].tolist()),
                        _time_strings(events.at_us[part]),
                        events.actions[part].tolist(),
                        events.from_status[part].tolist(),
                        events.to_status[part].tolist(),
                    )
                    copy.write(
                        "".join(
                            "\t".join(line) + "\t\t\tt\n"  # note, photo: empty; public
                            for line in zip(*columns, strict=True)
                        )
                    )
        if set_based:
            cursor.execute("SET LOCAL session_replication_role = origin")
    return ids


def _lock_referenced_rows(cursor: Any, rows: _Rows) -> None:
    """Lock every row the reports refer to FOR KEY SHARE, as the foreign-key triggers would,
    but once per referenced row instead of once per report and key; refuse if one is gone.

    Held to the end of the transaction, the locks keep each of these rows (and its key) in
    place: with them the set-based COPY gives the same guarantee as the per-row checks.
    """
    references = (
        (Category, rows.category_ids),
        (Area, rows.area_ids),
        (AreaBoundary, rows.versions),
        (Officer, rows.officers),
        (Unit, rows.units),
    )
    for model, values in references:
        wanted = np.unique(values[values >= 0]).tolist()
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) FOR KEY SHARE", [wanted])
        if len(cursor.fetchall()) != len(wanted):
            raise ApplicationError(
                _(
                    "An area, officer, unit or category changed during the import. Nothing "
                    "was imported; run it again."
                )
            )


def _set_based_keys(cursor: Any) -> bool:
    """Turn off the per-row foreign-key triggers of the two COPY targets for this transaction,
    when the database role may (superuser, or `GRANT SET ON PARAMETER
    session_replication_role`) and the tables have no triggers of their own.

    Replica mode skips every ordinary trigger, so it is refused as soon as a table carries one.
    Without the privilege the import still works, checking each row's keys at commit.
    """
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY(ARRAY[%s, %s]::regclass[])",
        [Report._meta.db_table, ReportEvent._meta.db_table],
    )
    if cursor.fetchone()[0]:
        return False
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the transaction usable
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _datetime(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _datetime_or_none(us: int) -> dt.datetime | None:
    return None if us == _NAT else _datetime(us)


def _bulk_create(rows: _Rows) -> np.ndarray:
    stamps = rows.stamps()
    take_up_due, verify_due = rows.dues()
    reports = []
    for i in range(len(rows)):
        officer, unit, version = rows.officers[i], rows.units[i], rows.versions[i]
        reports.append(
            Report(
                tracking_code=rows.codes[i],
                category_id=int(rows.category_ids[i]),
                location=Point(float(rows.lon[i]), float(rows.lat[i]), srid=GEO_SRID),
                public_location=Point(float(rows.plon[i]), float(rows.plat[i]), srid=GEO_SRID)
                if rows.shown[i]
                else None,
                area_id=int(rows.area_ids[i]),
                area_boundary_id=int(version) if version >= 0 else None,
                assigned_officer_id=int(officer) if officer >= 0 else None,
                assigned_unit_id=int(unit) if unit >= 0 else None,
                status=str(rows.statuses[i]),
                description=rows.text[i],
                take_up_due_at=_datetime(int(take_up_due[i])),
                verify_due_at=_datetime(int(verify_due[i])),
                **{name: _datetime_or_none(int(values[i])) for name, values in stamps.items()},
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    # bulk_create leaves the creation time to auto_now_add; set the real one per report, in
    # one prepared UPDATE run for every row (bulk_update's CASE statements are far slower).
    adapt = connection.ops.adapt_datetimefield_value
    for report, created in zip(reports, rows.created_us.tolist(), strict=True):
        report.created_at = _datetime(created)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Report._meta.db_table} SET created_at = %s WHERE id = %s",
            [(adapt(r.created_at), r.pk) for r in reports],
        )
    ids = np.array([r.pk for r in reports], dtype=np.int64)
    # ReportEvent.at is auto_now_add too, so the events go in with a prepared INSERT.
    events = _events(rows, ids, {**stamps, "created_at": rows.created_us})
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {ReportEvent._meta.db_table} (report_id, at, action, from_status, "
            "to_status, note, photo, is_public) VALUES (%s, %s, %s, %s, %s, '', '', %s)",
            [
                (report_id, adapt(_datetime(at)), action, source, target, True)
                for report_id, at, action, source, target in zip(
                    events.report_ids.tolist(),
                    events.at_us.tolist(),
                    events.actions.tolist(),
                    events.from_status.tolist(),
                    events.to_status.tolist(),
                    strict=True,
                )
            ],
        )
    return ids
