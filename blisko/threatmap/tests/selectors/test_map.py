"""The public map's data: points and cells, filters, the public rules, and precision.

Precision tests put reports of reduced and hidden categories at known exact points (away from
any grid centre) and scan every number of every answer, at every zoom and through both ways
of counting (the in-memory index and the database), for those points.
"""

import datetime as dt
import json
import math
import random

import pytest
import time_machine
from django.contrib.gis.geos import Point
from django.utils import timezone

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID, bbox_parse
from blisko.officers.tests.factories import ServiceAreaFactory
from blisko.reports.models import Precision, Report, ReportEvent, Status
from blisko.reports.rules import public_location_for
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.models import Area, Level
from blisko.territories.selectors.areas import area_for_point
from blisko.threatmap.selectors import map_sql
from blisko.threatmap.selectors.map import (
    MAX_CELLS,
    MAX_POINTS,
    PUBLIC_STATUSES,
    MapFilters,
    _cell_query,
    map_cells_count,
    map_data,
    map_filters_get,
)
from blisko.threatmap.selectors.map_index import map_index_current, map_index_rebuild
from blisko.threatmap.selectors.map_sql import CellQuery, level_step
from conftest import VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 10, 12, 0, tzinfo=dt.UTC)
# Exact points in Vinnytsia, 0.0002° from a corner of their reduced cell (0.003°): their
# public point is 0.0013° (~100 m) away.
EXACT = (28.4702, 49.2332)
REDUCED_AT = (28.4812, 49.2392)
HIDDEN_AT = (28.4572, 49.2272)
CITY = (28.38, 49.19, 28.56, 49.28)  # a viewport over Vinnytsia, allowed up to zoom 14


def bbox_around(point: tuple[float, float], zoom: int) -> tuple[float, float, float, float]:
    """A viewport of about four tiles around `point`, as a map at `zoom` would ask."""
    half = min(80.0, 2 * 360.0 / (1 << zoom))
    lon, lat = point
    return (
        max(-180.0, lon - half),
        max(-90.0, lat - half / 2),
        min(180.0, lon + half),
        min(90.0, lat + half / 2),
    )


def numbers(data) -> list[float]:
    """Every number in a JSON-like value."""
    if isinstance(data, bool):
        return []
    if isinstance(data, int | float):
        return [float(data)]
    if isinstance(data, dict):
        return [n for value in data.values() for n in numbers(value)]
    if isinstance(data, list | tuple):
        return [n for value in data for n in numbers(value)]
    return []


def assert_no_exact_point(data, *points: tuple[float, float]) -> None:
    """No number in `data` is any coordinate of `points` to within 1e-4° (~10 m)."""
    found = numbers(json.loads(json.dumps(data)))
    for lon, lat in points:
        near = [n for n in found if abs(n - lon) < 1e-4 or abs(n - lat) < 1e-4]
        assert near == [], (lon, lat, near)


@pytest.fixture
def vinnytsia() -> Area:
    return area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])


def make(area: Area, at=EXACT, code="vandalism", status=Status.SUBMITTED, **kwargs) -> Report:
    return ReportFactory(
        category=category(code),
        area=area,
        location=Point(*at, srid=GEO_SRID),
        status=status,
        **kwargs,
    )


def features(answer) -> list[dict]:
    return answer["points"]["features"]


# --- points --------------------------------------------------------------------------------


def test_zoomed_in_the_map_shows_each_report_at_its_public_point(vinnytsia):
    exact = make(vinnytsia, at=EXACT, code="vandalism")
    reduced = make(vinnytsia, at=REDUCED_AT, code="begging", status=Status.CONFIRMED)
    make(vinnytsia, at=HIDDEN_AT, code="drug-use")

    answer = map_data(bbox=CITY, zoom=14)

    assert answer["kind"] == "points"
    by_code = {f["properties"]["code"]: f for f in features(answer)}
    assert set(by_code) == {exact.tracking_code, reduced.tracking_code}
    assert by_code[exact.tracking_code]["geometry"]["coordinates"] == list(EXACT)
    snapped = public_location_for(Point(*REDUCED_AT, srid=GEO_SRID), Precision.REDUCED)
    assert by_code[reduced.tracking_code]["geometry"]["coordinates"] == [snapped.x, snapped.y]
    assert by_code[reduced.tracking_code]["properties"] == {
        "code": reduced.tracking_code,
        "status": "confirmed",
        "colour": "#d7263d",
        "category": "begging",
        "date": timezone.localdate(reduced.created_at).isoformat(),
        "seen": 0,
    }
    assert answer["categories"].keys() == {"vandalism", "begging"}
    assert answer["total"] == 2
    legend = {item["status"]: item for item in answer["legend"]}
    assert legend["submitted"]["count"] == 1 and legend["confirmed"]["count"] == 1
    assert legend["submitted"]["colour"] == "#2e9d46"
    assert "duplicate" not in legend


