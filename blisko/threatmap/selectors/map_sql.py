"""The raw SQL of the public map: grid cells counted in the database, and the rows the map's
in-memory index loads. Both run on PostGIS and on SpatiaLite.

Why raw SQL, here and nowhere else in the map:
- Cells are `floor(ST_X(point) / step)`: the ORM has no ST_X/ST_Y, and grouping by computed
  expressions through `values().annotate()` hides the one thing a reader must check, which
  coordinate each category is counted by.
- The index loader reads every report (a million in the benchmark): model instances, or even
  the ORM's per-value converters, would cost seconds more than plain tuples, and the
  timestamps come back as whole microseconds computed by the database (exact, no parsing).

Privacy, enforced in the SQL itself: the exact `location` is read only for hidden categories,
and only inside `floor(... / step)` at a cell size of at least `HIDDEN_MIN_STEP` (~1.6 km):
what leaves the database for a hidden report is the number of a cell that large, never a
coordinate. Reduced and exact categories are counted by their `public_location`.

Parameters are passed with `%s` (Django converts them for SQLite); a literal percent sign
is written `%%`. Datetimes go through `connection.ops.adapt_datetimefield_value`, since
SpatiaLite stores them as UTC text and compares them as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from blisko.reports.models import Category, Precision, Report, ReportEvent, Status

# Cells of the grid at level k are 360 / 2**k degrees square (k = zoom + 2: about 64 pixels).
# Every level splits the cells of the one above in four, so any cell lies in exactly one cell
# of each coarser level. The finest level the index keeps:
FINE_LEVEL = 22
# Hidden categories are counted in cells of this level or coarser only: 360 / 2**14 degrees
# is 0.022°, about 1.6 km east-west and 2.4 km north-south in Ukraine and Poland.
HIDDEN_MAX_LEVEL = 14
HIDDEN_MIN_STEP = 360.0 / (1 << HIDDEN_MAX_LEVEL)

_HIDDEN = Precision.HIDDEN.value
_NOT_CONFIRMED = Status.NOT_CONFIRMED.value


def level_step(level: int) -> float:
    """The side of a cell of `level`, in degrees (exact in binary: 45 * 2**(3 - level))."""
    return 360.0 / (1 << level)


@dataclass(frozen=True)
class CellQuery:
    """What to count: the cells [cx0, cx1] x [cy0, cy1] of `level`, and the filters.

    `statuses` and the other tuples are never empty when given (empty means no filter, and
    `statuses` always lists the public statuses). Times are aware datetimes.
    """

    level: int
    cx0: int
    cx1: int
    cy0: int
    cy1: int
    statuses: tuple[str, ...]
    category_ids: tuple[int, ...] = ()
    area_ids: tuple[int, ...] = ()
    created_from: dt.datetime | None = None
    created_before: dt.datetime | None = None
    not_confirmed_cutoff: dt.datetime | None = None
    with_hidden: bool = False


# A row of cell counts: (cx, cy, status, count, sum of public x, sum of public y, number of
# public points); the sums are None when the cell's reports of that status are all hidden.
CellRow = tuple[int, int, str, int, float | None, float | None, int]


def _tables() -> dict[str, str]:
    return {
        "report": Report._meta.db_table,
        "category": Category._meta.db_table,
        "event": ReportEvent._meta.db_table,
    }


def _ts(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _in(column: str, values: Sequence[Any], params: list[Any]) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _filters(query: CellQuery, params: list[Any]) -> list[str]:
    """The WHERE conditions every public count shares (the public map's rules)."""
    conditions = [_in("r.status", query.statuses, params)]
    if query.category_ids:
        conditions.append(_in("r.category_id", query.category_ids, params))
    if query.area_ids:
        conditions.append(_in("r.area_id", query.area_ids, params))
    if query.created_from is not None:
        conditions.append("r.created_at >= %s")
        params.append(_ts(query.created_from))
    if query.created_before is not None:
        conditions.append("r.created_at < %s")
        params.append(_ts(query.created_before))
    if query.not_confirmed_cutoff is not None:
        # Not confirmed reports leave the public map some days after they were verified.
        conditions.append(
            "NOT (r.status = %s AND COALESCE(r.verified_at, r.closed_at, r.created_at) < %s)"
        )
        params.extend([_NOT_CONFIRMED, _ts(query.not_confirmed_cutoff)])
    return conditions


def cells_count(query: CellQuery) -> list[CellRow]:
    """Count the reports of each (cell, status) in the database.

    Returns rows (cx, cy, status, count, sum of public x, sum of public y, number of public
    points), ordered by cy, cx, status. Hidden reports add to `count` only (and only when
    `query.with_hidden` and the level is at most HIDDEN_MAX_LEVEL).
    """
    step = level_step(query.level)
    hidden = query.with_hidden and query.level <= HIDDEN_MAX_LEVEL
    params: list[Any] = []
    # The viewport, widened to whole cells.
    x0, x1 = query.cx0 * step, (query.cx1 + 1) * step
    y0, y1 = query.cy0 * step, (query.cy1 + 1) * step
    if connection.vendor == "postgresql":
        # PostGIS: `&&` (bounding boxes intersect) lets the GiST index of each point column
        # pick the viewport's rows (a BitmapOr of the two indexes) before floor() runs.
        # SpatiaLite uses its R*Tree only through the SpatialIndex table, which is not worth
        # it for the small databases it serves: there the outer floor() test selects.
        envelope = "ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
        public_box = f" AND r.public_location && {envelope}"
        hidden_box = f" AND r.location && {envelope}"
    else:
        public_box = hidden_box = ""
    public = f"(c.precision <> %s AND r.public_location IS NOT NULL{public_box})"
    params.append(_HIDDEN)
    if public_box:
        params.extend([x0, y0, x1, y1])
    if hidden:
        which = f"({public} OR (c.precision = %s{hidden_box}))"
        params.append(_HIDDEN)
        if hidden_box:
            params.extend([x0, y0, x1, y1])
    else:
        which = public
    conditions = [which, *_filters(query, params)]
    # The point a report is counted at: its public point, or (hidden) its exact point, which
    # is used inside floor() only and never selected. `px`/`py` (public points only) give
    # each cell the mean position of what the public may see.
    sql = f"""
        SELECT cx, cy, status, COUNT(*), SUM(px), SUM(py), COUNT(px)
        FROM (
            SELECT
                floor(CASE WHEN c.precision = %s THEN ST_X(r.location)
                           ELSE ST_X(r.public_location) END / %s) AS cx,
                floor(CASE WHEN c.precision = %s THEN ST_Y(r.location)
                           ELSE ST_Y(r.public_location) END / %s) AS cy,
                r.status AS status,
                CASE WHEN c.precision = %s THEN NULL ELSE ST_X(r.public_location) END AS px,
                CASE WHEN c.precision = %s THEN NULL ELSE ST_Y(r.public_location) END AS py
            FROM {_tables()["report"]} r
            JOIN {_tables()["category"]} c ON c.id = r.category_id
            WHERE {" AND ".join(conditions)}
        ) AS counted
        WHERE cx >= %s AND cx <= %s AND cy >= %s AND cy <= %s
        GROUP BY cx, cy, status
        ORDER BY cy, cx, status
    """
    head: list[Any] = [_HIDDEN, step, _HIDDEN, step, _HIDDEN, _HIDDEN]
    tail = [query.cx0, query.cx1, query.cy0, query.cy1]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *params, *tail])
        return [
            (int(cx), int(cy), status, int(n), sx, sy, int(npub))
            for cx, cy, status, n, sx, sy, npub in cursor.fetchall()
        ]


