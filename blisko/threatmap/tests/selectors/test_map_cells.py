"""The map's count circles never overlap: each cell's circle fits inside the cell.

The page (static/js/map/reports.js) draws a cell as a circle `circle.min_px + circle.px_per_decade *
log10(count)` pixels across (rounded, at most `circle.max_px`; the answer carries the three
numbers) centred on the cell's position. These tests place the circles in pixels the way
Leaflet does (Web Mercator, 256-pixel tiles) and check that no two of them, nor their bounding
squares, meet: over the demo's reports at every zoom from 0 to 12, and over reports put on
purpose at the edges of the cells.
"""

import math
import random

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from blisko.core.geo import GEO_SRID
from blisko.demo.reports import reports_demo_generate
from blisko.reports.models import Precision, Report, Status
from blisko.reports.rules import deadlines_for, public_location_for
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.models import Area
from blisko.territories.selectors.areas import area_for_point
from blisko.threatmap.selectors.map import (
    PUBLIC_STATUSES,
    TILE_PX,
    map_data,
    map_filters_get,
)
from blisko.threatmap.selectors.map_sql import level_step
from conftest import VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

# Around the demo's territories (15.78-36.94 east, 47.46-53.66 north): Wielkopolska in the
# west, Vinnytsia and Dnipropetrovsk oblasts in the east.
DEMO = (15.5, 47.2, 37.2, 53.9)


@pytest.fixture
def vinnytsia() -> Area:
    return area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])


def make(area: Area, at, code="vandalism", status=Status.SUBMITTED, **kwargs):
    return ReportFactory(
        category=category(code),
        area=area,
        location=Point(*at, srid=GEO_SRID),
        status=status,
        **kwargs,
    )


def unrouted(area: Area, at, status: str, number: int) -> Report:
    """A report to bulk-create (many, quickly, without the factory's sequence)."""
    take_up, verify = deadlines_for(timezone.now())
    location = Point(*at, srid=GEO_SRID)
    vandalism = category("vandalism")
    return Report(
        tracking_code=f"EDGE-{number:05d}",
        category=vandalism,
        area=area,
        location=location,
        public_location=public_location_for(location, vandalism.precision),
        status=status,
        take_up_due_at=take_up,
        verify_due_at=verify,
    )


# --- pixels, as Leaflet draws them ----------------------------------------------------------


def pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Leaflet's layer point of (lon, lat) at `zoom`: x east, y south, from the world's corner."""
    world = TILE_PX * 2**zoom
    lat = max(-85.0511287798, min(85.0511287798, lat))
    sine = math.sin(math.radians(lat))
    x = (lon + 180) / 360 * world
    y = (0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)) * world
    return x, y


def diameter(count: int, circle: dict) -> int:
    """static/js/map/reports.js (clamp in map/geometry.js): Math.round(clamp(min + per_decade * log10(count), min, max))."""
    size = circle["min_px"] + circle["px_per_decade"] * math.log10(count)
    return math.floor(min(max(size, circle["min_px"]), circle["max_px"]) + 0.5)


def squares(answer: dict) -> list[tuple[float, float, float, float, int]]:
    """Each cell's circle as its bounding square (x0, y0, x1, y1) in pixels, and its count."""
    out = []
    for cell in answer["cells"]:
        x, y = pixel(cell["lon"], cell["lat"], answer["zoom"])
        half = diameter(cell["count"], answer["circle"]) / 2
        out.append((x - half, y - half, x + half, y + half, cell["count"]))
    return out


def meeting(boxes) -> list[tuple]:
    """Pairs of squares that overlap (or touch); bucketed, so thousands are checked quickly."""
    size = 64.0
    buckets: dict[tuple[int, int], list[int]] = {}
    for i, (x0, y0, x1, y1, _n) in enumerate(boxes):
        for bx in range(math.floor(x0 / size), math.floor(x1 / size) + 1):
            for by in range(math.floor(y0 / size), math.floor(y1 / size) + 1):
                buckets.setdefault((bx, by), []).append(i)
    pairs = set()
    for members in buckets.values():
        for a, i in enumerate(members):
            for j in members[a + 1 :]:
                p, q = boxes[i], boxes[j]
                if p[0] <= q[2] and q[0] <= p[2] and p[1] <= q[3] and q[1] <= p[3]:
                    pairs.add((min(i, j), max(i, j)))
    return [(boxes[i], boxes[j]) for i, j in sorted(pairs)]