def test_a_point_carries_its_date_and_seen_count(vinnytsia):
    with time_machine.travel(NOW, tick=False):
        report = make(vinnytsia, seen_count=4)
        answer = map_data(bbox=CITY, zoom=14)
    (feature,) = features(answer)
    assert feature["properties"]["seen"] == 4
    assert feature["properties"]["date"] == "2025-06-10"
    assert feature["properties"]["code"] == report.tracking_code


@pytest.mark.parametrize("use_index", [True, False])
def test_zoomed_in_over_too_many_reports_the_map_counts_cells_instead(vinnytsia, use_index):
    for i in range(MAX_POINTS + 1):
        make(vinnytsia, at=(28.40 + (i % 40) * 0.003, 49.20 + (i // 40) * 0.003))
    answer = map_data(bbox=CITY, zoom=14, use_index=use_index)
    assert answer["kind"] == "cells"
    assert answer["points"]["features"] == []
    assert sum(cell["count"] for cell in answer["cells"]) == MAX_POINTS + 1
    assert answer["cell_size"] == level_step(16)


def test_below_the_points_zoom_reports_are_counted_in_cells(vinnytsia):
    make(vinnytsia, at=EXACT)
    answer = map_data(bbox=CITY, zoom=12)
    assert answer["kind"] == "cells"
    (cell,) = answer["cells"]
    assert cell == {"lat": EXACT[1], "lon": EXACT[0], "count": 1, "counts": {"submitted": 1}}


# --- cells ---------------------------------------------------------------------------------


def test_a_cell_counts_its_reports_per_status_at_the_mean_of_their_public_points(vinnytsia):
    # One cell of level 8 (1.40625°) spans 28.125-29.53125 east and 49.21875-50.625 north;
    # the mean lies in its middle, where the cell's circle fits (the edges: test_map_cells.py).
    make(vinnytsia, at=(28.80, 49.90), status=Status.SUBMITTED)
    make(vinnytsia, at=(28.82, 49.92), status=Status.SUBMITTED)
    make(vinnytsia, at=(28.84, 49.94), status=Status.CONFIRMED)
    answer = map_data(bbox=bbox_around(VINNYTSIA_CENTRE, 6), zoom=6)
    (cell,) = answer["cells"]
    assert cell["count"] == 3
    assert cell["counts"] == {"submitted": 2, "confirmed": 1}
    assert cell["lon"] == pytest.approx(28.82, abs=1e-5)
    assert cell["lat"] == pytest.approx(49.92, abs=1e-5)
    assert answer["total"] == 3
    assert answer["cell_size"] == level_step(8)


def test_a_cell_is_counted_whole_even_when_the_viewport_cuts_it(vinnytsia):
    # Both points lie in one cell of level 12 (zoom 10: 0.0879°): x 323, y 560 (28.389-28.477
    # east, 49.219-49.307 north), outside the viewport; their mean leaves the circle room.
    make(vinnytsia, at=(28.41, 49.25))
    make(vinnytsia, at=(28.43, 49.27))
    answer = map_data(bbox=(28.40, 49.21, 28.42, 49.23), zoom=10)
    assert answer["total"] == 2
    (cell,) = answer["cells"]
    assert (cell["lon"], cell["lat"]) == (28.42, 49.26)


def test_hidden_reports_count_only_in_cells_of_at_least_a_kilometre(vinnytsia):
    make(vinnytsia, at=HIDDEN_AT, code="drug-use")
    make(vinnytsia, at=EXACT, code="vandalism")

    coarse = map_data(bbox=CITY, zoom=12)
    assert coarse["hidden_counted"] is True
    assert coarse["total"] == 2
    for zoom in (13, 14, 16):
        fine = map_data(bbox=bbox_around(HIDDEN_AT, zoom), zoom=zoom)
        assert fine["hidden_counted"] is False
        assert fine["total"] == (1 if zoom <= 14 else 0), zoom
        assert all(f["properties"]["category"] != "drug-use" for f in features(fine))


def test_a_cell_with_only_hidden_reports_sits_at_its_centre(vinnytsia):
    make(vinnytsia, at=HIDDEN_AT, code="minors-at-risk")
    answer = map_data(bbox=bbox_around(HIDDEN_AT, 10), zoom=10)
    (cell,) = answer["cells"]
    step = level_step(12)
    assert cell["lon"] == round((math.floor(HIDDEN_AT[0] / step) + 0.5) * step, 5)
    assert cell["lat"] == round((math.floor(HIDDEN_AT[1] / step) + 0.5) * step, 5)


def test_hidden_reports_are_not_counted_under_a_service_area_filter(vinnytsia):
    beat = ServiceAreaFactory(parent=vinnytsia, centre=HIDDEN_AT, size=0.004)
    make(beat, at=HIDDEN_AT, code="drug-use")
    make(beat, at=HIDDEN_AT, code="vandalism")
    by_beat = map_filters_get(area_id=beat.pk)
    assert map_data(bbox=CITY, zoom=10, filters=by_beat)["total"] == 1
    by_community = map_filters_get(area_id=vinnytsia.pk)
    assert map_data(bbox=CITY, zoom=10, filters=by_community)["total"] == 2


def test_a_huge_viewport_is_counted_in_at_most_max_cells_cells(vinnytsia):
    make(vinnytsia)
    answer = map_data(bbox=(-180, -90, 180, 90), zoom=3)
    query_cells = (360 / answer["cell_size"]) * (180 / answer["cell_size"])
    assert query_cells <= MAX_CELLS
    assert answer["total"] == 1


def test_over_a_few_thousand_reports_the_low_zoom_answers_stay_small(vinnytsia):
    rng = random.Random(7)
    statuses = [s for s in Status.values if s != Status.DUPLICATE]
    Report.objects.bulk_create(
        [
            ReportFactory.build(
                category=category("vandalism"),
                area=vinnytsia,
                location=Point(rng.uniform(27.4, 30.1), rng.uniform(48.0, 49.9), srid=GEO_SRID),
                status=rng.choice(statuses),
                tracking_code=f"BULK-{i:04d}-0000",
            )
            for i in range(3000)
        ]
    )
    for zoom in (6, 8, 10):
        answer = map_data(bbox=(27.3, 47.9, 30.2, 50.0), zoom=zoom)
        assert answer["total"] == 3000
        assert len(answer["cells"]) <= MAX_CELLS
        assert len(json.dumps(answer)) < 200_000, zoom


# --- public rules ----------------------------------------------------------------------------


def test_duplicates_are_not_on_the_public_map(vinnytsia):
    original = make(vinnytsia)
    make(vinnytsia, status=Status.DUPLICATE, duplicate_of=original)
    for zoom in (10, 14):
        assert map_data(bbox=CITY, zoom=zoom)["total"] == 1


def test_not_confirmed_reports_leave_the_map_thirty_days_after_verification(vinnytsia, settings):
    settings.BLISKO_REPORT_NOT_CONFIRMED_PUBLIC_DAYS = 30
    with time_machine.travel(NOW, tick=False):
        make(vinnytsia, status=Status.NOT_CONFIRMED, verified_at=NOW, closed_at=NOW)
    for days, shown in ((29, 1), (30, 1), (31, 0)):
        with time_machine.travel(NOW + dt.timedelta(days=days, seconds=-1), tick=False):
            for zoom in (10, 14):
                assert map_data(bbox=CITY, zoom=zoom)["total"] == shown, (days, zoom)
    # Police still have it.
    assert Report.objects.filter(status=Status.NOT_CONFIRMED).count() == 1


def test_a_confirmed_report_stays_on_the_map_whatever_its_age(vinnytsia):
    with time_machine.travel(NOW, tick=False):
        make(vinnytsia, status=Status.CONFIRMED, verified_at=NOW)
    with time_machine.travel(NOW + dt.timedelta(days=400), tick=False):
        assert map_data(bbox=CITY, zoom=10)["total"] == 1


# --- filters -------------------------------------------------------------------------------


def test_the_category_filter_keeps_only_those_categories(vinnytsia):
    make(vinnytsia, code="vandalism")
    make(vinnytsia, code="speeding")
    make(vinnytsia, code="begging")
    filters = map_filters_get(category_codes=["speeding", "begging"])
    for zoom in (10, 14):
        answer = map_data(bbox=CITY, zoom=zoom, filters=filters)
        assert answer["total"] == 2
    assert {f["properties"]["category"] for f in features(answer)} == {"speeding", "begging"}


def test_the_status_filter_keeps_only_those_statuses(vinnytsia):
    make(vinnytsia, status=Status.SUBMITTED)
    make(vinnytsia, status=Status.CONFIRMED)
    make(vinnytsia, status=Status.RESOLVED, at=(28.44, 49.22))
    filters = map_filters_get(statuses=["confirmed", "resolved"])
    for zoom in (10, 14):
        answer = map_data(bbox=CITY, zoom=zoom, filters=filters)
        assert {item["status"]: item["count"] for item in answer["legend"] if item["count"]} == {
            "confirmed": 1,
            "resolved": 1,
        }


def test_the_period_filter_counts_whole_days_in_the_sites_time_zone(vinnytsia):
    # Kyiv is UTC+3 in June: 2025-06-01 starts at 2025-05-31 21:00 UTC.
    start = dt.datetime(2025, 5, 31, 21, 0, tzinfo=dt.UTC)
    make(vinnytsia, created_at=start - dt.timedelta(microseconds=1))
    make(vinnytsia, created_at=start)
    make(vinnytsia, created_at=start + dt.timedelta(days=10) - dt.timedelta(microseconds=1))
    make(vinnytsia, created_at=start + dt.timedelta(days=10))
    filters = map_filters_get(date_from=dt.date(2025, 6, 1), date_to=dt.date(2025, 6, 10))
    with time_machine.travel(NOW, tick=False):
        for zoom in (10, 14):
            for use_index in (True, False):
                answer = map_data(bbox=CITY, zoom=zoom, filters=filters, use_index=use_index)
                assert answer["total"] == 2, (zoom, use_index)


def test_the_area_filter_keeps_the_reports_of_the_area_and_the_areas_below_it(vinnytsia):
    beat = ServiceAreaFactory(parent=vinnytsia, centre=EXACT, size=0.004)
    make(beat)
    make(vinnytsia, at=(28.44, 49.22))
    other = area_for_point(lon=28.1, lat=49.04)  # Zhmerynka
    make(other, at=(28.1, 49.04))
    region = Area.objects.get(level=Level.REGION, code__startswith="UA05")
    big = (27.0, 48.0, 30.5, 50.0)
    assert map_data(bbox=big, zoom=6, filters=map_filters_get(area_id=region.pk))["total"] == 3
    in_city = map_filters_get(area_id=vinnytsia.pk)
    assert map_data(bbox=big, zoom=6, filters=in_city)["total"] == 2
    assert map_data(bbox=big, zoom=6, filters=map_filters_get(area_id=beat.pk))["total"] == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"category_codes": ["no-such-thing"]}, "category"),
        ({"statuses": ["duplicate"]}, "status"),
        ({"statuses": ["open"]}, "status"),
        ({"date_from": dt.date(2025, 2, 1), "date_to": dt.date(2025, 1, 1)}, "from"),
        ({"area_id": 10**9}, "area"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(kwargs, field):
    with pytest.raises(ApplicationError) as error:
        map_filters_get(**kwargs)
    assert error.value.extra == {"field": field}
    assert error.value.status == 400


# --- the viewport --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "1,2,3",
        "1,2,3,4,5",
        "a,2,3,4",
        "nan,1,2,3",
        "1,2,inf,4",
        "-181,0,1,1",
        "0,-91,1,1",
        "0,0,181,1",
        "2,0,1,1",
        "0,2,1,1",
        "0,0,0,1",
    ],
)
def test_a_bbox_that_is_not_four_ordered_numbers_in_range_is_refused(value):
    with pytest.raises(ApplicationError) as error:
        bbox_parse(value=value)
    assert error.value.extra == {"field": "bbox"}


