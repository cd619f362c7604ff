r"""Hotspots: Getis-Ord Gi* over H3 cells, with permutation and false-discovery checks.

What it computes (the rules an analyst can check, as ArcGIS Pro's Hot Spot Analysis and
PySAL's `esda.G_Local(star=True, transform="B")` state them):

- Events are counted in H3 cells of one resolution. The **study area** is every cell holding
  an event plus every cell of their k=1 rings, zero counts included, so the edge of a cluster
  is compared with the empty land around it.
- **Weights**: binary, the k=1 ring of a cell *including the cell itself* (Gi*), limited to
  the study area: w_ij = 1 for j in disk(i, 1) ∩ study, else 0. A cell's cardinality W_i is
  7 inside the study area, fewer on its edge (and around H3's 12 pentagons).
- **Gi\*** of cell i: G_i = Σ_j w_ij x_j / Σ_j x_j; under spatial randomness E[G_i] = W_i / n
  and Var[G_i] = W_i (n − W_i) / ((n − 1) n²) · s² / x̄², with x̄ and s² the mean and the
  (population) variance of the n counts; **z** = (G_i − E) / √Var, **p_value** = 2 · P(Z > |z|).
  These are esda's formulas (`G_Local.calc` with a self-weight); the tests prove the z-scores
  equal to esda's to 1e-6.
- **p_sim**, a robustness check by conditional permutation: cell i keeps its own count, and
  its W_i − 1 neighbours are replaced by W_i − 1 cells drawn at random, without replacement,
  from the other n − 1; `permutations` draws (999 by default), seeded. One-sided in the
  direction of z: extreme means a simulated neighbour sum at least the observed one when z ≥ 0,
  at most it when z < 0 (ties count as extreme, as "at least as extreme" says); p_sim =
  (extreme + 1) / (permutations + 1). esda folds to the smaller tail and counts a tie on the
  low side as not extreme; with counts (many ties at zero) its p_sim of cold cells is smaller,
  so the tests compare p_sim with esda's on the cells with z > 0.
- **q_value**: Benjamini-Hochberg over the analytic p-values (scipy); a cell is `hot` where
  q ≤ 0.05 and z > 0, `cold` where q ≤ 0.05 and z < 0, else `none`. (BH over permutation
  p-values could find nothing among many cells: no p_sim is below 1 / (permutations + 1).)

Why it is fast: the permutations are drawn once and shared by every cell (as esda's `crand`
shares them): each draw is 7 distinct cells, and a cell of cardinality k takes the first k − 1
of them; when a draw holds the cell itself, the k-th draw stands in for it, which keeps every
cell's sample uniform over the other cells. The simulated sums then come from prefix sums of
one (permutations × 7) table, and counting the extreme ones is a sorted search per
cardinality plus a correction for the few draws that held the cell itself: O(n log P) instead
of O(n · P · k).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from h3.api import numpy_int as h3n
from scipy import stats

MIN_RESOLUTION, MAX_RESOLUTION, DEFAULT_RESOLUTION = 5, 12, 9
MAX_PERMUTATIONS, DEFAULT_PERMUTATIONS = 99_999, 999
SIGNIFICANCE = 0.05
# A k=1 disk holds the cell and its 6 neighbours (5 around a pentagon).
_DISK = 7


@dataclass(frozen=True)
class Hotspots:
    """One row per study cell, in the order of `cells` (H3 indexes, ascending)."""

    cells: np.ndarray  # uint64
    counts: np.ndarray  # int64
    cardinality: np.ndarray  # int64, the cell itself included
    z: np.ndarray
    p_value: np.ndarray
    p_sim: np.ndarray | None
    q_value: np.ndarray
    classes: np.ndarray  # "hot" / "cold" / "none"
    resolution: int
    permutations: int

    @property
    def events(self) -> int:
        return int(self.counts.sum())

    def hot(self) -> np.ndarray:
        return self.classes == "hot"


def cells_count(
    points: Iterable[tuple[float, float]], *, resolution: int
) -> tuple[np.ndarray, np.ndarray]:
    """(cells, counts): the H3 cells of (lat, lon) points at `resolution` and how many points
    each holds, cells ascending."""
    cells = np.fromiter(
        (h3n.latlng_to_cell(lat, lon, resolution) for lat, lon in points), dtype=np.uint64
    )
    return _merge_counts([np.unique(cells, return_counts=True)])


def _merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    cells = np.concatenate([c for c, _ in parts])
    counts = np.concatenate([n for _, n in parts]).astype(np.int64)
    unique, inverse = np.unique(cells, return_inverse=True)
    return unique, np.bincount(inverse, weights=counts, minlength=len(unique)).astype(np.int64)


class CellCounter:
    """Counts points into H3 cells a batch at a time, so a file of millions of rows is read
    with bounded memory (the cells, not the points, are kept)."""

    def __init__(self, *, resolution: int, batch: int = 200_000) -> None:
        check_resolution(resolution)
        self.resolution = resolution
        self.batch = batch
        self._pending: list[int] = []
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.points = 0

    def add(self, lat: float, lon: float) -> None:
        self._pending.append(h3n.latlng_to_cell(lat, lon, self.resolution))
        self.points += 1
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._parts.append(
                np.unique(np.array(self._pending, dtype=np.uint64), return_counts=True)
            )
            self._pending = []
            if len(self._parts) > 16:
                self._parts = [_merge_counts(self._parts)]

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        self._flush()
        return _merge_counts(self._parts)


def check_resolution(resolution: int) -> None:
    if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution must be {MIN_RESOLUTION}-{MAX_RESOLUTION}")


def study_area(
    event_cells: np.ndarray, event_counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells, counts, neighbours): every event cell and every cell of their k=1 rings,
    ascending, their counts (0 for the ring cells) and, per cell, the positions of the
    cells of its k=1 disk inside the study area (-1 where a disk cell is outside it or
    missing, as around a pentagon); column 0 is the cell itself."""
    disks = _disks(event_cells)
    cells = np.unique(disks[disks != 0])
    counts = np.zeros(len(cells), dtype=np.int64)
    counts[np.searchsorted(cells, event_cells)] = event_counts
    # Reuse the event cells' disks; compute only the ring cells'.
    is_event = np.zeros(len(cells), dtype=bool)
    is_event[np.searchsorted(cells, event_cells)] = True
    all_disks = np.zeros((len(cells), _DISK), dtype=np.uint64)
    all_disks[is_event] = disks
    all_disks[~is_event] = _disks(cells[~is_event])
    position = np.searchsorted(cells, all_disks)
    position = np.minimum(position, len(cells) - 1)
    found = (cells[position] == all_disks) & (all_disks != 0)
    neighbours = np.where(found, position, -1)
    return cells, counts, neighbours