def circles_meeting(boxes) -> list[tuple]:
    """Pairs of circles (inside the squares) closer than the sum of their radii."""
    out = []
    for p, q in meeting(boxes):
        dx = (p[0] + p[2]) / 2 - (q[0] + q[2]) / 2
        dy = (p[1] + p[3]) / 2 - (q[1] + q[3]) / 2
        if math.hypot(dx, dy) < (p[2] - p[0]) / 2 + (q[2] - q[0]) / 2:
            out.append((p, q))
    return out


def views(bbox: tuple[float, float, float, float], zoom: int):
    """Viewports covering `bbox`, each of at most 30 x 30 whole cells of `zoom` (7.5 tiles),
    so no answer falls back to coarser cells and every cell is counted at the zoom's level."""
    step = level_step(zoom + 2)
    west, south, east, north = bbox
    block = 30 * step
    eps = step * 1e-6
    x = math.floor(west / step) * step
    while x < east:
        y = math.floor(south / step) * step
        while y < north:
            yield (
                max(x + eps, west),
                max(y + eps, south),
                min(x + block - eps, east),
                min(y + block - eps, north),
            )
            y += block
        x += block


def every_cell(bbox, zoom: int, **kwargs) -> dict:
    """The cells of every viewport over `bbox` at `zoom`, as one answer (a cell is counted
    whole, so two viewports meeting in it show it alike: it is kept once)."""
    cells = {}
    circle = None
    for view in views(bbox, zoom):
        answer = map_data(bbox=view, zoom=zoom, **kwargs)
        assert answer["kind"] == "cells"
        assert answer["cell_size"] == level_step(zoom + 2)
        circle = answer["circle"]
        for cell in answer["cells"]:
            cells[(cell["lon"], cell["lat"])] = cell
    return {"zoom": zoom, "circle": circle, "cells": list(cells.values())}


# --- the tests ------------------------------------------------------------------------------


def test_over_the_demo_no_two_circles_meet_at_any_zoom_up_to_12():
    reports_demo_generate(count=5000, seed=2018)
    total = map_data(bbox=DEMO, zoom=0)["total"]
    assert total > 2500  # the others are duplicates, or not confirmed for over 30 days
    for zoom in range(0, 13):
        answer = every_cell(DEMO, zoom)
        boxes = squares(answer)
        assert sum(box[4] for box in boxes) == total, zoom
        assert meeting(boxes) == [], zoom
        assert circles_meeting(boxes) == [], zoom
    # Several cells at zoom 5 (the whole map on a desktop screen): around Vinnytsia they hold
    # reports near their shared edges, and their circles met before they were kept inside.
    assert len(every_cell(DEMO, 5)["cells"]) >= 8


@pytest.mark.parametrize("zoom", range(0, 13))
def test_reports_pressed_against_the_cells_edges_still_leave_the_circles_apart(vinnytsia, zoom):
    # Around Vinnytsia, a few or many reports just inside each corner of a block of up to 3 x 3
    # cells of this zoom: without the circles kept inside their cells, four would meet at each
    # corner.
    rng = random.Random(zoom)
    step = level_step(zoom + 2)
    cx0 = math.floor(VINNYTSIA_CENTRE[0] / step)
    cy0 = math.floor(VINNYTSIA_CENTRE[1] / step)
    columns = [cx for cx in range(cx0, cx0 + 3) if (cx + 1) * step <= 180]
    rows = [cy for cy in range(cy0, cy0 + 3) if (cy + 1) * step <= 90]
    inset = step * 1e-3
    reports = []
    for cx in columns:
        for cy in rows:
            for corner_x, corner_y in ((0, 0), (0, 1), (1, 0), (1, 1)):
                x = (cx + corner_x) * step + (inset if corner_x == 0 else -inset)
                y = (cy + corner_y) * step + (inset if corner_y == 0 else -inset)
                for _ in range(rng.choice([1, 3, 30, 300])):
                    reports.append(
                        unrouted(
                            vinnytsia, (x, min(y, 85.0)), rng.choice(PUBLIC_STATUSES), len(reports)
                        )
                    )
    Report.objects.bulk_create(reports)
    bbox = (columns[0] * step, rows[0] * step, (columns[-1] + 1) * step, (rows[-1] + 1) * step)
    answer = every_cell(bbox, zoom)
    boxes = squares(answer)
    assert sum(box[4] for box in boxes) == len(reports)
    assert len(boxes) == len(columns) * len(rows)
    assert meeting(boxes) == []
    assert circles_meeting(boxes) == []


