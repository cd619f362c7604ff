"""An area's hotspots for a period (Gi* on H3 cells of its exact event points), and the
cells as GeoJSON polygons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from h3.api import numpy_int as h3n

from blisko.diagnosis.hotspots import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_RESOLUTION,
    Hotspots,
    hotspots,
    predictive_accuracy,
)
from blisko.diagnosis.models import StatisticCategory
from blisko.diagnosis.periods import Period
from blisko.diagnosis.selectors.diagnosis import event_points
from blisko.territories.models import Area

# The seed of the permutations: the same request gives the same p_sim.
SEED = 7


def cells_of(lon: np.ndarray, lat: np.ndarray, *, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """(cells, counts) of the points at `resolution`, cells ascending."""
    if not len(lon):
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    cells = np.fromiter(
        (
            h3n.latlng_to_cell(b, a, resolution)
            for a, b in zip(lon.tolist(), lat.tolist(), strict=True)
        ),
        dtype=np.uint64,
        count=len(lon),
    )
    unique, counts = np.unique(cells, return_counts=True)
    return unique, counts.astype(np.int64)


def area_hotspots(
    *,
    area: Area,
    period: Period,
    resolution: int = DEFAULT_RESOLUTION,
    permutations: int = DEFAULT_PERMUTATIONS,
    threat: StatisticCategory | None = None,
) -> Hotspots | None:
    """The hotspots of the area's events in the period; None without any event."""
    lon, lat = event_points(area=area, period=period, threat=threat)
    cells, counts = cells_of(lon, lat, resolution=resolution)
    if not len(cells):
        return None
    return hotspots(cells, counts, resolution=resolution, permutations=permutations, seed=SEED)


def _ring(cell: int) -> list[list[float]]:
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3n.cell_to_boundary(cell)]
    return ring + ring[:1]


def _number(value: float) -> float | None:
    return round(float(value), 6) if np.isfinite(value) else None


def hotspots_geojson(result: Hotspots | None, *, all_cells: bool = False) -> dict[str, Any]:
    """A FeatureCollection of the cells as H3 hexagons with `h3`, `count`, `gi_z`, `p_value`,
    `p_sim`, `q_value` and `class`. Without `all_cells`, the empty ring cells of no class
    are left out (they carry no event and no finding)."""
    features: list[dict[str, Any]] = []
    if result is not None:
        keep = (
            np.ones(len(result.cells), dtype=bool)
            if all_cells
            else (result.counts > 0) | (result.classes != "none")
        )
        for i in np.flatnonzero(keep).tolist():
            cell = int(result.cells[i])
            features.append(
                {
                    "type": "Feature",
                    "id": h3n.int_to_str(cell),
                    "geometry": {"type": "Polygon", "coordinates": [_ring(cell)]},
                    "properties": {
                        "h3": h3n.int_to_str(cell),
                        "count": int(result.counts[i]),
                        "gi_z": _number(result.z[i]),
                        "p_value": _number(result.p_value[i]),
                        "p_sim": _number(result.p_sim[i]) if result.p_sim is not None else None,
                        "q_value": _number(result.q_value[i]),
                        "class": str(result.classes[i]),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class Foresight:
    """How well the previous period's hot cells foretold this period's events."""

    pai: float | None  # hit rate / share of the study area (None: no hot cells then)
    hit_rate: float  # share of this period's events in those cells
    hot_cells: int
    events: int


def area_foresight(
    *,
    area: Area,
    period: Period,
    resolution: int = DEFAULT_RESOLUTION,
    threat: StatisticCategory | None = None,
) -> Foresight | None:
    """The Predictive Accuracy Index of the hot cells of the period before `period` (the same
    length) for the events of `period`; None when either period has no event."""
    before = area_hotspots(
        area=area, period=period.previous(), resolution=resolution, permutations=0, threat=threat
    )
    if before is None:
        return None
    lon, lat = event_points(area=area, period=period, threat=threat)
    cells, counts = cells_of(lon, lat, resolution=resolution)
    if not len(cells):
        return None
    pai, hit_rate = predictive_accuracy(before, cells, counts)
    return Foresight(pai, hit_rate, int(before.hot().sum()), int(counts.sum()))
