"""Bulk import of reports (statistics, migrations from another system, the demo, benchmarks).

Each report is routed as `report_submit` routes one — finest area holding the point, the
boundary version in force, the officer of that area whose role fits the category — but for a
million points at once: the area comes from the in-memory index's vectorised lookup, and the
routing is computed once per (area, verifier role) by `report_route` itself, so the rules live
in one place. On PostgreSQL the rows go in with COPY; elsewhere with bulk_create.
"""

import datetime as dt
import io
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.reports.models import Category, Precision, Report, ReportEvent, Status
from blisko.territories.index import IndexSnapshot, current_index, index_rebuild
from blisko.territories.models import Level

# Unambiguous letters and digits (no 0/O, 1/I/L): codes read aloud over the phone survive.
CODE_ALPHABET = np.array(list("23456789ABCDEFGHJKMNPQRSTUVWXYZ"))
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
    letters = CODE_ALPHABET[raw % len(CODE_ALPHABET)]
    joined = ["".join(row) for row in letters]
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in joined]


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
) -> BulkImportResult:
    """Import many reports at once, each routed like a submitted one. Atomic.

    Points outside every territory are skipped and counted. `created_at` defaults to now;
    `statuses` to submitted (the status timestamps are set as if the moves happened on the
    creation day). Each report gets one public event recording its import. The returned
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
    take_up = dt.timedelta(days=settings.BLISKO_REPORT_TAKE_UP_DAYS)
    verify = dt.timedelta(days=settings.BLISKO_REPORT_VERIFY_DAYS)
    rows = _Rows(
        codes=tracking_codes(count),
        category_ids=[categories[c].pk for c in codes.tolist()],
        lon=lon,
        lat=lat,
        plon=plon,
        plat=plat,
        shown=shown,
        area_ids=area_ids.tolist(),
        versions=[snapshot.versions.get(a) for a in area_ids.tolist()],
        routes=[routes[(a, r)] for a, r in zip(area_ids.tolist(), roles.tolist(), strict=True)],
        statuses=status_arr.tolist(),
        created=created.tolist(),
        text=text.tolist(),
        take_up=take_up,
        verify=verify,
        now=now,
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


@dataclass
class _Rows:
    codes: list[str]
    category_ids: list[int]
    lon: np.ndarray
    lat: np.ndarray
    plon: np.ndarray
    plat: np.ndarray
    shown: np.ndarray
    area_ids: list[int]
    versions: list[int | None]
    routes: list[tuple[int | None, int | None]]
    statuses: list[str]
    created: list[dt.datetime]
    text: list[str]
    take_up: dt.timedelta
    verify: dt.timedelta
    now: dt.datetime

    def stamps(self, i: int) -> dict[str, dt.datetime | None]:
        """taken_up_at / verified_at / closed_at as if each move came a day apart."""
        created = self.created[i]
        out: dict[str, dt.datetime | None] = {
            "taken_up_at": None,
            "verified_at": None,
            "closed_at": None,
        }
        for step, name in enumerate(_STATUS_STAMPS[Status(self.statuses[i])], start=1):
            out[name] = min(created + dt.timedelta(hours=20 * step), self.now)
        return out


def _copy_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _copy_postgresql(rows: _Rows) -> np.ndarray:
    """COPY the reports and their events; ids come from the sequence first, so the events can
    point at their reports without reading anything back."""
    count = len(rows.codes)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('reports_report', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        ids = np.fromiter((r[0] for r in cursor.fetchall()), dtype=np.int64, count=count)
        columns = (
            "id, tracking_code, category_id, location, public_location, area_id, "
            "area_boundary_id, assigned_officer_id, assigned_unit_id, status, description, "
            "reporter_email, client_hash, referred_to, taken_up_at, verified_at, closed_at, "
            "take_up_due_at, verify_due_at, seen_count, created_at, updated_at"
        )
        raw = cursor.connection  # the psycopg connection, for COPY
        with raw.cursor() as pg, pg.copy(f"COPY reports_report ({columns}) FROM STDIN") as copy:
            buffer = io.StringIO()
            # Plain floats: numpy scalars would print as "np.float64(…)".
            lon, lat = rows.lon.tolist(), rows.lat.tolist()
            plon, plat, shown = rows.plon.tolist(), rows.plat.tolist(), rows.shown.tolist()
            for i in range(count):
                created = rows.created[i]
                stamps = rows.stamps(i)
                officer, unit = rows.routes[i]
                public = f"SRID={GEO_SRID};POINT({plon[i]!r} {plat[i]!r})" if shown[i] else "\\N"
                version = rows.versions[i]
                buffer.write(
                    f"{ids[i]}\t{rows.codes[i]}\t{rows.category_ids[i]}\t"
                    f"SRID={GEO_SRID};POINT({lon[i]!r} {lat[i]!r})\t{public}\t"
                    f"{rows.area_ids[i]}\t{_nullable(version)}\t"
                    f"{_nullable(officer)}\t"
                    f"{_nullable(unit)}\t{rows.statuses[i]}\t"
                    f"{_copy_escape(rows.text[i])}\t\t\t\t"
                    f"{_ts(stamps['taken_up_at'])}\t{_ts(stamps['verified_at'])}\t"
                    f"{_ts(stamps['closed_at'])}\t{_ts(created + rows.take_up)}\t"
                    f"{_ts(created + rows.verify)}\t0\t{_ts(created)}\t{_ts(rows.now)}\n"
                )
                if i % 50_000 == 49_999:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        with (
            raw.cursor() as pg,
            pg.copy(
                "COPY reports_reportevent (report_id, at, action, from_status, to_status, note, "
                "photo, is_public) FROM STDIN"
            ) as copy,
        ):
            buffer = io.StringIO()
            for i in range(count):
                buffer.write(f"{ids[i]}\t{_ts(rows.now)}\timported\t\t{rows.statuses[i]}\t\t\tt\n")
                if i % 100_000 == 99_999:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
    return ids


def _nullable(value: int | None) -> str:
    return "\\N" if value is None else str(value)


def _ts(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else "\\N"


def _bulk_create(rows: _Rows) -> np.ndarray:
    reports = []
    for i in range(len(rows.codes)):
        officer, unit = rows.routes[i]
        created = rows.created[i]
        reports.append(
            Report(
                tracking_code=rows.codes[i],
                category_id=rows.category_ids[i],
                location=Point(float(rows.lon[i]), float(rows.lat[i]), srid=GEO_SRID),
                public_location=Point(float(rows.plon[i]), float(rows.plat[i]), srid=GEO_SRID)
                if rows.shown[i]
                else None,
                area_id=rows.area_ids[i],
                area_boundary_id=rows.versions[i],
                assigned_officer_id=officer,
                assigned_unit_id=unit,
                status=rows.statuses[i],
                description=rows.text[i],
                take_up_due_at=created + rows.take_up,
                verify_due_at=created + rows.verify,
                **rows.stamps(i),
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    # bulk_create leaves the creation time to auto_now_add; set the real one per report.
    for report, created in zip(reports, rows.created, strict=True):
        report.created_at = created
    Report.objects.bulk_update(reports, ["created_at"], batch_size=500)
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(report=r, action="imported", to_status=r.status, is_public=True)
            for r in reports
        ],
        batch_size=1000,
    )
    return np.array([r.pk for r in reports], dtype=np.int64)
