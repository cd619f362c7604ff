"""The outlines behind the public map hold every area in view, whatever the view.

The find-officer maps (static/js/blisko.js) ask GET /api/v1/areas/outlines once per level and
draw the whole answer; the threat map (static/js/map.js) asks for its view only (`bbox`, tested
in blisko/territories/tests/). These tests pin that the whole answer leaves no area out: not by
level, not by the simplification (small areas, areas at a view's edge), and the same with the
area index built or not. The browser side is tested in test_map_outlines_browser.py.
"""

import pytest
import shapely
from django.contrib.gis.geos import Polygon
from django.utils import timezone
from shapely.geometry import box, shape

from blisko.core.geo import GEO_SRID
from blisko.territories.index import index_clear, index_rebuild
from blisko.territories.models import Area, AreaBoundary
from blisko.territories.selectors.outlines import areas_outline

pytestmark = pytest.mark.django_db

URL = "/api/v1/areas/outlines"

# (west, south, east, north) of views residents open: an oblast at zoom 8, Vinnytsia at zoom
# 12 and 14, Konin at zoom 11 and 13 (a 1280 x 900 screen's map).
VIEWS = {
    "vinnytsia-oblast-z8": (26.581, 48.232, 30.613, 49.955),
    "vinnytsia-z12": (28.342, 49.179, 28.594, 49.287),
    "vinnytsia-z14": (28.436, 49.220, 28.499, 49.246),
    "konin-z11": (17.999, 52.122, 18.503, 52.324),
    "konin-z13": (18.188, 52.198, 18.314, 52.248),
}


def areas_in_view(level: str, bbox: tuple[float, float, float, float]) -> set[int]:
    """Ids of the areas of `level` whose boundary in force today meets the view (the database
    answers, not the outlines)."""
    today = timezone.localdate()
    view = Polygon.from_bbox(bbox)
    view.srid = GEO_SRID
    return set(
        AreaBoundary.objects.filter(
            area__level=level,
            valid_from__lte=today,
            valid_to__isnull=True,
            area__valid_to__isnull=True,
            boundary__intersects=view,
        ).values_list("area_id", flat=True)
    )


def outlines_in_view(collection: dict, bbox: tuple[float, float, float, float]) -> set[int]:
    view = box(*bbox)
    return {
        feature["id"]
        for feature in collection["features"]
        if shapely.intersects(shape(feature["geometry"]), view)
    }


@pytest.fixture(params=["index", "database"])
def index_state(request):
    """The selector answers from the area index when it is built, else from the database."""
    if request.param == "index":
        index_rebuild()
    else:
        index_clear()
    yield request.param
    index_clear()


@pytest.mark.parametrize("level", ["region", "district", "community"])
def test_the_outlines_hold_every_area_of_the_level_with_a_boundary_today(index_state, level):
    collection = areas_outline(level=level)

    ids = [feature["id"] for feature in collection["features"]]
    expected = set(
        Area.objects.filter(level=level, valid_to__isnull=True, boundaries__valid_to__isnull=True)
        .values_list("id", flat=True)
        .distinct()
    )
    assert expected
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    for feature in collection["features"]:
        geometry = shape(feature["geometry"])
        assert not geometry.is_empty, feature["properties"]["code"]
        assert geometry.area > 0, feature["properties"]["code"]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("level", ["region", "community"])
def test_every_area_in_a_view_has_its_outline_there(index_state, view, level):
    bbox = VIEWS[view]

    collection = areas_outline(level=level)

    expected = areas_in_view(level, bbox)
    assert expected
    assert outlines_in_view(collection, bbox) == expected


@pytest.mark.parametrize("view", ["vinnytsia-z12", "konin-z13"])
def test_the_api_answers_the_map_with_the_outlines_of_every_community_in_view(client, view):
    response = client.get(URL, {"level": "community"})

    assert response.status_code == 200
    assert outlines_in_view(response.json(), VIEWS[view]) == areas_in_view("community", VIEWS[view])
