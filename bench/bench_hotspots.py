"""Hotspots for 1,000,000 events over Vinnytsia oblast at H3 resolution 9 with 999
permutations: Blisko's engine against PySAL's `esda.G_Local(star=True, transform="B")` on
the same cells and weights.

Run: `.venv/bin/python bench/bench_hotspots.py` (or `make bench`). No database. Writes
bench/results/hotspots.json.

The events: BENCH_HOTSPOT_EVENTS (1,000,000) points inside the oblast's boundary (data/ua),
70 % around 400 settlements-like centres (normal, 0.3-3 km), 30 % spread uniformly, fixed
seed. Measured: counting into cells, the study area and weights, Gi* with 999 permutations
(end to end, one core); then esda on the same study cells with the same binary k=1 weights
(self included) and 999 permutations (numba when installed, n_jobs=1). The z-scores of the
two are compared.
"""

import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from blisko.diagnosis import hotspots as engine  # noqa: E402

EVENTS = int(os.environ.get("BENCH_HOTSPOT_EVENTS", "1000000"))
PERMUTATIONS = 999
RESOLUTION = 9
SEED = 20_261_207
RESULTS = ROOT / "bench" / "results" / "hotspots.json"
OBLASTS = ROOT / "data" / "ua" / "oblasti_vinnytsia_dnipropetrovsk_katotth.geojson"
VINNYTSIA = "UA05000000000010236"


def _oblast() -> shapely.Geometry:
    features = json.loads(OBLASTS.read_text(encoding="utf-8"))["features"]
    for feature in features:
        if VINNYTSIA in json.dumps(feature["properties"], ensure_ascii=False):
            return shapely.geometry.shape(feature["geometry"])
    raise SystemExit("Vinnytsia oblast not found in " + str(OBLASTS))


def _events(oblast: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    west, south, east, north = oblast.bounds
    shapely.prepare(oblast)

    def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return shapely.contains_xy(oblast, lon, lat)

    centres_lon = rng.uniform(west, east, 4000)
    centres_lat = rng.uniform(south, north, 4000)
    keep = inside(centres_lon, centres_lat)
    centres_lon, centres_lat = centres_lon[keep][:400], centres_lat[keep][:400]
    weights = rng.pareto(1.2, len(centres_lon)) + 1
    weights /= weights.sum()
    lons, lats, have = [], [], 0
    while have < EVENTS:
        n = EVENTS - have
        clustered = int(n * 0.7)
        which = rng.choice(len(centres_lon), clustered, p=weights)
        spread = rng.uniform(0.003, 0.03, len(centres_lon))[which]
        lon = np.concatenate(
            [
                centres_lon[which] + rng.normal(0, 1, clustered) * spread * 1.5,
                rng.uniform(west, east, n - clustered),
            ]
        )
        lat = np.concatenate(
            [
                centres_lat[which] + rng.normal(0, 1, clustered) * spread,
                rng.uniform(south, north, n - clustered),
            ]
        )
        ok = inside(lon, lat)
        lons.append(lon[ok])
        lats.append(lat[ok])
        have += int(ok.sum())
    return np.concatenate(lats)[:EVENTS], np.concatenate(lons)[:EVENTS]


def main() -> None:
    lat, lon = _events(_oblast())
    started = time.perf_counter()
    counter = engine.CellCounter(resolution=RESOLUTION)
    for la, lo in zip(lat.tolist(), lon.tolist(), strict=True):
        counter.add(la, lo)
    cells, counts = counter.result()
    counted = time.perf_counter()
    result = engine.hotspots(
        cells, counts, resolution=RESOLUTION, permutations=PERMUTATIONS, seed=SEED
    )
    ours = time.perf_counter() - started
    ours_gi = time.perf_counter() - counted
    n = len(result.cells)
    print(
        f"blisko: {EVENTS:,} events, {n:,} study cells, {ours:.2f} s "
        f"(counting {counted - started:.2f} s, Gi* + permutations {ours_gi:.2f} s)"
    )

    import esda
    from libpysal.weights import W

    _, _, neighbours = engine.study_area(cells, counts)
    weights = W(
        {i: [int(j) for j in row[1:] if j >= 0] for i, row in enumerate(neighbours)},
        silence_warnings=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esda_started = time.perf_counter()
        reference = esda.G_Local(
            result.counts.astype(float),
            weights,
            transform="B",
            star=True,
            permutations=PERMUTATIONS,
            seed=SEED,
            n_jobs=1,
            keep_simulations=False,
        )
        esda_seconds = time.perf_counter() - esda_started
    z_error = float(np.abs(reference.Zs - result.z).max())
    print(f"esda: {esda_seconds:.2f} s on the same {n:,} cells; max |z difference| {z_error:.2e}")
    try:
        import numba  # noqa: F401

        esda_numba = True
    except ImportError:
        esda_numba = False

    def record(name, value, unit, baseline=None, ratio=None):
        return {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}

    records = [
        record("hotspots_esda_s", round(esda_seconds, 2), "s"),
        record("hotspots_s", round(ours, 2), "s", "hotspots_esda_s", round(esda_seconds / ours, 1)),
        record(
            "hotspots_gi_s",
            round(ours_gi, 2),
            "s",
            "hotspots_esda_s",
            round(esda_seconds / ours_gi, 1),
        ),
        record("hotspots_events", EVENTS, "events"),
        record("hotspots_cells", n, "cells"),
        record("hotspots_hot_cells", int(result.hot().sum()), "cells"),
        record("hotspots_z_max_difference", z_error, "z"),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    (RESULTS.with_suffix(".meta.json")).write_text(
        json.dumps(
            {
                "resolution": RESOLUTION,
                "permutations": PERMUTATIONS,
                "cores": os.cpu_count(),
                "esda": esda.__version__,
                "esda_numba": esda_numba,
                "esda_n_jobs": 1,
                "ratio": "esda seconds / blisko seconds (higher is faster)",
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
