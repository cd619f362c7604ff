"""The threat map in Chromium: count circles that never overlap, outlines fetched for the view
only (and, when panned, only the new ones), and a refused period named in the form's words.

The whole map of the demo used to stack its circles ("24…" under "978"; "140", "68" and "183"
on top of each other); the outlines of every community came with every page; a period that
ends before it starts was refused with the API's parameter names ("from", "to").
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from blisko.core.geo import GEO_SRID
from blisko.core.testing.browser import DESKTOP, PHONE
from blisko.demo.reports import reports_demo_generate
from blisko.public.tests.test_map_outlines_browser import (
    DRAWN_JS,
    in_view_from_database,
    in_view_on_page,
)
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.selectors.areas import area_for_point
from conftest import VINNYTSIA_CENTRE, load_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each count circle's box on the screen, with its number.
CIRCLES_JS = """() => Array.from(document.querySelectorAll("#threat-map .map-cell")).map((e) => {
  const r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom, e.textContent];
})"""

# Per level, the area ids the page holds and the Leaflet id of each one's layer.
HELD_JS = """() => {
  const map = document.querySelector("#threat-map").bliskoMap;
  const held = {region: {}, community: {}};
  map.eachLayer((layer) => {
    const p = layer.feature && layer.feature.properties;
    if (p && held[p.level]) { held[p.level][p.id] = L.stamp(layer); }
  });
  return held;
}"""


def number(text: str) -> int:
    """A count as the page shows it ("1 022", with whatever space the locale groups by)."""
    return int(re.sub(r"\D", "", text))


def overlapping(boxes) -> list[tuple]:
    return [
        (a[4], b[4])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


def test_at_the_whole_demo_view_no_two_count_circles_meet(browser_page):
    load_territories(places=False)
    reports_demo_generate(count=5000, seed=2018)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        browser = browser_page(viewport=viewport)
        page = browser.open("/map/")
        expect(page.locator("#threat-map[data-ready='1'][data-kind='cells']")).to_have_count(1)
        expect(page.locator("#threat-map[data-outlines-ready='1']")).to_have_count(1)
        boxes = page.evaluate(CIRCLES_JS)
        assert len(boxes) >= 4, name
        total = number(page.locator("[data-map-total]").inner_text())
        assert sum(number(box[4]) for box in boxes) == total
        assert overlapping(boxes) == [], name
        if name == "desktop":
            browser.screenshot("map-whole-demo-circles")
        browser.check.assert_clean()


def test_panning_fetches_only_the_outlines_of_new_areas(browser_page):
    load_territories(places=False)
    browser = browser_page(viewport=DESKTOP)
    lon, lat = VINNYTSIA_CENTRE
    page = browser.open(f"/map/?lat={lat}&lon={lon}&zoom=12")
    expect(page.locator("#threat-map[data-outlines-ready='1']")).to_have_count(1)
    before = page.evaluate(HELD_JS)
    assert before["community"]

    with page.expect_response(
        lambda r: "/api/v1/areas/outlines" in r.url and "level=community" in r.url
    ) as answer:
        page.evaluate(
            "document.querySelector('#threat-map').bliskoMap.panBy([900, 0], {animate: false})"
        )
    query = parse_qs(urlsplit(answer.value.url).query)
    assert query["zoom"] == ["12"] and "known" in query
    new_ids = {str(f["id"]) for f in json.loads(answer.value.body())["features"]}
    assert new_ids
    assert new_ids.isdisjoint(before["community"])

    expect(page.locator("#threat-map[data-outlines-ready='1']")).to_have_count(1)
    after = page.evaluate(HELD_JS)
    # Nothing held is drawn again (same layers), the new ones are added...
    for area_id, stamp in before["community"].items():
        assert after["community"].get(area_id) == stamp
    assert set(after["community"]) == set(before["community"]) | new_ids
    # ...and every community in the new view is on the page.
    drawn = page.evaluate(DRAWN_JS, "#threat-map")
    assert in_view_from_database("community", drawn["bbox"]) == in_view_on_page(drawn, "community")

    # Back where it started, the page holds everything already: no request at all.
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "areas/outlines" in r.url else None)
    page.evaluate(
        "document.querySelector('#threat-map').bliskoMap.panBy([-900, 0], {animate: false})"
    )
    expect(page.locator("#threat-map[data-ready='1']")).to_have_count(1)
    page.wait_for_timeout(500)
    assert asked == []
    assert page.evaluate(HELD_JS)["community"] == after["community"]
    browser.check.assert_clean()


def test_a_refused_period_is_named_with_the_forms_words(browser_page):
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
    status = page.locator("[data-map-status]")
    expect(status).to_have_text(page.locator("#threat-map").get_attribute("data-msg-bad-period"))
    message = status.inner_text()
    legend = page.locator(".map-period legend").inner_text()
    labels = [text.strip() for text in page.locator(".map-period label").all_inner_texts()]
    assert legend in message and all(f"«{label}»" in message for label in labels)
    assert not re.search(r"\b(from|to)\b", message)  # not the API's words (a uk page)
    for name in ("from", "to"):
        expect(page.locator(f"input[name='{name}']")).to_have_attribute("aria-invalid", "true")

    page.locator("input[name='to']").fill("2026-06-01")
    expect(status).to_be_empty()
    for name in ("from", "to"):
        expect(page.locator(f"input[name='{name}']")).not_to_have_attribute("aria-invalid", "true")
    browser.check.assert_clean()