def test_a_bbox_is_read_as_west_south_east_north():
    assert bbox_parse(value=" 28.1, 49.0 ,28.5,49.3") == (28.1, 49.0, 28.5, 49.3)


@pytest.mark.parametrize("zoom", [-1, 21, 1.5, True])
def test_a_zoom_out_of_range_is_refused(zoom):
    with pytest.raises(ApplicationError) as error:
        map_data(bbox=CITY, zoom=zoom)
    assert error.value.extra == {"field": "zoom"}


def test_a_viewport_too_large_for_its_zoom_is_refused():
    with pytest.raises(ApplicationError) as error:
        map_data(bbox=(20.0, 45.0, 30.0, 50.0), zoom=14)
    assert error.value.extra == {"field": "bbox"}
    map_data(bbox=(20.0, 45.0, 30.0, 50.0), zoom=6)  # fine at a lower zoom


# --- precision -----------------------------------------------------------------------------


def _near_a_cell_centre(value: float) -> bool:
    for level in range(0, map_sql.HIDDEN_MAX_LEVEL + 1):
        step = level_step(level)
        if abs((math.floor(value / step) + 0.5) * step - value) < 1e-4:
            return True
    return False


@pytest.mark.parametrize("use_index", [True, False])
def test_no_answer_at_any_zoom_carries_the_exact_point_of_a_reduced_or_hidden_report(
    vinnytsia, use_index
):
    # The test means something only if no cell centre falls on the hidden point.
    assert not _near_a_cell_centre(HIDDEN_AT[0]) and not _near_a_cell_centre(HIDDEN_AT[1])
    make(vinnytsia, at=REDUCED_AT, code="begging")
    make(vinnytsia, at=REDUCED_AT, code="animal-cruelty", status=Status.CONFIRMED)
    make(vinnytsia, at=HIDDEN_AT, code="drug-use")
    make(vinnytsia, at=HIDDEN_AT, code="minors-at-risk", status=Status.IN_VERIFICATION)
    make(vinnytsia, at=(28.52, 49.26), code="vandalism")  # an exact one shares the cells
    for zoom in range(0, 21):
        for centre in (REDUCED_AT, HIDDEN_AT):
            answer = map_data(bbox=bbox_around(centre, zoom), zoom=zoom, use_index=use_index)
            assert_no_exact_point(answer, REDUCED_AT, HIDDEN_AT)
        for category_code in ("begging", "drug-use"):
            filters = map_filters_get(category_codes=[category_code])
            answer = map_data(
                bbox=bbox_around(REDUCED_AT, zoom), zoom=zoom, filters=filters, use_index=use_index
            )
            assert_no_exact_point(answer, REDUCED_AT, HIDDEN_AT)


