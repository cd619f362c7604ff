"""The maps draw the outline of every area in view, and a resident can see them (Chromium).

The threat map asks for the regions (filled white: the land, on the map's grey) and the
communities (lines) of its view at once. It used to put each answer under everything else as it
came, so when the communities came last, as the larger answer usually does, the regions' white
covered every one of them. The tests hold one answer back until the other is drawn, then check
that the page drew every area the database has in view and that their lines show on screen.
"""

import io

import pytest
import shapely
from django.contrib.gis.geos import Point, Polygon
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from shapely.geometry import box, shape

from blisko.core.geo import GEO_SRID
from blisko.core.testing.browser import DESKTOP
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.models import Area, AreaBoundary
from blisko.territories.selectors.areas import area_for_point
from conftest import KONIN_CENTRE, VINNYTSIA_CENTRE, load_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Leaflet layers the page drew for one level: id, GeoJSON (as drawn) and the container points
# of their rings, plus the view's bounds and the container's size.
DRAWN_JS = """(selector) => {
  const element = document.querySelector(selector);
  const map = element.bliskoMap;
  const bounds = map.getBounds();
  const rings = (latlngs) => (latlngs.length && latlngs[0].lat !== undefined)
    ? [latlngs] : latlngs.flatMap(rings);
  const layers = [];
  map.eachLayer((layer) => {
    if (!layer.feature || !layer.feature.properties || !layer.getLatLngs) { return; }
    layers.push({
      id: layer.feature.properties.id,
      level: layer.feature.properties.level,
      geometry: layer.toGeoJSON().geometry,
      drawn: Boolean(layer._path && (layer._path.getAttribute("d") || "").length > 4),
      rings: rings(layer.getLatLngs()).map((ring) => ring.map((point) => {
        const p = map.latLngToContainerPoint(point);
        return [p.x, p.y];
      })),
    });
  });
  const size = map.getSize();
  return {
    bbox: [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()],
    size: [size.x, size.y],
    border: [element.clientLeft, element.clientTop],
    layers: layers,
  };
}"""

COUNT_JS = """([selector, level]) => {
  const map = document.querySelector(selector).bliskoMap;
  let count = 0;
  map.eachLayer((layer) => {
    if (layer.feature && layer.feature.properties && layer.feature.properties.level === level) {
      count += 1;
    }
  });
  return count;
}"""


def in_view_from_database(level: str, bbox: list[float]) -> set[int]:
    """Ids of the areas of `level` whose boundary in force today meets the view."""
    today = timezone.localdate()
    view = Polygon.from_bbox(tuple(bbox))
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


def in_view_on_page(drawn: dict, level: str) -> set[int]:
    view = box(*drawn["bbox"])
    return {
        layer["id"]
        for layer in drawn["layers"]
        if layer["level"] == level and shapely.intersects(shape(layer["geometry"]), view)
    }


def _segments(rings):
    for ring in rings:
        yield from zip(ring, ring[1:] + ring[:1], strict=True)


def border_points(drawn: dict, *, margin: int = 90, clearance: float = 6.0) -> dict[int, tuple]:
    """For each community in view, one vertex of its outline well inside the map (clear of the
    zoom buttons and the attribution), on a region's white land and clear of every region's
    line, in container pixels: only the community's own line can colour the screen there."""
    width, height = drawn["size"]
    region_rings = [
        ring for layer in drawn["layers"] if layer["level"] == "region" for ring in layer["rings"]
    ]
    region_lines = shapely.MultiLineString([[a, b] for a, b in _segments(region_rings)])
    ring_areas = [shapely.Polygon(ring) for ring in region_rings]

    def on_land(point) -> bool:
        # Even-odd over the rings: inside an outer ring and not in one of its holes.
        return sum(area.contains(point) for area in ring_areas) % 2 == 1

    points = {}
    for layer in drawn["layers"]:
        if layer["level"] != "community":
            continue
        for ring in layer["rings"]:
            for x, y in ring:
                inside = margin <= x <= width - margin and margin <= y <= height - margin
                point = shapely.Point(x, y)
                if inside and on_land(point) and shapely.distance(point, region_lines) >= clearance:
                    points[layer["id"]] = (x, y)
                    break
            if layer["id"] in points:
                break
    return points


