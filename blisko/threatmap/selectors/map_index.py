"""The public map's cell counts from memory, and the process-wide registry that keeps them fresh.

Why: a map at zoom 6 or 10 over an oblast counts every report in view. Over a million reports
`GROUP BY floor(x / step), floor(y / step)` takes PostGIS 0.3-0.5 s (a plain count(*) of the
same rows takes ~0.15 s); the same count over numpy arrays takes ~15 ms. So the counts come
from here, and from the database (`map_sql.cells_count`, the same rules in SQL) only while
this index is being built.

What it holds, one row per report in id order (about 50 bytes a report):
- the report's cell at FINE_LEVEL (x and y, int32): from its public point, or, for a hidden
  category, from its cell at HIDDEN_MAX_LEVEL (~1.6 km), the only thing the index ever learns
  about where a hidden report is (its exact point is not read);
- its public point (float64, for the cells' mean positions; NaN when hidden);
- kind (public point / hidden / neither), status, category, area, created and "settled"
  (verified or closed) times in microseconds.
A cell of level k <= FINE_LEVEL is the fine cell shifted right by FINE_LEVEL - k bits: the
same number `floor(x / (360 / 2**k))` the SQL computes (division by a power of two is exact).

Freshness (`MapIndexRegistry`, a `blisko.core.freshness.FreshIndexRegistry`): at most every
BLISKO_INDEX_CHECK_SECONDS a token is read (last report id, last `updated_at`, last
ReportEvent id, each category's precision; three indexed look-ups). When it moved, the
reports changed since the previous token (newer id, newer `updated_at`, or named by a newer
event: every status change writes one) are read and patched into a copy of the arrays. When a
precision changed or too many rows moved, the index is rebuilt: in a background thread
(callers get None and count in the database meanwhile), or in the caller's thread when its
connection is inside a transaction (tests). Deleted reports (the admin only) and rows
committed out of order are caught by the full rebuild that runs in the background every
BLISKO_MAP_INDEX_MAX_AGE seconds (600 by default) while the old index keeps answering.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Max

from blisko.core.freshness import FreshIndexRegistry, process_cache_register
from blisko.reports.models import Category, Report, ReportEvent, Status
from blisko.threatmap.selectors.map_sql import (
    FINE_LEVEL,
    HIDDEN_MAX_LEVEL,
    CellQuery,
    CellRow,
    IndexRow,
    Since,
    index_rows,
    level_step,
)

logger = logging.getLogger(__name__)

STATUS_ORDER: tuple[str, ...] = tuple(Status.values)
_STATUS_CODE = {status: code for code, status in enumerate(STATUS_ORDER)}
_NOT_CONFIRMED = _STATUS_CODE[Status.NOT_CONFIRMED]
_FINE_STEP = level_step(FINE_LEVEL)
_HIDDEN_SHIFT = FINE_LEVEL - HIDDEN_MAX_LEVEL
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# kind: where the public map may count a report.
PUBLIC, HIDDEN, ABSENT = 0, 1, 2

# A change of more rows than this is a rebuild, not a patch.
PATCH_MAX_ROWS = 20_000


def micros(value: dt.datetime) -> int:
    """An aware datetime as whole microseconds since 1970 (UTC), exactly."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class Token:
    """What changes when the public map's data does (see the module docstring)."""

    report_id: int
    updated_at: dt.datetime | None
    event_id: int
    categories: tuple[tuple[int, str], ...]

    def since(self) -> Since:
        return Since(report_id=self.report_id, updated_at=self.updated_at, event_id=self.event_id)


def read_token() -> Token:
    """The current token: three indexed look-ups and the (short) list of categories."""
    reports = Report.objects.order_by().aggregate(last=Max("id"), saved=Max("updated_at"))
    event = ReportEvent.objects.order_by().aggregate(last=Max("id"))["last"]
    categories = tuple(Category.objects.order_by("id").values_list("id", "precision"))
    return Token(
        report_id=reports["last"] or 0,
        updated_at=reports["saved"],
        event_id=event or 0,
        categories=categories,
    )


_COLUMNS = (
    "ids",
    "fx",
    "fy",
    "px",
    "py",
    "kind",
    "status",
    "category",
    "area",
    "created",
    "nc_settled",
)
_NEVER = np.iinfo(np.int64).max


def _status_codes(values: list[str]) -> np.ndarray:
    """Status names as their codes (positions in STATUS_ORDER), vectorised."""
    names = np.array(values, dtype=f"<U{max(map(len, STATUS_ORDER))}")
    order = np.argsort(STATUS_ORDER)
    ranked = np.array(STATUS_ORDER)[order]
    found = np.searchsorted(ranked, names)
    if len(names) and not (ranked[np.minimum(found, len(ranked) - 1)] == names).all():
        raise ValueError("a report has a status the map does not know")
    return order[found].astype(np.int8) if len(names) else np.zeros(0, dtype=np.int8)


