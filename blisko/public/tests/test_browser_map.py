"""Residents read the threat map in a real browser (Debian's Chromium, headless).

Each test runs against the live server, whose database is emptied after every test, so each
loads the demo boundaries itself. Screenshots land in test-artifacts/ (phone and desktop).
"""

import re

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from blisko.core.geo import GEO_SRID
from blisko.core.testing.browser import DESKTOP
from blisko.reports.models import Report, Status
from blisko.reports.services.workflow import report_confirm, report_take_up
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.selectors.areas import area_for_point
from conftest import VINNYTSIA_CENTRE, load_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPOT = (28.4702, 49.2332)  # a street in Vinnytsia
GREEN, RED = "#2e9d46", "#d7263d"


def report_at(point=SPOT, code="vandalism", **fields) -> Report:
    area = area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])
    return ReportFactory(
        category=category(code), area=area, location=Point(*point, srid=GEO_SRID), **fields
    )


def map_drawn(page, kind: str) -> None:
    """The map has drawn the answer of the API (its script marks what it drew)."""
    expect(page.locator(f"#threat-map[data-ready='1'][data-kind='{kind}']")).to_have_count(1)


def test_a_report_shows_in_its_status_colour_and_turns_red_once_confirmed(
    browser_page, django_user_model
):
    load_territories(places=False)
    report = report_at()
    browser = browser_page(viewport=DESKTOP)
    page = browser.open(f"/map/?lat={SPOT[1]}&lon={SPOT[0]}&zoom=16")
    map_drawn(page, "points")
    marker = page.locator("#threat-map path.report-marker")
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("fill", GREEN)
    expect(page.locator("[data-legend-count='submitted']")).to_have_text("1")
    expect(page.locator("[data-map-total]")).to_have_text("1")
    browser.screenshot("m1-map-submitted")

    officer = django_user_model.objects.create_superuser("chief", "chief@example.org", "x")
    report_take_up(report=report, actor=officer)
    report_confirm(report=report, actor=officer, note="Seen on patrol.")
    page.reload()
    map_drawn(page, "points")
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("fill", RED)
    expect(page.locator("#threat-map path.report-marker--confirmed")).to_have_count(1)
    expect(page.locator("[data-legend-count='confirmed']")).to_have_text("1")
    expect(page.locator("[data-legend-count='submitted']")).to_have_text("0")
    browser.screenshot("m2-map-confirmed")
    browser.check.assert_clean()


def test_a_resident_confirms_a_report_once_from_its_popup(browser_page):
    load_territories(places=False)
    report = report_at(status=Status.IN_VERIFICATION, seen_count=2)
    browser = browser_page(viewport=DESKTOP)
    page = browser.open(f"/map/?lat={SPOT[1]}&lon={SPOT[0]}&zoom=16")
    map_drawn(page, "points")
    page.locator("#threat-map path.report-marker").click()
    popup = page.locator(".report-popup")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(category("vandalism").name_uk)
    expect(popup.locator("[data-seen-count]")).to_have_attribute("data-seen-count", "2")
    expect(popup.locator("a")).to_have_attribute("href", f"/report/{report.tracking_code}/")
    popup.locator("[data-seen-button]").click()
    expect(popup.locator("[data-seen-count]")).to_have_attribute("data-seen-count", "3")
    expect(popup.locator("[data-seen-button]")).to_have_count(0)
    browser.screenshot("m3-map-seen-too")
    assert Report.objects.get(pk=report.pk).seen_count == 3

    page.reload()  # the same client again: counted once
    map_drawn(page, "points")
    page.locator("#threat-map path.report-marker").click()
    expect(popup.locator("[data-seen-count]")).to_have_attribute("data-seen-count", "3")
    popup.locator("[data-seen-button]").click()
    expect(popup.locator(".report-popup__note")).not_to_be_empty()
    expect(popup.locator("[data-seen-count]")).to_have_attribute("data-seen-count", "3")
    assert Report.objects.get(pk=report.pk).seen_count == 3
    browser.check.assert_clean()


def test_zoomed_out_the_reports_are_counted_and_the_filters_narrow_them(browser_page):
    load_territories(places=False)
    # All in one cell of zoom 9 (0.176°: 28.30-28.48 east, 49.22-49.39 north).
    report_at((28.41, 49.23), status=Status.SUBMITTED)
    report_at((28.43, 49.25), status=Status.CONFIRMED)
    report_at((28.45, 49.24), code="speeding", status=Status.CONFIRMED)
    report_at((28.46, 49.26), code="drug-use", status=Status.SUBMITTED)  # hidden: counted only
    browser = browser_page()
    page = browser.open(f"/map/?lat={SPOT[1]}&lon={SPOT[0]}&zoom=9")
    map_drawn(page, "cells")
    expect(page.locator("#threat-map .map-cell")).to_have_count(1)
    expect(page.locator("#threat-map .map-cell__count")).to_have_text("4")
    expect(page.locator("#threat-map path.report-marker")).to_have_count(0)
    browser.screenshot("m4-map-cells")

    page.locator("#map-category").select_option("speeding")
    expect(page.locator("#threat-map .map-cell__count")).to_have_text("1")
    expect(page).to_have_url(re.compile(r"category=speeding"))
    page.locator("#map-category").select_option("")
    page.locator("[data-status-filter][value='submitted']").uncheck()
    expect(page.locator("#threat-map .map-cell__count")).to_have_text("2")
    expect(page.locator("[data-map-total]")).to_have_text("2")
    browser.check.assert_clean()