def line_shows_at(image: Image.Image, point: tuple, border: list[int]) -> bool:
    """Something darker than the white land is painted within 2 px of the point."""
    x = round(point[0]) + border[0]
    y = round(point[1]) + border[1]
    pixels = [image.getpixel((x + dx, y + dy)) for dx in range(-2, 3) for dy in range(-2, 3)]
    return any(min(pixel[:3]) < 235 for pixel in pixels)


def wait_for_outlines(page, level: str, count: int) -> None:
    """Until the threat map has drawn `count` outlines of `level`."""
    page.wait_for_function(
        f"(args) => ({COUNT_JS})(args.slice(0, 2)) >= args[2]", arg=["#threat-map", level, count]
    )


def open_map_holding_back(browser, path: str, held_level: str, other_level: str):
    """Open the threat map with the outlines of `held_level` answered only once those of
    `other_level` are drawn."""
    page = browser.page
    held = []

    def hold(route):
        held.append(route)

    page.route(f"**/api/v1/areas/outlines?level={held_level}*", hold)
    browser.open(path)
    wait_for_outlines(page, other_level, 1)
    assert len(held) == 1
    held[0].continue_()
    return page


def wait_for_every_outline(page) -> None:
    """Until the threat map has asked for, and drawn, the outlines of its view."""
    expect(page.locator("#threat-map[data-ready='1']")).to_have_count(1)
    expect(page.locator("#threat-map[data-outlines-ready='1']")).to_have_count(1)


def assert_every_community_in_view_is_drawn_and_shows(page, minimum: int) -> None:
    wait_for_every_outline(page)
    drawn = page.evaluate(DRAWN_JS, "#threat-map")

    expected = in_view_from_database("community", drawn["bbox"])
    assert len(expected) >= minimum
    assert in_view_on_page(drawn, "community") == expected
    assert in_view_on_page(drawn, "region") == in_view_from_database("region", drawn["bbox"])
    assert all(layer["drawn"] for layer in drawn["layers"] if layer["id"] in expected)

    points = border_points(drawn)
    assert len(points) >= minimum
    image = Image.open(io.BytesIO(page.locator("#threat-map").screenshot())).convert("RGB")
    hidden = [
        area_id
        for area_id, point in points.items()
        if not line_shows_at(image, point, drawn["border"])
    ]
    assert hidden == [], "these communities' outlines are drawn but covered"


def test_the_communities_show_when_their_outlines_arrive_after_the_regions(browser_page):
    load_territories(places=False)
    browser = browser_page(viewport=DESKTOP)
    lon, lat = VINNYTSIA_CENTRE
    page = open_map_holding_back(
        browser, f"/map/?lat={lat}&lon={lon}&zoom=12", "community", "region"
    )

    assert_every_community_in_view_is_drawn_and_shows(page, minimum=4)
    browser.screenshot("map-outlines-vinnytsia-z12")
    browser.check.assert_clean()


def test_the_communities_show_when_their_outlines_arrive_before_the_regions(browser_page):
    load_territories(places=False)
    browser = browser_page(viewport=DESKTOP)
    lon, lat = KONIN_CENTRE
    page = open_map_holding_back(
        browser, f"/map/?lat={lat}&lon={lon}&zoom=11", "region", "community"
    )

    assert_every_community_in_view_is_drawn_and_shows(page, minimum=5)
    browser.check.assert_clean()


def test_the_whole_map_opens_on_every_region_and_community(browser_page):
    load_territories(places=False)
    browser = browser_page(viewport=DESKTOP)
    page = browser.open("/map/")

    expect(page.locator("#threat-map[data-outlines]")).to_have_count(1)
    regions = Area.objects.filter(level="region").count()
    communities = Area.objects.filter(level="community").count()
    expect(page.locator("#threat-map")).to_have_attribute(
        "data-outlines", f"{regions} {communities}"
    )
    expect(page.locator("#threat-map[data-ready='1']")).to_have_count(1)
    drawn = page.evaluate(DRAWN_JS, "#threat-map")
    assert in_view_on_page(drawn, "region") == set(
        Area.objects.filter(level="region").values_list("id", flat=True)
    )
    assert in_view_on_page(drawn, "community") == set(
        Area.objects.filter(level="community").values_list("id", flat=True)
    )
    browser.check.assert_clean()


