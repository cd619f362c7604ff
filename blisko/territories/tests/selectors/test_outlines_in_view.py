"""`areas_outline_in_view`: the outlines a map needs for one view, simplified for its zoom.

Only the areas whose boundary meets the view (the database says which), none met by the box
the map already holds (`known`), each simplified to about half a pixel at the zoom and still
a valid, non-empty polygon; the same answer from the area index and from the database.
"""

import pytest
import shapely
from django.contrib.gis.geos import Polygon
from django.utils import timezone
from shapely.geometry import shape

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.territories.index import current_index, index_clear, index_rebuild
from blisko.territories.models import Area, AreaBoundary
from blisko.territories.selectors import outlines
from blisko.territories.selectors.outlines import (
    OUTLINE_MAX_ZOOM,
    areas_outline,
    areas_outline_in_view,
    outline_tolerance,
)

pytestmark = pytest.mark.django_db

# (west, south, east, north) of views a 1280 x 900 screen's map opens, with the page's margin.
VIEWS = {
    "vinnytsia-z12": (28.279, 49.152, 28.657, 49.313, 12),
    "vinnytsia-oblast-z8": (25.573, 47.801, 31.621, 50.385, 8),
    "konin-z11": (17.873, 52.072, 18.629, 52.374, 11),
    "dnipro-z10": (34.6, 48.2, 35.4, 48.7, 10),
}
EVERYWHERE = (-180.0, -85.0, 180.0, 85.0)


def in_view(level: str, bbox) -> set[int]:
    """Ids of the areas of `level` whose boundary in force today meets `bbox` (the database)."""
    today = timezone.localdate()
    box = Polygon.from_bbox(bbox)
    box.srid = GEO_SRID
    return set(
        AreaBoundary.objects.filter(
            area__level=level,
            valid_from__lte=today,
            valid_to__isnull=True,
            area__valid_to__isnull=True,
            boundary__intersects=box,
        ).values_list("area_id", flat=True)
    )


def ids(collection: dict) -> set[int]:
    found = [feature["id"] for feature in collection["features"]]
    assert len(found) == len(set(found))
    return set(found)


@pytest.fixture(params=["index", "database"])
def index_state(request):
    """The selector answers from the area index when it is built, else from the database."""
    if request.param == "index":
        index_rebuild()
    else:
        index_clear()
    yield request.param
    index_clear()


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("level", ["region", "district", "community"])
def test_only_the_areas_meeting_the_view_are_answered(index_state, view, level):
    *bbox, zoom = VIEWS[view]

    collection = areas_outline_in_view(level=level, bbox=tuple(bbox), zoom=zoom)

    assert collection["type"] == "FeatureCollection"
    assert ids(collection) == in_view(level, tuple(bbox))
    assert ids(collection)
    assert len(ids(collection)) < Area.objects.filter(level=level).count()
    codes = [feature["properties"]["code"] for feature in collection["features"]]
    assert codes == sorted(codes)
    for feature in collection["features"]:
        assert feature["properties"]["level"] == level
        assert set(feature["properties"]) == {"id", "code", "name", "level"}


def test_the_country_narrows_the_view(index_state):
    everything = areas_outline_in_view(level="community", bbox=EVERYWHERE, zoom=3)
    polish = areas_outline_in_view(level="community", bbox=EVERYWHERE, zoom=3, country="PL")

    assert ids(everything) == set(
        Area.objects.filter(level="community").values_list("id", flat=True)
    )
    assert ids(polish) == set(
        Area.objects.filter(level="community", country="PL").values_list("id", flat=True)
    )


def test_the_areas_meeting_the_known_box_are_left_out(index_state):
    # The map panned east at zoom 12: it holds the first box's outlines.
    first = (28.279, 49.152, 28.657, 49.313)
    second = (28.52, 49.152, 28.898, 49.313)

    held = areas_outline_in_view(level="community", bbox=first, zoom=12)
    new = areas_outline_in_view(level="community", bbox=second, zoom=12, known=first)

    assert ids(new) == in_view("community", second) - in_view("community", first)
    assert ids(new) and ids(new).isdisjoint(ids(held))
    assert ids(held) | ids(new) >= in_view("community", second)