def test_a_reduced_report_alone_in_a_cell_sits_at_its_public_point(vinnytsia):
    # Away from its cells' edges at zooms 10 and 12, so the circle fits where the public point
    # is (near an edge the point moves inside the cell: test_map_cells.py).
    at = (28.5092, 49.2512)
    make(vinnytsia, at=at, code="homeless-in-need")
    snapped = public_location_for(Point(*at, srid=GEO_SRID), Precision.REDUCED)
    assert abs(snapped.x - at[0]) > 1e-3 and abs(snapped.y - at[1]) > 1e-3
    for zoom in (10, 12, 16):
        answer = map_data(bbox=bbox_around(at, zoom), zoom=zoom)
        if answer["kind"] == "cells":
            (cell,) = answer["cells"]
            assert (cell["lon"], cell["lat"]) == (round(snapped.x, 5), round(snapped.y, 5))


# --- the index and the database agree ------------------------------------------------------


def _random_reports(vinnytsia: Area, count: int, seed: int = 11) -> None:
    """`count` reports of mixed categories, statuses, ages and areas around Vinnytsia."""
    rng = random.Random(seed)
    codes = ["vandalism", "speeding", "begging", "drug-use", "homeless-in-need", "illegal-dump"]
    areas = [area_for_point(lon=28.1, lat=49.04), vinnytsia]
    statuses = [s for s in Status.values if s != Status.DUPLICATE]
    for i in range(count):
        status = rng.choice(statuses)
        created = NOW - dt.timedelta(days=rng.randint(0, 90), seconds=rng.randint(0, 86399))
        make(
            rng.choice(areas),
            at=(rng.uniform(27.9, 28.7), rng.uniform(48.9, 49.4)),
            code=rng.choice(codes),
            status=status,
            tracking_code=f"RAND-{i:04d}-0000",
            created_at=created,
            verified_at=created + dt.timedelta(days=1) if status != Status.SUBMITTED else None,
        )


