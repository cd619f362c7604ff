"""GET /api/v1/areas/outlines with `bbox` and `zoom` (and `known`): the outlines of a map's view.

A bad view is refused with the threat map's own messages (one parser, one set of limits), in
the request's language; without `bbox` the answer is every area of the level, as before.
"""

from urllib.parse import urlencode

import pytest
from shapely.geometry import shape

from blisko.api.tests.helpers import (
    assert_matches_schema,
    refusal_in_three_languages,
    refusal_messages,
)
from blisko.territories.models import Area
from blisko.territories.selectors.outlines import outline_tolerance
from blisko.territories.tests.selectors.test_outlines_in_view import in_view

pytestmark = pytest.mark.django_db

URL = "/api/v1/areas/outlines"
MAP_URL = "/api/v1/map"
VINNYTSIA_Z12 = "28.279,49.152,28.657,49.313"
PANNED_EAST = "28.52,49.152,28.898,49.313"


def url(**params) -> str:
    return f"{URL}?{urlencode(params)}"


def box(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(","))


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {feature["id"] for feature in response.json()["features"]}


def vertices(response) -> int:
    total = 0
    for feature in response.json()["features"]:
        geometry = shape(feature["geometry"])
        parts = getattr(geometry, "geoms", [geometry])
        total += sum(len(part.exterior.coords) for part in parts)
    return total


def test_with_a_view_only_its_areas_come_simplified_for_the_zoom(client):
    response = client.get(url(level="community", bbox=VINNYTSIA_Z12, zoom=12))

    assert ids(response) == in_view("community", box(VINNYTSIA_Z12))
    assert 1 < len(ids(response)) < Area.objects.filter(level="community").count()
    assert_matches_schema(response.json(), path=URL)
    for feature in response.json()["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and not geometry.is_empty


def test_the_known_box_leaves_out_what_the_map_holds(client):
    held = ids(client.get(url(level="community", bbox=VINNYTSIA_Z12, zoom=12)))
    new = ids(client.get(url(level="community", bbox=PANNED_EAST, zoom=12, known=VINNYTSIA_Z12)))

    assert new == in_view("community", box(PANNED_EAST)) - in_view("community", box(VINNYTSIA_Z12))
    assert new and new.isdisjoint(held)


def test_a_whole_view_zoomed_out_weighs_less_than_the_old_answer(client):
    whole = "2.175293,40.143772,50.559082,60.190012"  # the demo's whole map on a desktop

    old = client.get(url(level="community"))
    view = client.get(url(level="community", bbox=whole, zoom=5))

    assert ids(view) == ids(old)
    assert len(view.content) < len(old.content) / 2
    assert vertices(view) < vertices(old)


def test_a_zoom_without_a_view_simplifies_every_area_for_it(client):
    coarse = client.get(url(level="community", zoom=5))
    fine = client.get(url(level="community", zoom=10))

    assert ids(coarse) == ids(fine) == ids(client.get(url(level="community")))
    assert vertices(coarse) < vertices(fine)
    assert outline_tolerance(zoom=5) > outline_tolerance(zoom=10)


@pytest.mark.parametrize(
    "bbox",
    [
        "",
        "28,49,29",
        "a,49,29,50",
        "28,49,29,nan",
        "28,91,29,92",
        "29,49,28,50",
        "-181,49,29,50",
    ],
)
def test_a_bad_view_is_refused_with_the_maps_own_message_in_three_languages(client, bbox):
    outlines = refusal_in_three_languages(client, url(level="region", bbox=bbox, zoom=10))
    threat_map = refusal_messages(
        client, f"{MAP_URL}?{urlencode({'bbox': bbox, 'zoom': 10})}", status=400
    )

    assert outlines == threat_map
    body = client.get(url(level="region", bbox=bbox, zoom=10)).json()
    assert body["extra"] == {"field": "bbox"}


def test_a_view_too_large_for_its_zoom_is_refused_as_the_map_refuses_it(client):
    params = {"bbox": "20,45,30,50", "zoom": 14}
    outlines = refusal_in_three_languages(client, url(level="community", **params))

    assert outlines == refusal_messages(client, f"{MAP_URL}?{urlencode(params)}", status=400)


@pytest.mark.parametrize("zoom", ["21", "-1", "ten", "1.5"])
def test_a_bad_zoom_is_refused_as_the_map_refuses_it(client, zoom):
    outlines = refusal_in_three_languages(
        client, url(level="region", bbox=VINNYTSIA_Z12, zoom=zoom)
    )
    threat_map = refusal_messages(
        client, f"{MAP_URL}?{urlencode({'bbox': VINNYTSIA_Z12, 'zoom': zoom})}", status=400
    )

    assert outlines == threat_map


def test_a_view_needs_its_zoom_and_a_known_box_needs_a_view(client):
    no_zoom = refusal_in_three_languages(client, url(level="region", bbox=VINNYTSIA_Z12))
    no_view = refusal_in_three_languages(client, url(level="region", zoom=12, known=VINNYTSIA_Z12))

    assert "zoom" in no_zoom["en"]
    assert "bbox" in no_view["en"]


@pytest.mark.parametrize("known", ["28,49,29", "x,49,29,50", "29,49,28,50", "28,49,29,95"])
def test_a_bad_known_box_is_refused_naming_it(client, known):
    address = url(level="region", bbox=VINNYTSIA_Z12, zoom=12, known=known)
    messages = refusal_messages(client, address, status=400)

    assert "known" in messages["en"]
    assert client.get(address).json()["extra"] == {"field": "known"}