@pytest.mark.parametrize("level", ["region", "district", "community"])
def test_every_outline_stays_a_valid_polygon_at_every_zoom(index_state, level):
    originals = {
        area.pk: shapely.from_wkb(bytes(area.boundary.wkb))
        for area in Area.objects.filter(level=level).exclude(boundary=None)
    }
    vertices = []
    for zoom in range(0, OUTLINE_MAX_ZOOM + 1):
        collection = areas_outline_in_view(level=level, bbox=EVERYWHERE, zoom=zoom)
        assert ids(collection) == set(originals)
        count = 0
        for feature in collection["features"]:
            geometry = shape(feature["geometry"])
            code = feature["properties"]["code"]
            assert geometry.geom_type in ("Polygon", "MultiPolygon"), (zoom, code)
            assert not geometry.is_empty and geometry.is_valid, (zoom, code)
            assert geometry.area > 0, (zoom, code)
            # Within a pixel of the boundary (twice the tolerance: the simplifier keeps the
            # topology, and lines between kept vertices may stray a little further), plus the
            # rounding of the coordinates.
            original = originals[feature["id"]]
            assert shapely.hausdorff_distance(geometry, original) <= (
                outline_tolerance(zoom=zoom) * 2 + 1e-6
            ), (zoom, code)
            count += shapely.get_num_coordinates(geometry)
        vertices.append(count)
    # Fewer vertices zoomed out: the outlines weigh what the zoom can show.
    assert vertices[4] < vertices[8] < vertices[12]
    assert vertices[0] <= vertices[4]


def test_half_a_pixel_is_the_tolerance():
    # At zoom 12 a pixel is 360 / 2**20 degrees east-west; at 55° N, 0.57 of that north-south.
    assert outline_tolerance(zoom=12) == pytest.approx(0.5 * 360 / 2**20 * 0.5736, rel=1e-3)
    assert outline_tolerance(zoom=13) == pytest.approx(outline_tolerance(zoom=12) / 2)


def test_the_index_and_the_database_give_the_same_outlines(monkeypatch):
    *bbox, zoom = VIEWS["konin-z11"]
    index_rebuild()
    from_index = areas_outline_in_view(level="community", bbox=tuple(bbox), zoom=zoom)
    # As while the index is being rebuilt: the database answers.
    monkeypatch.setattr("blisko.territories.selectors.outlines.current_index", lambda: None)

    assert areas_outline_in_view(level="community", bbox=tuple(bbox), zoom=zoom) == from_index
    index_clear()


def test_the_whole_level_outline_is_unchanged_without_a_view(index_state):
    # Callers without a view (the find-officer map) still get every area, as before.
    collection = areas_outline(level="community")
    assert ids(collection) == set(
        Area.objects.filter(level="community").values_list("id", flat=True)
    )


def test_the_outlines_of_views_are_cached_within_a_budget_of_vertices(monkeypatch):
    snapshot = index_rebuild()
    *bbox, zoom = VIEWS["vinnytsia-oblast-z8"]
    first = areas_outline_in_view(level="community", bbox=tuple(bbox), zoom=zoom)
    again = areas_outline_in_view(level="community", bbox=tuple(bbox), zoom=zoom)
    assert [f["geometry"] for f in again["features"]] == [f["geometry"] for f in first["features"]]
    assert all(
        a["geometry"] is b["geometry"]
        for a, b in zip(first["features"], again["features"], strict=True)
    )
    assert snapshot.memo["outline-view-vertices"] > 0

    monkeypatch.setattr(outlines, "OUTLINE_VIEW_CACHE_VERTICES", 2000)
    for zoom in range(5, 13):
        areas_outline_in_view(level="community", bbox=tuple(bbox), zoom=zoom)
        assert current_index().memo["outline-view-vertices"] <= 2000 or (
            len(current_index().memo["outline-views"]) == 1
        )
    index_clear()


@pytest.mark.parametrize("arguments", [{"level": "planet"}, {"level": "region", "country": "XX"}])
def test_an_unknown_level_or_country_is_refused(arguments):
    with pytest.raises(ApplicationError):
        areas_outline_in_view(bbox=(28.0, 49.0, 29.0, 50.0), zoom=8, **arguments)