@contextmanager
def serial_plan() -> Iterator[None]:
    """Run the enclosed queries without parallel workers (PostgreSQL; nothing elsewhere).

    Planner problem: for a viewport of a few hundred points PostgreSQL picks a parallel
    bitmap heap scan; starting the worker costs ~30 ms while the scan itself takes ~2 ms.
    `SET LOCAL` lasts until the end of the transaction opened here.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def _micros(column: str) -> str:
    """A timestamp column as whole microseconds since 1970 (UTC), computed by the database."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"
    # SpatiaLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: seconds from strftime, and the
    # six digits after the dot (or the appended ".000000" when there are none).
    return (
        f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000000"
        f" + CAST(substr({column} || '.000000', 21, 6) AS INTEGER))"
    )


@dataclass(frozen=True)
class Since:
    """Rows changed after a token: a newer id, a newer `updated_at`, or a newer event."""

    report_id: int
    updated_at: dt.datetime | None
    event_id: int


IndexRow = tuple[
    int, float | None, float | None, int | None, int | None, int, str, int, int, int, int
]


def index_rows(*, since: Since | None = None, batch: int = 50_000) -> Iterator[list[IndexRow]]:
    """The map index's rows, by id, in batches: every report, or those changed `since`.

    Each row: (id, public x, public y, hidden cell x, hidden cell y, is hidden, status,
    category id, area id, created µs, settled µs). A hidden report has no public point here,
    only its cell at HIDDEN_MAX_LEVEL; the others have no hidden cell. "Settled" is when a
    closed report was verified or closed (for the not-confirmed rule).
    """
    tables = _tables()
    params: list[Any] = [
        *(_HIDDEN, _HIDDEN),
        *(_HIDDEN, HIDDEN_MIN_STEP, _HIDDEN, HIDDEN_MIN_STEP),
        _HIDDEN,
    ]
    where = ""
    if since is not None:
        # The three columns are indexed: the primary keys, and report_updated_idx.
        where = (
            f"WHERE r.id > %s OR r.id IN (SELECT e.report_id FROM {tables['event']} e"
            " WHERE e.id > %s)"
        )
        params.extend([since.report_id, since.event_id])
        if since.updated_at is not None:
            where += " OR r.updated_at > %s"
            params.append(_ts(since.updated_at))
    sql = f"""
        SELECT
            r.id,
            CASE WHEN c.precision = %s THEN NULL ELSE ST_X(r.public_location) END,
            CASE WHEN c.precision = %s THEN NULL ELSE ST_Y(r.public_location) END,
            CASE WHEN c.precision = %s THEN floor(ST_X(r.location) / %s) END,
            CASE WHEN c.precision = %s THEN floor(ST_Y(r.location) / %s) END,
            CASE WHEN c.precision = %s THEN 1 ELSE 0 END,
            r.status, r.category_id, r.area_id,
            {_micros("r.created_at")},
            {_micros("COALESCE(r.verified_at, r.closed_at, r.created_at)")}
        FROM {tables["report"]} r
        JOIN {tables["category"]} c ON c.id = r.category_id
        {where}
        ORDER BY r.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                return
            yield rows