def test_a_cell_whose_reports_lie_at_its_edge_keeps_its_circle_inside_it(vinnytsia):
    # One cell of level 8 (zoom 6): 28.125-29.53125 east, 49.21875-50.625 north. The mean,
    # (28.43, 49.24), lies 14 pixels from the west edge and 6 from the south one.
    make(vinnytsia, at=(28.41, 49.22), status=Status.SUBMITTED)
    make(vinnytsia, at=(28.43, 49.24), status=Status.SUBMITTED)
    make(vinnytsia, at=(28.45, 49.26), status=Status.CONFIRMED)
    answer = map_data(bbox=(26.0, 48.0, 31.0, 51.0), zoom=6)
    (cell,) = answer["cells"]
    assert cell["count"] == 3
    x, y = pixel(cell["lon"], cell["lat"], 6)
    west, north = pixel(28.125, 50.625, 6)
    east, south = pixel(29.53125, 49.21875, 6)
    radius = diameter(3, answer["circle"]) / 2
    assert west + radius < x < east - radius
    assert north + radius < y < south - radius
    # Moved no further than it had to: by the pixels it lacked, about.
    mean_x, mean_y = pixel(28.43, 49.24, 6)
    assert abs(x - (west + radius + 1)) < 0.1 and x > mean_x
    assert abs(y - (south - radius - 1)) < 0.1 and y < mean_y


def test_a_reduced_report_at_a_cells_edge_sits_where_one_at_its_public_point_would(vinnytsia):
    # 28.4812, 49.2392 lies near cells' edges at zooms 6, 10 and 12: the circle moves inside,
    # from the public point, exactly as for an exact report made at that point.
    at = (28.4812, 49.2392)
    make(vinnytsia, at=at, code="homeless-in-need")
    snapped = public_location_for(Point(*at, srid=GEO_SRID), Precision.REDUCED)
    make(vinnytsia, at=(snapped.x, snapped.y), code="vandalism")
    reduced = map_filters_get(category_codes=["homeless-in-need"])
    exact = map_filters_get(category_codes=["vandalism"])
    for zoom in (6, 10, 12):
        bbox = (at[0] - 0.5, at[1] - 0.3, at[0] + 0.5, at[1] + 0.3)
        (cell,) = map_data(bbox=bbox, zoom=zoom, filters=reduced)["cells"]
        (twin,) = map_data(bbox=bbox, zoom=zoom, filters=exact)["cells"]
        assert (cell["lon"], cell["lat"]) == (twin["lon"], twin["lat"]), zoom


def test_a_cell_with_only_hidden_reports_keeps_its_circle_at_the_cells_centre(vinnytsia):
    make(vinnytsia, at=(28.4572, 49.2272), code="drug-use")
    for zoom in (0, 4, 8, 12):
        answer = map_data(bbox=(28.4, 49.2, 28.5, 49.25), zoom=zoom)
        (cell,) = answer["cells"]
        step = answer["cell_size"]
        assert step == level_step(zoom + 2)
        assert cell["lon"] == round((math.floor(28.4572 / step) + 0.5) * step, 5)
        assert cell["lat"] == round((math.floor(49.2272 / step) + 0.5) * step, 5)


def test_the_answer_tells_the_page_how_large_it_draws_the_circles(vinnytsia):
    make(vinnytsia, at=VINNYTSIA_CENTRE)
    for zoom in (6, 16):
        answer = map_data(bbox=(28.46, 49.23, 28.47, 49.235), zoom=zoom)
        assert answer["circle"] == {"min_px": 26, "max_px": 60, "px_per_decade": 7}
    # The largest circle fits a cell with a pixel to spare on each side.
    assert answer["circle"]["max_px"] + 2 <= TILE_PX >> 2