def _rows(rows) -> list[tuple]:
    return sorted(
        (
            cx,
            cy,
            s,
            n,
            None if sx is None else round(sx, 7),
            None if sy is None else round(sy, 7),
            p,
        )
        for cx, cy, s, n, sx, sy, p in rows
    )


def test_the_index_counts_exactly_what_the_database_counts(vinnytsia):
    _random_reports(vinnytsia, 250)
    filters_list = [
        MapFilters(),
        map_filters_get(category_codes=["vandalism", "drug-use"]),
        map_filters_get(statuses=["submitted", "not_confirmed"]),
        map_filters_get(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 5, 15)),
        map_filters_get(area_id=vinnytsia.pk),
    ]
    index = map_index_rebuild()
    assert len(index) == Report.objects.count()
    with time_machine.travel(NOW, tick=False):
        for zoom in (4, 7, 9, 10, 12, 14, 17):
            for filters in filters_list:
                bbox = (27.8, 48.8, 28.8, 49.5) if zoom < 12 else (28.3, 49.1, 28.6, 49.3)
                if zoom > 14:
                    bbox = (28.45, 49.22, 28.48, 49.24)
                query = _cell_query(bbox, zoom, filters, NOW)
                assert _rows(index.count_cells(query)) == _rows(map_sql.cells_count(query)), zoom
                a = map_data(bbox=bbox, zoom=zoom, filters=filters, use_index=True)
                b = map_data(bbox=bbox, zoom=zoom, filters=filters, use_index=False)
                assert a == b


