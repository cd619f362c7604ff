"""Point → area lookup in memory, and the process-wide registry that keeps it fresh.

Why: "which area is this point in" is on the hot path of every "find my officer" request;
one spatial query per request costs the database far more than an arithmetic look-up.

How (`LevelIndex`, one per level, since areas of one level tile the land):

- A flat grid (numpy int32) covers the bounding box of the level's polygons, with square cells
  chosen so the grid has at most `max_cells` cells (about 1M: 4 MB).
- Boundary cells are those the polygons' rings pass through: the rings are cut into pieces
  shorter than half a cell, and each piece marks the cells its bounding box touches, widened
  by a millionth of a cell so that rounding in the look-up arithmetic can never put a point in
  a cell the marking missed. A boundary cell holds the number of a small set of candidate
  polygons (those whose ring passes through it, or that hold its centre), in code order; sets
  are shared by many cells.
- Any other cell lies in a run of such cells along its row that no ring crosses, so every
  point of the run lies in the same polygons: those holding the centre of its first cell,
  asked once per run (GEOS, prepared polygons). The run's cells hold that polygon's number, or
  -1 for none.
- A look-up computes the cell number, reads the grid, and is done for interior and empty cells
  (most of them); in a boundary cell it asks GEOS whether each candidate intersects the point
  (prepared geometry, `intersects_xy`), usually one or two calls.

Exactness: the answer is the one `ST_Intersects(boundary, point)` gives. Two cases are
ambiguous by nature and documented rather than hidden:
- a point exactly on the border shared by two areas lies in both; `lookup` returns the first
  in code order, `lookup_all` both;
- where the source data lets two areas of one level overlap (slivers from rounded coordinates),
  the same rule applies: `lookup_all` returns every area the database would, `lookup` the first.

`current_index()` returns an `IndexSnapshot` (index + Area objects) built from the boundary
versions in force today, or None while the database has changed and the index is being rebuilt:
the caller then asks the database, which is correct at once. See `IndexRegistry`.

Why one module of over 400 lines: the area index is one data structure (grid cells over
prepared polygons) with the registry that keeps it fresh; split, each half would be read
only with the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import lib as _shapely_lib

from blisko.core.freshness import FreshIndexRegistry, process_cache_register
from blisko.core.periods import valid_on

if TYPE_CHECKING:
    from blisko.territories.models import Area

logger = logging.getLogger(__name__)

# About 1M cells per level: 4 MB of int32. On the 1,470 Ukrainian hromadas, 4M cells gains
# about 15 % in look-ups for twice the build time and four times the memory.
DEFAULT_MAX_CELLS = 1 << 20
# Ring pieces mark cells widened by this fraction of a cell (see the module docstring).
_MARGIN = 1e-6

_intersects_xy = _shapely_lib.intersects_xy


class LevelIndex:
    """Point → polygon number (position in `geometries`) for polygons of one level.

    Build: `LevelIndex(geometries)`. Positions are those of the input sequence; put the
    polygons in the order ties should resolve in (Blisko uses the areas' codes).
    """

    __slots__ = (
        "geometries",
        "x0",
        "y0",
        "cell",
        "nx",
        "ny",
        "grid",
        "boundary_cells",
        "build_seconds",
        "_inv",
        "_cells",
        "_sets",
        "_set_start",
        "_set_members",
    )

    def __init__(self, geometries: Sequence[Any], *, max_cells: int = DEFAULT_MAX_CELLS):
        started = time.perf_counter()
        geoms = np.empty(len(geometries), dtype=object)
        geoms[:] = list(geometries)
        if len(geoms) and not shapely.is_valid_input(geoms).all():
            raise ValueError("LevelIndex takes shapely geometries")
        self.geometries = geoms
        shapely.prepare(geoms)
        self.boundary_cells = 0
        self._sets: list[tuple[tuple[Any, int], ...]] = []
        if len(geoms) == 0 or shapely.is_empty(geoms).all():
            self.x0 = self.y0 = 0.0
            self.cell, self.nx, self.ny = 1.0, 0, 0
            self.grid = np.full(0, -1, dtype=np.int32)
        else:
            self._build(max_cells)
        self._inv = 1.0 / self.cell
        # memoryview indexing returns a plain int, several times faster than numpy's scalars.
        self._cells = memoryview(self.grid)  # type: ignore[arg-type]
        self._set_start = np.zeros(len(self._sets) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in self._sets], out=self._set_start[1:])
        self._set_members = np.array([p for s in self._sets for _g, p in s], dtype=np.int64)
        self.build_seconds = time.perf_counter() - started

    # --- build ---------------------------------------------------------------------------

    def _build(self, max_cells: int) -> None:
        geoms = self.geometries
        minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms))
        width, height = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
        cell = math.sqrt(width * height / max(int(max_cells), 64))
        while True:
            # Spare cells, so that a point on the far edges (plus the margin) is inside.
            nx, ny = math.floor(width / cell) + 2, math.floor(height / cell) + 2
            if nx * ny <= max_cells * 1.1:
                break
            cell *= 1.02
        self.x0, self.y0, self.cell, self.nx, self.ny = minx, miny, cell, nx, ny
        count = len(geoms)

        # 1. Boundary cells: the cells the polygons' rings pass through. The rings are cut
        # into pieces shorter than half a cell; each piece marks the cells its bounding box
        # (widened by the margin) touches, at most 2 x 2.
        parts, part_polygon = shapely.get_parts(geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        rings = shapely.segmentize(rings, cell / 2)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        same_ring = coord_ring[1:] == coord_ring[:-1]
        start, end = coords[:-1][same_ring], coords[1:][same_ring]
        piece_polygon = part_polygon[ring_part[coord_ring[:-1][same_ring]]]
        low = (np.minimum(start, end) - (minx, miny)) / cell - _MARGIN
        high = (np.maximum(start, end) - (minx, miny)) / cell + _MARGIN
        i0, j0 = np.floor(low).astype(np.int64).T
        i1, j1 = np.floor(high).astype(np.int64).T
        pairs = []  # cell * count + polygon, for each (cell, polygon) a ring passes through
        for di in (0, 1):
            for dj in (0, 1):
                ok = (i0 + di <= i1) & (j0 + dj <= j1)
                i = np.clip(i0[ok] + di, 0, nx - 1)
                j = np.clip(j0[ok] + dj, 0, ny - 1)
                keys = (j * nx + i) * count + piece_polygon[ok]
                # Consecutive pieces of a ring mostly share cells: thin out before sorting.
                pairs.append(keys[np.r_[True, keys[1:] != keys[:-1]]])
        keys = np.unique(np.concatenate(pairs))
        boundary = np.zeros(nx * ny, dtype=bool)
        boundary[keys // count] = True

        # 2. Every other cell lies in a run of such cells along its row; no ring crosses a
        # run, so every point of it lies in the same polygons: those holding the centre of
        # its first cell. Boundary cells are probed too: a polygon may cover one entirely
        # while another's ring crosses it (where the source data overlap).
        column = np.arange(nx * ny) % nx
        after_boundary = np.ones(nx * ny, dtype=bool)
        after_boundary[1:] = boundary[:-1]
        run_starts = ~boundary & ((column == 0) | after_boundary)
        first_cells = np.flatnonzero(run_starts)
        run_of_cell = np.cumsum(run_starts) - 1
        probes = np.concatenate([first_cells, np.flatnonzero(boundary)])
        px = minx + (probes % nx + 0.5) * cell
        py = miny + (probes // nx + 0.5) * cell
        probe, polygon = shapely.STRtree(geoms).query(shapely.points(px, py))
        holds = shapely.intersects_xy(geoms[polygon], px[probe], py[probe])
        probe, polygon = probe[holds], polygon[holds]
        runs = len(first_cells)
        in_run = probe < runs
        held = np.bincount(probe[in_run], minlength=runs)
        run_value = np.full(runs, -1, dtype=np.int64)
        alone = in_run & (held[np.minimum(probe, runs - 1)] == 1) if runs else in_run
        run_value[probe[alone]] = polygon[alone]
        grid = np.where(boundary, -1, run_value[run_of_cell] if runs else -1).astype(np.int32)
        extra = [probes[probe[~in_run]] * count + polygon[~in_run]]
        shared = in_run & (held[np.minimum(probe, runs - 1)] > 1) if runs else in_run
        if shared.any():  # runs inside overlapping polygons: their cells check every holder
            order = np.argsort(probe[shared], kind="stable")
            run_ids, holders = probe[shared][order], polygon[shared][order]
            cells = np.flatnonzero(~boundary & np.isin(run_of_cell, run_ids))
            lo = np.searchsorted(run_ids, run_of_cell[cells])
            n = np.searchsorted(run_ids, run_of_cell[cells], side="right") - lo
            offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
            extra.append(np.repeat(cells, n) * count + holders[np.repeat(lo, n) + offsets])
        keys = np.unique(np.concatenate([keys, *extra]))
        self._finish(grid, keys // count, keys % count)

    def _finish(self, grid: np.ndarray, pair_cell: np.ndarray, pair_polygon: np.ndarray) -> None:
        """Give every boundary cell the number of its candidate set (pairs sorted by cell,
        then polygon)."""
        cells, first, sizes = np.unique(pair_cell, return_index=True, return_counts=True)
        table = np.full((len(cells), int(sizes.max(initial=1))), -1, dtype=np.int64)
        table[
            np.repeat(np.arange(len(cells)), sizes),
            np.arange(len(pair_cell)) - np.repeat(first, sizes),
        ] = pair_polygon
        sets, set_of_cell = np.unique(table, axis=0, return_inverse=True)
        grid[cells] = -(set_of_cell.ravel() + 2)
        geoms = self.geometries
        self._sets = [tuple((geoms[p], p) for p in row if p >= 0) for row in sets.tolist()]
        self.boundary_cells = len(cells)
        self.grid = np.ascontiguousarray(grid, dtype=np.int32)

    # --- look-ups ------------------------------------------------------------------------

    def lookup(self, x: float, y: float) -> int:
        """Position of the first polygon holding (x, y), or -1."""
        i = (x - self.x0) * self._inv
        j = (y - self.y0) * self._inv
        # The chained comparisons are also False for NaN.
        if 0.0 <= i < self.nx and 0.0 <= j < self.ny:
            v = self._cells[int(j) * self.nx + int(i)]
            if v >= -1:
                return v
            for geom, position in self._sets[-v - 2]:
                if _intersects_xy(geom, x, y):
                    return position
        return -1

    def lookup_all(self, x: float, y: float) -> list[int]:
        """Positions of every polygon holding (x, y), ascending (several only on borders)."""
        i = (x - self.x0) * self._inv
        j = (y - self.y0) * self._inv
        if 0.0 <= i < self.nx and 0.0 <= j < self.ny:
            v = self._cells[int(j) * self.nx + int(i)]
            if v >= 0:
                return [v]
            if v < -1:
                return [p for geom, p in self._sets[-v - 2] if _intersects_xy(geom, x, y)]
        return []

    def lookup_many(self, xs: Any, ys: Any) -> np.ndarray:
        """Vectorised `lookup`: an int64 array of positions (-1 where no polygon holds it)."""
        xs = np.asarray(xs, dtype=np.float64)
        ys = np.asarray(ys, dtype=np.float64)
        out = np.full(xs.shape, -1, dtype=np.int64)
        if self.nx == 0:
            return out
        i = (xs - self.x0) * self._inv
        j = (ys - self.y0) * self._inv
        inside = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        where = np.flatnonzero(inside)
        values = self.grid[j[where].astype(np.int64) * self.nx + i[where].astype(np.int64)].astype(
            np.int64
        )
        out[where] = np.where(values >= -1, values, -1)
        border = values < -1
        if not border.any():
            return out
        points = where[border]
        sets = -values[border] - 2
        counts = self._set_start[sets + 1] - self._set_start[sets]
        # One row per (point, candidate), candidates in ascending order within each point.
        point_rows = np.repeat(points, counts)
        offsets = np.arange(len(point_rows)) - np.repeat(np.cumsum(counts) - counts, counts)
        candidates = self._set_members[np.repeat(self._set_start[sets], counts) + offsets]
        hits = shapely.intersects_xy(self.geometries[candidates], xs[point_rows], ys[point_rows])
        hit_points, first = np.unique(point_rows[hits], return_index=True)
        out[hit_points] = candidates[hits][first]
        return out


@dataclass(frozen=True)
class IndexEntry:
    """One polygon to index: the area's id, level and code (ties resolve in code order)."""

    area_id: int
    level: str
    code: str
    geometry: Any  # a shapely (Multi)Polygon in lon/lat


class AreaIndex:
    """Point → area ids over several levels, one `LevelIndex` per level."""

    def __init__(
        self, levels: Mapping[str, tuple[LevelIndex, Sequence[int]]], order: Sequence[str]
    ):
        """`levels`: level → (its LevelIndex, the area id at each position). Prefer `build`."""
        self.levels = [lv for lv in order if lv in levels] + [
            lv for lv in levels if lv not in order
        ]
        self._by_level = {lv: (index, tuple(ids)) for lv, (index, ids) in levels.items()}
        self._ids_array = {lv: np.asarray(ids, dtype=np.int64) for lv, (_i, ids) in levels.items()}
        self._fine_to_coarse = list(reversed(self.levels))

    @classmethod
    def build(
        cls,
        entries: Iterable[IndexEntry],
        *,
        order: Sequence[str] = (),
        max_cells: int = DEFAULT_MAX_CELLS,
    ) -> AreaIndex:
        """Index `entries`; `order` lists the levels coarse → fine."""
        grouped: dict[str, list[IndexEntry]] = {}
        for entry in entries:
            grouped.setdefault(entry.level, []).append(entry)
        levels = {}
        for level, items in grouped.items():
            items.sort(key=lambda e: (e.code, e.area_id))
            index = LevelIndex([e.geometry for e in items], max_cells=max_cells)
            levels[level] = (index, [e.area_id for e in items])
        return cls(levels, order)

    def level_index(self, level: str) -> LevelIndex | None:
        found = self._by_level.get(level)
        return found[0] if found else None

    def lookup(self, x: float, y: float, *, level: str) -> int | None:
        """Area id at `level` holding (x, y), the first in code order on a border; or None."""
        found = self._by_level.get(level)
        if found is None:
            return None
        position = found[0].lookup(x, y)
        return found[1][position] if position >= 0 else None

    def lookup_finest(self, x: float, y: float) -> int | None:
        """Area id of the finest level holding (x, y), or None."""
        for level in self._fine_to_coarse:
            index, ids = self._by_level[level]
            position = index.lookup(x, y)
            if position >= 0:
                return ids[position]
        return None

    def lookup_all(self, x: float, y: float) -> list[int]:
        """Every area id holding (x, y): levels coarse → fine, each in code order."""
        found: list[int] = []
        for level in self.levels:
            index, ids = self._by_level[level]
            found.extend(ids[p] for p in index.lookup_all(x, y))
        return found

    def lookup_many(self, xs: Any, ys: Any, *, level: str) -> np.ndarray:
        """Vectorised `lookup` at one level: area ids, -1 where none holds the point."""
        found = self._by_level.get(level)
        xs = np.asarray(xs, dtype=np.float64)
        if found is None:
            return np.full(xs.shape, -1, dtype=np.int64)
        positions = found[0].lookup_many(xs, ys)
        return np.where(positions >= 0, self._ids_array[level][positions], -1)


# --- the process-wide registry -------------------------------------------------------------


@dataclass(eq=False)
class IndexSnapshot:
    """The index for one state of the database, with the Area rows it answers with.

    `areas` holds every area valid on `day` (boundary deferred, parents linked in memory, so
    `ancestors()` makes no query). Treat the objects as read-only: they are shared.
    `memo` caches values derived from this snapshot (outlines, representative points).
    """

    token: tuple[Any, ...]
    day: dt.date
    index: AreaIndex
    areas: dict[int, Area]
    geometries: dict[int, Any]  # area id → shapely geometry in force on `day`
    versions: dict[int, int]  # area id → AreaBoundary id in force on `day`
    memo: dict[Any, Any] = field(default_factory=dict)


def read_token(day: dt.date) -> tuple[Any, ...]:
    """A cheap fingerprint of the territories tables: it changes when any area or boundary
    version is added, removed or saved (Area.updated_at), and at midnight.

    Two aggregate queries on indexed columns. Writes must go through the services (or at
    least add an AreaBoundary row or save the Area) to be noticed.
    """
    from django.db.models import Count, Max, Q

    from blisko.territories.models import Area, AreaBoundary

    areas = Area.objects.aggregate(n=Count("id"), last=Max("id"), saved=Max("updated_at"))
    versions = AreaBoundary.objects.aggregate(
        n=Count("id"),
        last=Max("id"),
        open=Count("id", filter=Q(valid_to__isnull=True)),
        start=Max("valid_from"),
        end=Max("valid_to"),
    )
    return (
        day,
        areas["n"],
        areas["last"],
        areas["saved"],
        versions["n"],
        versions["last"],
        versions["open"],
        versions["start"],
        versions["end"],
    )


def _level_key(rows: list[tuple[int, str, bytes]]) -> bytes:
    """Content address of one level's polygons: ids, codes and geometry bytes."""
    digest = hashlib.blake2b(digest_size=20)
    for area_id, code, wkb in rows:
        digest.update(f"{area_id}:{code}:{len(wkb)}:".encode())
        digest.update(wkb)
    return digest.digest()


class IndexRegistry(FreshIndexRegistry[IndexSnapshot, tuple[Any, ...]]):
    """Holds the current `IndexSnapshot` of this process and keeps it fresh.

    `current()` checks the database's token at most every `check_seconds`
    (settings.BLISKO_INDEX_CHECK_SECONDS). When the token moved, it returns None (callers ask
    the database, which is right at once) until the rebuilt snapshot is swapped in. The
    rebuild runs in a background thread, except when the calling connection is inside a
    transaction: then only that connection sees the data to index (tests run so), and the
    rebuild runs in the caller's thread. See `blisko.core.freshness`. Level indexes are cached
    by content, so a change to one level (or to area names only) rebuilds only what changed.
    Thread-safe.
    """

    label = "area index"
    _LEVEL_CACHE_SIZE = 12

    def __init__(self) -> None:
        self._level_cache: OrderedDict[tuple[str, bytes], LevelIndex] = OrderedDict()
        super().__init__()

    def read_token(self) -> tuple[Any, ...]:
        from blisko.core.clock import site_today

        return read_token(site_today())

    def token_of(self, value: IndexSnapshot) -> tuple[Any, ...]:
        return value.token

    def clear(self) -> None:
        """Forget the snapshot and cached levels (the next call rebuilds)."""
        super().clear()
        self._level_cache.clear()

    def build(self) -> IndexSnapshot:
        """Read the token first, then the data: data newer than the token only costs one
        more rebuild, while the reverse would hide a change."""
        from django.contrib.gis.db.models.functions import AsWKB

        from blisko.core.clock import site_today
        from blisko.territories.models import LEVEL_ORDER, Area, AreaBoundary

        started = time.perf_counter()
        day = site_today()
        token = read_token(day)
        rows = (
            AreaBoundary.objects.filter(valid_on(day), valid_on(day, "area__"))
            .annotate(wkb=AsWKB("boundary"))
            .values_list("id", "area_id", "area__level", "area__code", "wkb")
            .order_by("area__level", "area__code", "area_id", "-valid_from")
        )
        versions: dict[int, int] = {}
        by_level: dict[str, list[tuple[int, str, bytes]]] = {}
        for version_id, area_id, level, code, wkb in rows:
            if area_id in versions:  # a second open version cannot exist (constraint)
                continue
            versions[area_id] = version_id
            by_level.setdefault(level, []).append((area_id, code, bytes(wkb)))
        levels: dict[str, tuple[LevelIndex, list[int]]] = {}
        geometries: dict[int, Any] = {}
        for level, items in by_level.items():
            key = (level, _level_key(items))
            index = self._level_cache.get(key)
            if index is None:
                geoms = shapely.from_wkb([wkb for _id, _code, wkb in items])
                index = LevelIndex(geoms)
                self._level_cache[key] = index
                while len(self._level_cache) > self._LEVEL_CACHE_SIZE:
                    self._level_cache.popitem(last=False)
            else:
                self._level_cache.move_to_end(key)
            ids = [area_id for area_id, _code, _wkb in items]
            levels[level] = (index, ids)
            geometries.update(zip(ids, index.geometries, strict=True))
        areas = {a.pk: a for a in Area.objects.filter(valid_on(day)).defer("boundary")}
        missing = {a.parent_id for a in areas.values() if a.parent_id} - set(areas)
        while missing:  # parents no longer valid today still name their children's place
            found = {a.pk: a for a in Area.objects.filter(pk__in=list(missing)).defer("boundary")}
            areas.update(found)
            missing = {a.parent_id for a in found.values() if a.parent_id} - set(areas)
        for area in areas.values():
            if area.parent_id is not None:
                area.parent = areas[area.parent_id]
        snapshot = IndexSnapshot(
            token=token,
            day=day,
            index=AreaIndex(levels, [str(lv) for lv in LEVEL_ORDER]),
            areas=areas,
            geometries=geometries,
            versions=versions,
        )
        logger.info(
            "Area index built in %.2f s: %s",
            time.perf_counter() - started,
            ", ".join(f"{lv} {len(ids)}" for lv, (_i, ids) in levels.items()),
        )
        return snapshot


_registry = IndexRegistry()


def current_index() -> IndexSnapshot | None:
    """The process's index snapshot if it is fresh, else None (ask the database)."""
    return _registry.current()


def index_rebuild() -> IndexSnapshot:
    """Build the index now, in this thread, and make it current."""
    return _registry.rebuild()


def index_clear() -> None:
    """Drop the index of this process (for tests)."""
    _registry.wait_idle()
    _registry.clear()


process_cache_register("area index", index_clear)


def index_wait_idle(timeout: float = 60.0) -> None:
    """Wait for a background rebuild of this process's index to finish."""
    _registry.wait_idle(timeout)


def index_expire() -> None:
    """Make the next lookup compare the database token again, whatever the check interval."""
    _registry.expire()