def _columns(batches: Iterable[list[IndexRow]], *, limit: int | None = None) -> dict | None:
    """numpy columns from `map_sql.index_rows` batches; None when more than `limit` rows."""
    raw: list[list] = [[] for _ in range(11)]
    count = 0
    for rows in batches:
        count += len(rows)
        if limit is not None and count > limit:
            return None
        for values, column in zip(raw, zip(*rows, strict=True), strict=True):
            values.extend(column)
    ids = np.array(raw[0], dtype=np.int64)
    px = np.array(raw[1], dtype=np.float64)  # None (hidden, or no public point) → NaN
    py = np.array(raw[2], dtype=np.float64)
    hidden = np.array(raw[5], dtype=bool)
    kind = np.full(len(ids), ABSENT, dtype=np.int8)
    kind[hidden] = HIDDEN
    public = ~hidden & ~np.isnan(px) & ~np.isnan(py)
    kind[public] = PUBLIC
    fx = np.zeros(len(ids), dtype=np.int32)
    fy = np.zeros(len(ids), dtype=np.int32)
    fx[public] = np.floor(px[public] / _FINE_STEP).astype(np.int32)
    fy[public] = np.floor(py[public] / _FINE_STEP).astype(np.int32)
    hx = np.nan_to_num(np.array(raw[3], dtype=np.float64)).astype(np.int64)
    hy = np.nan_to_num(np.array(raw[4], dtype=np.float64)).astype(np.int64)
    fx[hidden] = (hx[hidden] << _HIDDEN_SHIFT).astype(np.int32)
    fy[hidden] = (hy[hidden] << _HIDDEN_SHIFT).astype(np.int32)
    px[~public] = np.nan
    py[~public] = np.nan
    status = _status_codes(raw[6])
    settled = np.array(raw[10], dtype=np.int64)
    return {
        "ids": ids,
        "fx": fx,
        "fy": fy,
        "px": px,
        "py": py,
        "kind": kind,
        "status": status,
        "category": np.array(raw[7], dtype=np.int32),
        "area": np.array(raw[8], dtype=np.int64),
        "created": np.array(raw[9], dtype=np.int64),
        # When a not-confirmed report was settled; never for the others, so the public rule
        # is one comparison with the cut-off.
        "nc_settled": np.where(status == _NOT_CONFIRMED, settled, _NEVER),
    }


class MapIndex:
    """The public map's rows in memory (see the module docstring). Read-only once built:
    a change makes a patched copy (`patched`), so readers never see half a change."""

    __slots__ = ("token", "columns")

    def __init__(self, *, token: Token, columns: dict[str, np.ndarray]):
        self.token = token
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns["ids"])

    @classmethod
    def build(cls, *, token: Token, batches: Iterable[list[IndexRow]]) -> MapIndex:
        columns = _columns(batches)
        assert columns is not None
        return cls(token=token, columns=columns)

    def patched(self, *, token: Token, batches: Iterable[list[IndexRow]]) -> MapIndex | None:
        """A copy with the changed rows replaced or added; None when more than
        PATCH_MAX_ROWS changed (rebuild instead)."""
        change = _columns(batches, limit=PATCH_MAX_ROWS)
        if change is None:
            return None
        old = self.columns
        ids = old["ids"]
        pos = np.searchsorted(ids, change["ids"])
        known = pos < len(ids)
        known[known] = ids[pos[known]] == change["ids"][known]
        columns = {}
        for name in _COLUMNS:
            column = old[name].copy()
            column[pos[known]] = change[name][known]
            columns[name] = np.concatenate([column, change[name][~known]])
        added = change["ids"][~known]
        if len(added) and len(ids) and added[0] < ids[-1]:  # an older id committed late
            order = np.argsort(columns["ids"], kind="stable")
            columns = {name: column[order] for name, column in columns.items()}
        return MapIndex(token=token, columns=columns)

    def count_cells(self, query: CellQuery) -> list[CellRow]:
        """The same rows as `map_sql.cells_count(query)`: per (cell, status) the count, the
        sums of the public points' coordinates and their number.

        One pass of comparisons and table look-ups over the whole arrays builds the mask
        (no np.isin: a boolean table indexed by the code is several times faster), then only
        the rows kept are gathered and counted with np.bincount.
        """
        c = self.columns
        shift = FINE_LEVEL - query.level
        fx, fy, kind = c["fx"], c["fy"], c["kind"]
        mask = fx >= query.cx0 << shift
        mask &= fx <= ((query.cx1 + 1) << shift) - 1
        mask &= fy >= query.cy0 << shift
        mask &= fy <= ((query.cy1 + 1) << shift) - 1
        if query.with_hidden and query.level <= HIDDEN_MAX_LEVEL:
            mask &= kind != ABSENT
        else:
            mask &= kind == PUBLIC
        self._filter(mask, query)
        rows = np.flatnonzero(mask)
        width = query.cx1 - query.cx0 + 1
        statuses = len(STATUS_ORDER)
        size = width * (query.cy1 - query.cy0 + 1) * statuses
        key = (fy[rows] >> shift) - query.cy0
        key *= width
        key += (fx[rows] >> shift) - query.cx0
        key *= statuses
        key += c["status"][rows]
        counts = np.bincount(key, minlength=size)
        public = kind[rows] == PUBLIC
        if not public.all():
            key, rows = key[public], rows[public]
        sx = np.bincount(key, weights=c["px"][rows], minlength=size)
        sy = np.bincount(key, weights=c["py"][rows], minlength=size)
        npub = np.bincount(key, minlength=size)
        out: list[CellRow] = []
        for k in np.flatnonzero(counts).tolist():
            cell_no, code = divmod(k, statuses)
            cy, cx = divmod(cell_no, width)
            n_public = int(npub[k])
            out.append(
                (
                    cx + query.cx0,
                    cy + query.cy0,
                    STATUS_ORDER[code],
                    int(counts[k]),
                    float(sx[k]) if n_public else None,
                    float(sy[k]) if n_public else None,
                    n_public,
                )
            )
        return out

    def count_points(self, query: CellQuery, bbox: tuple[float, float, float, float]) -> int:
        """How many public points lie in `bbox` (edges included) under `query`'s filters: the
        number of rows `public._points` would read (hidden reports are never points)."""
        c = self.columns
        west, south, east, north = bbox
        px, py = c["px"], c["py"]
        mask = px >= west  # NaN (no public point) compares False
        mask &= px <= east
        mask &= py >= south
        mask &= py <= north
        mask &= c["kind"] == PUBLIC
        self._filter(mask, query)
        return int(np.count_nonzero(mask))

    def _filter(self, mask: np.ndarray, query: CellQuery) -> None:
        """Narrow `mask` (in place) by the query's statuses, filters and the public rule."""
        c = self.columns
        mask &= _table([_STATUS_CODE[s] for s in query.statuses], c["status"])
        if query.not_confirmed_cutoff is not None:
            mask &= c["nc_settled"] >= micros(query.not_confirmed_cutoff)
        if query.category_ids:
            mask &= _table(query.category_ids, c["category"])
        if query.area_ids:
            mask &= _table(query.area_ids, c["area"])
        if query.created_from is not None:
            mask &= c["created"] >= micros(query.created_from)
        if query.created_before is not None:
            mask &= c["created"] < micros(query.created_before)