def test_the_index_follows_new_reports_and_status_changes(vinnytsia):
    first = make(vinnytsia)
    query = CellQuery(
        level=8, cx0=0, cx1=255, cy0=0, cy1=127, statuses=PUBLIC_STATUSES, with_hidden=True
    )
    assert sum(row[3] for row in map_cells_count(query=query)) == 1
    before = map_index_current()
    make(vinnytsia, at=(28.44, 49.22))
    Report.objects.filter(pk=first.pk).update(status=Status.CONFIRMED)  # no updated_at...
    ReportEvent.objects.create(report=first, action="status_changed", to_status="confirmed")
    rows = map_cells_count(query=query)
    assert sorted((row[2], row[3]) for row in rows) == [("confirmed", 1), ("submitted", 1)]
    assert map_index_current() is not before  # patched, not the same object


def test_the_index_is_rebuilt_when_a_category_changes_its_precision(vinnytsia):
    make(vinnytsia, at=EXACT, code="vandalism")
    small = CellQuery(
        level=16,
        cx0=math.floor(EXACT[0] / level_step(16)),
        cx1=math.floor(EXACT[0] / level_step(16)),
        cy0=math.floor(EXACT[1] / level_step(16)),
        cy1=math.floor(EXACT[1] / level_step(16)),
        statuses=PUBLIC_STATUSES,
        with_hidden=True,
    )
    assert sum(row[3] for row in map_cells_count(query=small)) == 1
    vandalism = category("vandalism")
    vandalism.precision = Precision.HIDDEN
    vandalism.save(update_fields=["precision"])
    Report.objects.filter(category=vandalism).update(public_location=None)
    assert map_cells_count(query=small) == []