def test_the_find_officer_map_draws_every_community(browser_page):
    load_territories(places=False)
    browser = browser_page(viewport=DESKTOP)
    page = browser.open("/")

    expect(page.locator("[data-home-map][data-ready='1']")).to_have_count(1)
    drawn = page.evaluate(DRAWN_JS, "[data-home-map]")
    assert in_view_on_page(drawn, "community") == set(
        Area.objects.filter(level="community").values_list("id", flat=True)
    )
    assert all(layer["drawn"] for layer in drawn["layers"] if layer["level"] == "community")
    browser.check.assert_clean()


def test_over_tiles_the_regions_are_lines_and_leave_the_tiles_seen(browser_page, settings):
    # A tile "layer" the live server serves itself, so the page asks no other host.
    settings.BLISKO_TILE_URL = "/static/leaflet/images/layers.png?{z}/{x}/{y}"
    load_territories(places=False)
    browser = browser_page(viewport=DESKTOP)
    lon, lat = VINNYTSIA_CENTRE
    page = browser.open(f"/map/?lat={lat}&lon={lon}&zoom=9")

    wait_for_every_outline(page)
    expect(page.locator("#threat-map .leaflet-tile-loaded").first).to_be_visible()
    drawn = page.evaluate(DRAWN_JS, "#threat-map")
    in_view = in_view_from_database("region", drawn["bbox"])
    assert in_view and in_view <= in_view_on_page(drawn, "region")
    regions = page.locator("#threat-map .leaflet-outlines-region-pane path")
    expect(regions).to_have_count(len([x for x in drawn["layers"] if x["level"] == "region"]))
    for index in range(regions.count()):
        expect(regions.nth(index)).to_have_attribute("fill", "none")
    browser.check.assert_clean()


# --- what the map says when it shows no report ----------------------------------------------


def test_the_map_says_why_it_shows_no_report(browser_page):
    load_territories(places=False)
    area = area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])
    ReportFactory(
        category=category("vandalism"), area=area, location=Point(*VINNYTSIA_CENTRE, srid=GEO_SRID)
    )
    browser = browser_page(viewport=DESKTOP)
    lon, lat = VINNYTSIA_CENTRE
    page = browser.open(f"/map/?lat={lat}&lon={lon}&zoom=16")
    empty = page.locator("[data-map-empty]")
    expect(page.locator("#threat-map[data-ready='1'][data-kind='points']")).to_have_count(1)
    expect(page.locator("[data-map-total]")).to_have_text("1")
    expect(empty).to_be_hidden()

    page.locator("#map-category").select_option("speeding")
    expect(empty).to_be_visible()
    expect(empty).to_have_text(page.locator("#threat-map").get_attribute("data-msg-empty-filtered"))
    expect(page.locator("#threat-map path.report-marker")).to_have_count(0)

    page.locator("#map-category").select_option("")
    expect(page.locator("#threat-map path.report-marker")).to_have_count(1)
    expect(empty).to_be_hidden()
    for checkbox in page.locator("[data-status-filter]").all():
        checkbox.uncheck()
    expect(empty).to_have_text(page.locator("#threat-map").get_attribute("data-msg-no-status"))
    expect(page.locator("#threat-map path.report-marker")).to_have_count(0)
    browser.screenshot("map-no-status")

    page.goto(browser.base_url + f"/map/?lat={lat + 0.5}&lon={lon}&zoom=16")
    expect(page.locator("#threat-map[data-ready='1']")).to_have_count(1)
    expect(page.locator("[data-map-total]")).to_have_text("0")
    expect(empty).to_have_text(page.locator("#threat-map").get_attribute("data-msg-empty"))
    browser.check.assert_clean()


def test_a_refused_period_leaves_no_report_of_the_last_answer_on_the_map(browser_page):
    load_territories(places=False)
    area = area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])
    ReportFactory(
        category=category("vandalism"), area=area, location=Point(*VINNYTSIA_CENTRE, srid=GEO_SRID)
    )
    browser = browser_page(viewport=DESKTOP)
    lon, lat = VINNYTSIA_CENTRE
    page = browser.open(f"/map/?lat={lat}&lon={lon}&zoom=16")
    expect(page.locator("#threat-map path.report-marker")).to_have_count(1)

    page.locator("input[name='from']").fill("2026-05-01")
    page.locator("input[name='to']").fill("2026-01-01")
    expect(page.locator("[data-map-status]")).not_to_be_empty()
    expect(page.locator("#threat-map path.report-marker")).to_have_count(0)
    expect(page.locator("[data-map-total]")).not_to_have_text("1")
    browser.check.assert_clean()