def _table(codes: Iterable[int], column: np.ndarray) -> np.ndarray:
    """`np.isin(column, codes)` for small non-negative codes: a boolean table indexed by
    the column (ids beyond the table are not in it)."""
    codes = np.asarray(list(codes), dtype=np.int64)
    top = int(codes.max()) + 1 if len(codes) else 1
    if top > 1 << 24:  # ids too large for a table: let numpy sort
        return np.isin(column, codes)
    table = np.zeros(top + 1, dtype=bool)
    table[codes] = True
    return table[np.minimum(column, top)]


class MapIndexRegistry(FreshIndexRegistry[MapIndex, Token]):
    """Holds this process's `MapIndex` and keeps it fresh (see the module docstring and
    `blisko.core.freshness`): changed rows are patched in, and a full rebuild runs every
    BLISKO_MAP_INDEX_MAX_AGE seconds to forget deleted ones."""

    label = "map index"

    def read_token(self) -> Token:
        return read_token()

    def token_of(self, value: MapIndex) -> Token:
        return value.token

    def max_age(self) -> float:
        return float(getattr(settings, "BLISKO_MAP_INDEX_MAX_AGE", 600))

    def updated(self, value: MapIndex, token: Token) -> MapIndex | None:
        """The rows changed since `value`'s token patched in; None (rebuild) when a
        category's precision changed or too many rows did."""
        if value.token.categories != token.categories:
            return None
        return value.patched(token=token, batches=index_rows(since=value.token.since()))

    def build(self) -> MapIndex:
        """Read the token first, then the rows: rows newer than the token cost one more
        patch, while the reverse would hide a change."""
        started = time.perf_counter()
        token = read_token()
        index = MapIndex.build(token=token, batches=index_rows())
        logger.info(
            "Map index built in %.2f s: %d reports", time.perf_counter() - started, len(index)
        )
        return index


_registry = MapIndexRegistry()


def map_index_current() -> MapIndex | None:
    """This process's map index if it is fresh, else None (count in the database)."""
    return _registry.current()


def map_index_rebuild() -> MapIndex:
    """Build the map index now, in this thread, and make it current."""
    return _registry.rebuild()


def map_index_clear() -> None:
    """Drop this process's map index (tests: each starts without one)."""
    _registry.wait_idle()
    _registry.clear()


process_cache_register("map index", map_index_clear)


def map_index_wait_idle(timeout: float = 60.0) -> None:
    """Wait for a background build of this process's map index to finish."""
    _registry.wait_idle(timeout)
