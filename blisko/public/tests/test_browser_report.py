"""A resident reports a threat in a real browser (Debian's Chromium, headless) and follows it.

As in test_browser.py, each test runs against the live server, whose database is emptied
after every test, so each loads the boundaries and the KMZB categories itself.
"""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.testing.browser import DESKTOP
from blisko.officers.models import Role
from blisko.public.tests.data import KONIN, assign, officer_make, unit_make
from blisko.reports.kmzb import kmzb_categories_seed
from blisko.reports.models import Category, Report, Status
from blisko.territories.models import Area
from conftest import KONIN_CENTRE, load_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^[23456789A-HJKMNP-Z]{4}-[23456789A-HJKMNP-Z]{4}-[23456789A-HJKMNP-Z]{4}$")


def translated(message: str, language: str = "uk") -> str:
    with translation.override(language):
        return gettext(message)


def categories_seed() -> None:
    """The KMZB categories as migration 0002 seeds them (a transactional test empties them)."""
    kmzb_categories_seed(Category)


def wait_for_map(page, selector: str) -> None:
    expect(page.locator(f"{selector}[data-ready='1']")).to_have_count(1)


def test_a_resident_reports_a_threat_on_the_map_and_follows_it_by_its_code(browser_page):
    load_territories(places=False)
    categories_seed()
    konin = Area.objects.get(code=KONIN)
    unit = unit_make(area=konin, name="KMP w Koninie", lon=18.2446, lat=52.2269)
    officer = officer_make(
        unit=unit, first_name="Anna", last_name="Nowak", rank="sierżant", badge="PL-0001"
    )
    assign(officer=officer, area=konin, role=Role.DISTRICT_OFFICER)

    browser = browser_page(viewport=DESKTOP)
    page = browser.open("/")
    page.locator("[data-nav-report]").click()
    expect(page).to_have_url(re.compile(r"/report/$"))
    emergency = page.locator("[data-emergency]")
    expect(emergency).to_be_visible()
    expect(emergency).to_contain_text("112")
    wait_for_map(page, "#report-map")
    browser.screenshot("r1-report-form")

    # Zoom to Konin as a resident would, then click the place on the map.
    lon, lat = KONIN_CENTRE
    point = page.evaluate(
        """([lat, lon]) => {
            const map = document.querySelector('#report-map').bliskoMap;
            map.setView([lat, lon], 15, {animate: false});
            const p = map.latLngToContainerPoint([lat, lon]);
            return {x: p.x, y: p.y};
        }""",
        [lat, lon],
    )
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page.locator("[data-report-marker]")).to_have_count(1)
    expect(page.locator("#field-lat")).to_have_value(re.compile(r"^52\.22\d+$"))
    expect(page.locator("#field-lon")).to_have_value(re.compile(r"^18\.25\d+$"))

    page.locator("#field-category").select_option("vandalism")
    text = "Хтось розбив скло на зупинці <b>біля школи</b>."
    page.locator("#field-description").fill(text)
    counter = translated("%(count)s of %(max)s characters") % {"count": len(text), "max": 500}
    expect(page.locator("[data-description-count]")).to_have_text(counter)
    browser.screenshot("r2-report-filled")
    page.locator("[data-report-send]").click()

    expect(page).to_have_url(re.compile(r"/report/[0-9A-Z-]{14}/\?sent=1$"))
    expect(page.locator("[data-report-sent]")).to_be_visible()
    code = page.locator("[data-tracking-code]").inner_text().strip()
    assert CODE.match(code), code
    report = Report.objects.get()
    assert report.tracking_code == code
    assert report.area == konin and report.assigned_officer == officer
    assert report.description == text
    expect(page.locator("[data-description]")).to_have_text(text)
    browser.screenshot("r3-report-sent")

    # Later, from another browser: the code leads to the report and its status.
    later = browser_page()
    page = later.open(f"/report/{code.lower()}/")
    expect(page).to_have_url(re.compile(rf"/report/{code}/$"))
    status = page.locator("[data-status]")
    expect(status).to_have_attribute("data-status", "submitted")
    expect(status).to_have_text(translated(Status.SUBMITTED.label).capitalize())
    expect(page.locator("[data-history] li")).to_have_count(1)
    wait_for_map(page, "#report-track-map")
    later.screenshot("r4-report-followed")
    browser.check.assert_clean()
    later.check.assert_clean()


def test_without_javascript_the_place_is_typed_and_the_report_is_sent(browser_page):
    load_territories(places=False)
    categories_seed()

    browser = browser_page(javascript=False)
    page = browser.open("/report/")
    lon, lat = KONIN_CENTRE
    page.locator("#field-category").select_option("illegal-dump")
    page.locator("[data-report-send]").click()
    # Refused: no place; what was chosen stays chosen.
    expect(page.locator("[data-field-error='location']")).to_be_visible()
    expect(page.locator("#field-category")).to_have_value("illegal-dump")
    page.locator("#field-lat").fill(str(lat))
    page.locator("#field-lon").fill(str(lon))
    page.locator("[data-report-send]").click()
    expect(page).to_have_url(re.compile(r"/report/[0-9A-Z-]{14}/\?sent=1$"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    assert Report.objects.get().category.code == "illegal-dump"
    browser.check.assert_clean()
