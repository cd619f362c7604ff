"""The coverage page in a real browser (Debian's Chromium, headless): a supervisor signs in,
sees the region's communities on the map coloured by class (one SVG path per community, with
its class), opens one, and sees the rollout charts with their target lines. No request leaves
the machine and no script fails (the browser fixtures check it)."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.roles import SUPERVISOR
from blisko.core.testing.browser import DESKTOP
from blisko.partnerships.models import RolloutTarget
from blisko.partnerships.tests.coverage_data import PASSWORD, current, user, world
from blisko.territories.models import Country

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str = "uk") -> str:
    with translation.override(language):
        return gettext(message)


def test_the_map_colours_each_community_by_class_and_the_rollout_is_charted(browser_page):
    w = world()
    current(w, timezone.localdate())
    RolloutTarget.objects.create(
        country=Country.UKRAINE, on=dt.date(2024, 1, 1), officers=3, communities=3, regions=1
    )
    RolloutTarget.objects.create(
        country=Country.UKRAINE, on=dt.date(2027, 12, 31), officers=10, communities=10, regions=2
    )
    user("cov_supervisor", officer=w.officers[1], group=SUPERVISOR)
    path = f"/police/coverage/?country=UA&region={w.region.pk}"

    bp = browser_page(viewport=DESKTOP)
    page = bp.open(path)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(translated("User name")).fill("cov_supervisor")
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))

    expect(page.locator("[data-coverage-map][data-ready='1']")).to_have_count(1)
    assert page.locator("[data-coverage-map]").get_attribute("data-features") == "5"
    paths = page.locator("#coverage-map path.coverage-community")
    expect(paths).to_have_count(5)
    for kind, count in (("both", 2), ("officer", 1), ("memorandum", 1), ("neither", 1)):
        expect(page.locator(f"#coverage-map path.coverage-community--{kind}")).to_have_count(count)
        legend = page.locator(f"[data-legend-class='{kind}'] [data-legend-count]")
        expect(legend).to_have_text(str(count))
    fills = {
        paths.nth(i).get_attribute("class").split("coverage-community--")[1].split()[0]: paths.nth(
            i
        ).get_attribute("fill")
        for i in range(5)
    }
    assert fills == {
        "both": "#009e73",
        "officer": "#0072b2",
        "memorandum": "#e69f00",
        "neither": "#bbbbbb",
    }

    # A community opens its popup: name, code and class; no person.
    page.locator("#coverage-map path.coverage-community--officer").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(w.c[3].code)
    expect(popup).to_contain_text(translated("officer only"))
    assert w.officers[1].last_name not in popup.inner_text()

    # Zooming in fetches finer outlines.
    zoom = int(page.locator("[data-coverage-map]").get_attribute("data-zoom"))
    page.locator("#coverage-map .leaflet-control-zoom-in").click()
    expect(page.locator("[data-coverage-map]")).to_have_attribute("data-zoom", str(zoom + 1))
    expect(paths).to_have_count(5)

    # The rollout: three charts, each an actual line and a dashed target; the figures' table.
    for key in ("officers", "communities", "regions"):
        chart = page.locator(f"[data-rollout-chart='{key}']")
        expect(chart.locator(f"[data-line='{key}'] polyline")).to_have_count(1)
        expect(chart.locator("[data-line='target'] polyline")).to_have_count(1)
        assert chart.locator("[data-line='target'] polyline").evaluate(
            "line => getComputedStyle(line).strokeDasharray"
        ) not in ("", "none")
    this_month = page.locator(f"[data-month='{timezone.localdate():%Y-%m}']")
    expect(this_month.locator("[data-figure='officers']")).to_contain_text("4")
    expect(page.locator("[data-coverage-table] [data-region-total]")).to_contain_text("5")

    bp.screenshot("coverage")
