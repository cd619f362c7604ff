import datetime as dt
import json
import random
import threading
import time
import zoneinfo

import numpy as np
import pytest
import shapely
import time_machine
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import connections, transaction
from django.utils import timezone
from shapely.geometry import Polygon, box

from blisko.core.geo import GEO_SRID, make_point
from blisko.territories.index import (
    AreaIndex,
    IndexEntry,
    LevelIndex,
    current_index,
    index_clear,
    index_rebuild,
    index_wait_idle,
)
from blisko.territories.models import LEVEL_ORDER, Area, AreaBoundary, Level
from blisko.territories.selectors.areas import area_for_point, areas_for_point
from conftest import BLACK_SEA, DATA_DIR, KONIN_CENTRE, VINNYTSIA_CENTRE, load_territories

DEMO_HROMADAS = DATA_DIR / "ua" / "hromady_vinnytsia_dnipropetrovsk_katotth.geojson"

VINNYTSIA = "UA05020030000031457"
ZHMERYNKA = "UA05060050000058111"


def _pieces() -> list:
    """Polygons with the awkward cases: shared borders, a hole with an enclave in it, an
    overlap, a multipolygon, a thin sliver and a triangle."""
    ring = box(0, 0, 4, 4).difference(box(1, 1, 2, 2))  # a square with a hole
    return [
        box(-1, -1, 0, 5),  # 0: shares the border x=0 with 1
        ring,  # 1
        box(1, 1, 2, 2),  # 2: the enclave filling the hole
        box(3.5, 3.5, 5, 5),  # 3: overlaps 1 in [3.5, 4]²
        shapely.MultiPolygon([box(5, 0, 6, 1), box(5, 2, 6, 3)]),  # 4
        box(4, 0, 4.001, 3),  # 5: a sliver 0.001 wide
        Polygon([(6, 3), (8, 3), (7, 5)]),  # 6
    ]


def _truth(pieces: list, x: float, y: float) -> list[int]:
    return [n for n, piece in enumerate(pieces) if piece.intersects(shapely.Point(x, y))]


@pytest.mark.parametrize("max_cells", [4096, 20_000, 300_000])
def test_level_index_gives_the_polygons_shapely_gives_on_random_points(max_cells):
    pieces = _pieces()
    index = LevelIndex(pieces, max_cells=max_cells)
    rnd = random.Random(max_cells)
    for _ in range(4000):
        x, y = rnd.uniform(-1.5, 8.5), rnd.uniform(-0.5, 5.5)
        truth = _truth(pieces, x, y)
        assert index.lookup_all(x, y) == truth
        assert index.lookup(x, y) == (truth[0] if truth else -1)


def test_level_index_lookup_many_agrees_with_single_lookups():
    pieces = _pieces()
    index = LevelIndex(pieces, max_cells=20_000)
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(-1.5, 8.5, 20_000), rng.uniform(-0.5, 5.5, 20_000)
    many = index.lookup_many(xs, ys)
    assert many.tolist() == [
        index.lookup(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)
    ]
    assert (many >= 0).any() and (many == -1).any()


def test_a_point_inside_the_thin_sliver_and_the_enclave_is_found():
    index = LevelIndex(_pieces(), max_cells=4096)
    assert index.lookup(4.0005, 1.5) == 5
    assert index.lookup(1.5, 1.5) == 2
    assert index.lookup_all(3.75, 3.75) == [1, 3]  # the overlap: both, first in order
    assert index.lookup(3.75, 3.75) == 1


def test_a_point_on_a_shared_border_goes_to_one_of_the_two_areas():
    index = LevelIndex(_pieces(), max_cells=4096)
    assert index.lookup(0.0, 2.5) in (0, 1)
    on_border = index.lookup_all(0.0, 2.5)
    assert on_border and set(on_border) <= {0, 1}
    assert index.lookup(1.0, 1.5) in (1, 2)


def test_points_on_the_far_edges_of_the_bounding_box_are_inside():
    index = LevelIndex([box(0, 0, 1, 1)], max_cells=4096)
    assert index.lookup(1.0, 1.0) == 0
    assert index.lookup(0.0, 0.0) == 0
    assert index.lookup(1.0 + 1e-9, 0.5) == -1


@pytest.mark.parametrize(
    "x, y", [(float("nan"), 1.0), (1.0, float("nan")), (float("inf"), 1.0), (-500.0, 1.0)]
)
def test_unusable_or_far_points_hold_nothing(x, y):
    index = LevelIndex(_pieces(), max_cells=4096)
    assert index.lookup(x, y) == -1
    assert index.lookup_all(x, y) == []
    assert index.lookup_many([x], [y]).tolist() == [-1]