def _disks(cells: np.ndarray) -> np.ndarray:
    """The k=1 disk of each cell, itself first, zero-padded to 7 (pentagons have 6)."""
    out = np.zeros((len(cells), _DISK), dtype=np.uint64)
    for row, cell in enumerate(cells.tolist()):
        disk = h3n.grid_disk(cell, 1)
        others = disk[disk != cell]
        out[row, 0] = cell
        out[row, 1 : 1 + len(others)] = others
    return out


def gi_star(counts: np.ndarray, neighbours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(z, cardinality): the analytic Gi* z-score of each cell (see the module's text)."""
    x = counts.astype(float)
    n = len(x)
    valid = neighbours >= 0
    cardinality = valid.sum(axis=1)
    local = np.where(valid, x[np.where(valid, neighbours, 0)], 0.0).sum(axis=1)
    total = x.sum()
    mean = total / n
    variance = (x * x).sum() / n - mean * mean
    if n < 2 or total <= 0 or variance <= 0:
        return np.zeros(n), cardinality
    statistic = local / total
    expected = cardinality / n
    expected_variance = cardinality * (n - cardinality) / (n - 1) / n**2 * variance / mean**2
    # A cell whose disk is the whole study area (a single event's cell) has no variance: it
    # cannot differ from the area, z = 0.
    spread = np.sqrt(expected_variance)
    z = np.divide(statistic - expected, spread, out=np.zeros(n), where=spread > 0)
    return z, cardinality


def permutation_p(
    counts: np.ndarray,
    neighbours: np.ndarray,
    z: np.ndarray,
    *,
    permutations: int,
    seed: int | None,
) -> np.ndarray:
    """The pseudo p-value of each cell by conditional permutation (see the module's text)."""
    x = counts.astype(np.int64)
    n = len(x)
    valid = neighbours >= 0
    cardinality = valid.sum(axis=1)
    observed = np.where(valid[:, 1:], x[np.where(valid[:, 1:], neighbours[:, 1:], 0)], 0).sum(
        axis=1
    )
    width = min(_DISK, n)  # draws per permutation: k - 1 <= 6 neighbours and one stand-in
    rng = np.random.default_rng(seed)
    draws = np.stack([rng.choice(n, size=width, replace=False) for _ in range(permutations)])
    prefix = np.zeros((permutations, width + 1), dtype=np.int64)
    np.cumsum(x[draws], axis=1, out=prefix[:, 1:])
    upper = z >= 0
    extreme = np.zeros(n, dtype=np.int64)
    for k in np.unique(cardinality):
        rows = np.flatnonzero(cardinality == k)
        sums = np.sort(prefix[:, k - 1])
        up = rows[upper[rows]]
        down = rows[~upper[rows]]
        extreme[up] = permutations - np.searchsorted(sums, observed[up], side="left")
        extreme[down] = np.searchsorted(sums, observed[down], side="right")
    # Draws that held the cell itself among its first k - 1: the k-th draw stands in for it.
    perm, column = np.nonzero(np.ones_like(draws, dtype=bool))
    cell = draws[perm, column]
    k = cardinality[cell]
    held = column < k - 1
    perm, cell, k = perm[held], cell[held], k[held]
    base = prefix[perm, k - 1]
    fixed = base - x[cell] + x[draws[perm, np.minimum(k - 1, width - 1)]]
    obs = observed[cell]
    up = upper[cell]
    before = np.where(up, base >= obs, base <= obs)
    after = np.where(up, fixed >= obs, fixed <= obs)
    np.add.at(extreme, cell, after.astype(np.int64) - before.astype(np.int64))
    return (extreme + 1) / (permutations + 1)


def hotspots(
    event_cells: np.ndarray,
    event_counts: np.ndarray,
    *,
    resolution: int,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | None = None,
) -> Hotspots:
    """Gi* hotspots of events already counted in cells (`cells_count`, `CellCounter`).
    `permutations` 0 skips p_sim."""
    check_resolution(resolution)
    if not 0 <= permutations <= MAX_PERMUTATIONS:
        raise ValueError(f"permutations must be 0-{MAX_PERMUTATIONS}")
    if len(event_cells) == 0:
        raise ValueError("no events")
    cells, counts, neighbours = study_area(event_cells, event_counts)
    z, cardinality = gi_star(counts, neighbours)
    p_value = 2.0 * stats.norm.sf(np.abs(z))
    p_sim = (
        permutation_p(counts, neighbours, z, permutations=permutations, seed=seed)
        if permutations
        else None
    )
    q_value = stats.false_discovery_control(p_value, method="bh")
    significant = q_value <= SIGNIFICANCE
    classes = np.where(
        significant & (z > 0), "hot", np.where(significant & (z < 0), "cold", "none")
    )
    return Hotspots(
        cells=cells,
        counts=counts,
        cardinality=cardinality,
        z=z,
        p_value=p_value,
        p_sim=p_sim,
        q_value=q_value,
        classes=classes,
        resolution=resolution,
        permutations=permutations,
    )


def predictive_accuracy(
    result: Hotspots, later_cells: np.ndarray, later_counts: np.ndarray
) -> tuple[float | None, float]:
    """(PAI, hit rate) of the hot cells for events of a later period: hit rate = the share of
    the later events that fall in hot cells; PAI = hit rate / the hot cells' share of the
    study area (H3 cells of one resolution have about equal areas). PAI is None without hot
    cells."""
    hot = result.cells[result.hot()]
    total = int(later_counts.sum())
    in_hot = int(later_counts[np.isin(later_cells, hot)].sum()) if len(hot) else 0
    hit_rate = in_hot / total if total else 0.0
    if not len(hot):
        return None, hit_rate
    return hit_rate / (len(hot) / len(result.cells)), hit_rate
