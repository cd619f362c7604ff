"""The hotspot engine against PySAL (esda.G_Local, star, binary weights) and statsmodels, on a
real point pattern (San Francisco's robberies of 2019) and on synthetic cities with planted
hotspots."""

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest
from libpysal.weights import W
from statsmodels.stats.multitest import multipletests

from blisko.diagnosis import hotspots as engine

DATA = Path(__file__).resolve().parents[3] / "data" / "events" / "san_francisco_robbery_2019.csv"
PERMUTATIONS = 999


def _san_francisco() -> list[tuple[float, float]]:
    with DATA.open(encoding="utf-8") as handle:
        return [(float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(handle)]


def _esda(result: engine.Hotspots, neighbours: np.ndarray, **kwargs):
    import esda

    weights = W(
        {i: [int(j) for j in row[1:] if j >= 0] for i, row in enumerate(neighbours)},
        silence_warnings=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(
            result.counts.astype(float), weights, transform="B", star=True, **kwargs
        )


@pytest.fixture(scope="module")
def san_francisco():
    cells, counts = engine.cells_count(_san_francisco(), resolution=9)
    result = engine.hotspots(cells, counts, resolution=9, permutations=PERMUTATIONS, seed=7)
    _, _, neighbours = engine.study_area(cells, counts)
    return result, neighbours


def _planted_city(seed: int) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Background events spread over a 20 km square around Vinnytsia, and two tight clusters
    (a market and a station) that a hotspot analysis must find."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(49.15, 49.33, 3000)
    lon = rng.uniform(28.35, 28.62, 3000)
    spots = [(49.2331, 28.4682), (49.2100, 28.5300)]
    points = list(zip(lat.tolist(), lon.tolist(), strict=True))
    for spot_lat, spot_lon in spots:
        points += [
            (spot_lat + dy, spot_lon + dx)
            for dy, dx in rng.normal(0, 0.0015, size=(250, 2)).tolist()
        ]
    return points, spots


def test_the_study_area_is_every_event_cell_and_its_ring_with_zero_counts():
    cells, counts = engine.cells_count([(49.2331, 28.4682)] * 3, resolution=9)
    study, study_counts, neighbours = engine.study_area(cells, counts)
    assert len(study) == 7 and study_counts.sum() == 3 and sorted(study_counts)[-1] == 3
    assert (neighbours[:, 0] == np.arange(7)).all()  # column 0 is the cell itself
    centre = int(np.flatnonzero(study_counts == 3)[0])
    assert (neighbours[centre] >= 0).sum() == 7  # the centre sees its whole disk
    # A ring cell sees itself, the centre and its two neighbours along the ring.
    assert all((row >= 0).sum() == 4 for i, row in enumerate(neighbours) if i != centre)


def test_z_scores_equal_esda_on_a_real_point_pattern(san_francisco):
    result, neighbours = san_francisco
    reference = _esda(result, neighbours, permutations=0)
    assert len(result.cells) > 500
    assert np.abs(reference.Zs - result.z).max() < 1e-6
    assert np.allclose(result.p_value, 2 * reference.p_norm)


def test_pseudo_p_values_agree_with_esda_within_permutation_noise(san_francisco):
    result, neighbours = san_francisco
    reference = _esda(result, neighbours, permutations=PERMUTATIONS, seed=11)
    # esda folds to the smaller tail and counts low ties as not extreme: compare the hot side.
    side = (result.z > 0) & (result.p_sim < 0.5) & (reference.p_sim < 0.5)
    assert side.sum() > 100
    mean = (result.p_sim[side] + reference.p_sim[side]) / 2
    noise = 4 * np.sqrt(2 * mean * (1 - mean) / PERMUTATIONS) + 2 / (PERMUTATIONS + 1)
    assert (np.abs(result.p_sim[side] - reference.p_sim[side]) <= noise).all()


def test_pseudo_p_values_are_those_of_independent_draws_for_each_cell():
    """The shared draws give each cell the distribution a cell-by-cell conditional
    permutation gives (here on a small study area, where a draw often holds the cell)."""
    rng = np.random.default_rng(3)
    cells, counts = engine.cells_count(
        [(49.23 + dy, 28.46 + dx) for dy, dx in rng.normal(0, 0.004, size=(60, 2)).tolist()],
        resolution=9,
    )
    study, x, neighbours = engine.study_area(cells, counts)
    z, cardinality = engine.gi_star(x, neighbours)
    shared = engine.permutation_p(x, neighbours, z, permutations=20_000, seed=5)
    valid = neighbours >= 0
    observed = np.array([x[row[1:][row[1:] >= 0]].sum() for row in neighbours])
    naive = np.zeros(len(x))
    for i in range(len(x)):
        others = np.delete(np.arange(len(x)), i)
        sims = np.array(
            [x[rng.choice(others, cardinality[i] - 1, replace=False)].sum() for _ in range(4000)]
        )
        extreme = (sims >= observed[i]).sum() if z[i] >= 0 else (sims <= observed[i]).sum()
        naive[i] = (extreme + 1) / (len(sims) + 1)
    assert valid.any()
    assert np.abs(shared - naive).max() < 0.06


def test_q_values_are_benjamini_hochberg_as_statsmodels_computes_them(san_francisco):
    result, _ = san_francisco
    reference = multipletests(result.p_value, alpha=0.05, method="fdr_bh")
    assert np.allclose(result.q_value, reference[1])
    assert ((result.q_value <= 0.05) == reference[0]).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_hotspots_are_found_and_the_background_is_not(seed):
    points, spots = _planted_city(seed)
    cells, counts = engine.cells_count(points, resolution=9)
    result = engine.hotspots(cells, counts, resolution=9, permutations=199, seed=seed)
    hot = set(result.cells[result.hot()].tolist())
    from h3.api import numpy_int as h3n

    for lat, lon in spots:
        assert h3n.latlng_to_cell(lat, lon, 9) in hot
    # Every hot cell lies within about 1 km of a planted spot.
    for cell in hot:
        lat, lon = h3n.cell_to_latlng(cell)
        assert min(abs(lat - s[0]) + abs(lon - s[1]) for s in spots) < 0.02
    assert result.p_sim is not None and (result.p_sim[result.hot()] <= 0.05).all()


def test_a_later_period_in_the_hot_cells_gives_a_predictive_accuracy_above_one():
    points, _ = _planted_city(1)
    later, _ = _planted_city(2)
    cells, counts = engine.cells_count(points, resolution=9)
    result = engine.hotspots(cells, counts, resolution=9, permutations=0)
    later_cells, later_counts = engine.cells_count(later, resolution=9)
    pai, hit_rate = engine.predictive_accuracy(result, later_cells, later_counts)
    hot_share = result.hot().sum() / len(result.cells)
    assert pai is not None and pai > 5
    assert pai == pytest.approx(hit_rate / hot_share)
    assert 0.1 < hit_rate < 1


def test_without_hot_cells_there_is_no_predictive_accuracy_index():
    cells, counts = engine.cells_count([(49.2331, 28.4682)], resolution=9)
    result = engine.hotspots(cells, counts, resolution=9, permutations=99, seed=1)
    assert not result.hot().any()
    assert engine.predictive_accuracy(result, cells, counts) == (None, 0.0)


def test_one_point_makes_a_study_area_of_its_cell_and_ring():
    cells, counts = engine.cells_count([(52.2230, 18.2513)], resolution=9)
    result = engine.hotspots(cells, counts, resolution=9, permutations=99, seed=1)
    assert len(result.cells) == 7 and result.events == 1
    assert np.isfinite(result.z).all() and result.p_sim is not None
    assert set(result.classes) == {"none"}


@pytest.mark.parametrize("resolution", [4, 13])
def test_a_resolution_outside_5_to_12_is_refused(resolution):
    with pytest.raises(ValueError):
        engine.hotspots(np.array([1], dtype=np.uint64), np.array([1]), resolution=resolution)


def test_more_than_99999_permutations_are_refused():
    cells, counts = engine.cells_count([(52.2230, 18.2513)], resolution=9)
    with pytest.raises(ValueError):
        engine.hotspots(cells, counts, resolution=9, permutations=100_000)


def test_the_cell_counter_streams_in_batches_and_counts_like_one_pass():
    rng = np.random.default_rng(8)
    points = list(
        zip(
            rng.uniform(49.1, 49.3, 5000).tolist(),
            rng.uniform(28.3, 28.6, 5000).tolist(),
            strict=True,
        )
    )
    counter = engine.CellCounter(resolution=8, batch=300)
    for lat, lon in points:
        counter.add(lat, lon)
    cells, counts = counter.result()
    expected_cells, expected_counts = engine.cells_count(points, resolution=8)
    assert counter.points == 5000
    assert (cells == expected_cells).all() and (counts == expected_counts).all()