def test_an_empty_level_index_holds_nothing():
    index = LevelIndex([])
    assert index.lookup(0.0, 0.0) == -1
    assert index.lookup_many([0.0], [0.0]).tolist() == [-1]


def test_area_index_answers_ids_coarse_to_fine_with_ties_in_code_order():
    index = AreaIndex.build(
        [
            IndexEntry(10, "region", "R", box(0, 0, 10, 10)),
            IndexEntry(21, "community", "C2", box(5, 0, 10, 10)),
            IndexEntry(20, "community", "C1", box(0, 0, 5, 10)),
        ],
        order=["region", "community"],
    )
    assert index.lookup_all(2, 2) == [10, 20]
    assert index.lookup_all(5, 2) == [10, 20, 21]  # on the shared border: both
    assert index.lookup(5, 2, level="community") == 20  # first by code
    assert index.lookup_finest(7, 2) == 21
    assert index.lookup_finest(20, 2) is None
    assert index.lookup(2, 2, level="service_area") is None
    assert index.lookup_many([2, 7, 20], [2, 2, 2], level="community").tolist() == [20, 21, -1]


def test_single_lookups_on_the_demo_communities_agree_with_shapely():
    # How fast this runs is measured by `make bench` (bench/bench_lookup.py), not here.
    features = json.loads(DEMO_HROMADAS.read_text(encoding="utf-8"))["features"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    index = LevelIndex(shapes)
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(27.3, 36.3, 5_000), rng.uniform(47.4, 49.9, 5_000)
    found = [index.lookup(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
    inside = np.stack([shapely.contains_xy(shape, xs, ys) for shape in shapes])
    for i, hit in enumerate(found):
        holders = set(np.flatnonzero(inside[:, i]).tolist())
        assert (hit in holders) if holders else hit == -1
    assert sum(hit >= 0 for hit in found) > 1000  # most points fall in some community


# --- the registry, on the demo boundaries ------------------------------------------------


@pytest.mark.django_db
def test_the_index_agrees_with_the_database_on_random_points_at_every_level(settings):
    settings.BLISKO_INDEX_CHECK_SECONDS = 60  # the freshness checks would dominate the run
    snapshot = index_rebuild()
    rnd = random.Random(2024)
    points = [(rnd.uniform(27.3, 36.3), rnd.uniform(47.4, 49.9)) for _ in range(2500)]
    points += [(rnd.uniform(17.6, 18.9), rnd.uniform(51.9, 52.6)) for _ in range(500)]
    found = 0
    for lon, lat in points:
        expected = sorted(
            Area.objects.filter(boundary__contains=make_point(lon, lat)).values_list(
                "level", "code"
            )
        )
        hits = [snapshot.areas[pk] for pk in snapshot.index.lookup_all(lon, lat)]
        assert sorted((a.level, a.code) for a in hits) == expected, (lon, lat)
        finest = area_for_point(lon=lon, lat=lat)
        if expected:
            rank = {str(level): n for n, level in enumerate(LEVEL_ORDER)}
            deepest = max(rank[level] for level, _code in expected)
            first = min(code for level, code in expected if rank[level] == deepest)
            assert finest.code == first
        else:
            assert finest is None
        found += bool(expected)
    assert found > 1000  # most points fall inside the demo areas


@pytest.mark.django_db
def test_the_index_is_built_from_every_current_boundary_and_answers_without_queries(
    django_assert_num_queries,
):
    snapshot = index_rebuild()
    assert len(snapshot.versions) == Area.objects.exclude(boundary=None).count()
    assert {a.code for a in snapshot.areas.values() if a.level == Level.COUNTRY} == {"UA", "PL"}
    # BLISKO_INDEX_CHECK_SECONDS is 0 in tests: the only queries are the token check.
    with django_assert_num_queries(2):
        areas = areas_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])
        ancestors = [a.code for a in areas[-1].ancestors()]
    assert areas[-1].code == VINNYTSIA
    assert ancestors == [a.code for a in reversed(areas[:-1])]


@pytest.mark.django_db
def test_a_police_request_in_another_time_zone_keeps_the_built_index(django_assert_num_queries):
    # 22:30 UTC in December: the 8th in Kyiv (the site's zone), still the 7th in Warsaw.
    with time_machine.travel(dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC), tick=False):
        built = index_rebuild()
        with timezone.override(zoneinfo.ZoneInfo("Europe/Warsaw")), django_assert_num_queries(2):
            areas = areas_for_point(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1])
        assert current_index() is built
    assert built.day == dt.date(2026, 12, 8)
    assert areas[-1].level == Level.COMMUNITY


@pytest.mark.django_db
def test_a_change_to_area_names_only_reuses_the_built_level_indexes():
    before = index_rebuild()
    area = Area.objects.get(code=VINNYTSIA)
    area.name_en = "Vinnytsia (renamed)"
    area.save(update_fields=["name_en", "updated_at"])
    after = current_index()
    assert after is not None and after is not before
    assert after.areas[area.pk].name_en == "Vinnytsia (renamed)"
    for level in before.index.levels:
        assert after.index.level_index(level) is before.index.level_index(level)


def _moved_boundaries() -> tuple[Area, Area, MultiPolygon, MultiPolygon]:
    """Vinnytsia's hromada loses a square around the centre, which Zhmerynka's gains."""
    vinnytsia = Area.objects.get(code=VINNYTSIA)
    zhmerynka = Area.objects.get(code=ZHMERYNKA)
    lon, lat = VINNYTSIA_CENTRE
    square = box(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)

    def geos(geometry) -> MultiPolygon:
        geometry = shapely.MultiPolygon(
            [g for g in getattr(geometry, "geoms", [geometry]) if g.area > 0]
        )
        return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=GEO_SRID)

    old_v = shapely.from_wkb(bytes(vinnytsia.boundary.wkb))
    old_z = shapely.from_wkb(bytes(zhmerynka.boundary.wkb))
    return (
        vinnytsia,
        zhmerynka,
        geos(old_v.difference(square)),
        geos(shapely.union(old_z, square)),
    )


@pytest.mark.django_db
def test_an_edit_written_straight_to_the_tables_is_seen_by_the_next_lookup():
    lon, lat = VINNYTSIA_CENTRE
    index_rebuild()
    assert area_for_point(lon=lon, lat=lat).code == VINNYTSIA
    vinnytsia, zhmerynka, new_v, new_z = _moved_boundaries()
    # Not through the services: as another program (or a SQL console) would write it.
    for area, geometry in ((vinnytsia, new_v), (zhmerynka, new_z)):
        AreaBoundary.objects.filter(area=area, valid_to=None).delete()
        AreaBoundary.objects.create(area=area, boundary=geometry, valid_from=area.valid_from)
        Area.objects.filter(pk=area.pk).update(boundary=geometry)
    assert area_for_point(lon=lon, lat=lat).code == ZHMERYNKA
    assert current_index() is not None
    codes = [a.code for a in areas_for_point(lon=lon, lat=lat)]
    assert ZHMERYNKA in codes and VINNYTSIA not in codes


@pytest.mark.django_db(transaction=True)
def test_an_edit_committed_by_another_connection_is_seen_within_a_second(settings):
    """The real case: the index is rebuilt in the background of a serving process while
    another process commits a boundary change; answers are right from the next freshness
    check on (from the database), and the rebuilt index then takes over."""
    settings.BLISKO_INDEX_CHECK_SECONDS = 0.5
    load_territories(places=False)
    index_clear()
    lon, lat = VINNYTSIA_CENTRE
    try:
        deadline = time.monotonic() + 30
        while current_index() is None:  # the first build runs in the background
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert area_for_point(lon=lon, lat=lat).code == VINNYTSIA

        def edit() -> None:
            import datetime as dt

            from blisko.territories.services.boundaries import area_set_boundary

            try:
                vinnytsia, zhmerynka, new_v, new_z = _moved_boundaries()
                start = dt.date(2024, 1, 1)
                with transaction.atomic():
                    area_set_boundary(area=vinnytsia, boundary=new_v, valid_from=start)
                    area_set_boundary(area=zhmerynka, boundary=new_z, valid_from=start)
            finally:
                connections.close_all()

        writer = threading.Thread(target=edit)
        writer.start()
        writer.join()
        committed = time.monotonic()
        answers = []  # (seconds since the commit, finest area's code, is the index in use)
        while time.monotonic() - committed < 1.5 or current_index() is None:
            assert time.monotonic() - committed < 30
            asked = time.monotonic() - committed
            code = area_for_point(lon=lon, lat=lat).code
            answers.append((asked, code, current_index() is not None))
            time.sleep(0.02)
        # The last check before the commit is at most 0.5 s old: every question asked from
        # then on gets the new answer, first from the database while the index is rebuilt,
        # then from the rebuilt index.
        assert all(code == ZHMERYNKA for asked, code, _ in answers if asked > 0.5), answers
        assert current_index().index.lookup_finest(lon, lat) == (
            Area.objects.get(code=ZHMERYNKA).pk
        )
    finally:
        index_wait_idle()
        index_clear()


@pytest.mark.django_db
def test_lookups_on_the_black_sea_find_nothing_and_konin_finds_its_gmina():
    index_rebuild()
    assert areas_for_point(lon=BLACK_SEA[0], lat=BLACK_SEA[1]) == []
    assert area_for_point(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1]).code == "3062011"
