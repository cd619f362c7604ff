"""Residents find their officer in a real browser (Debian's Chromium, headless).

Each test runs against pytest-django's live server, whose database is emptied after every
test, so each one loads the demo boundaries itself and makes the officers it looks for.
Screenshots of each final state land in test-artifacts/ for a phone and a desktop screen.
"""

import datetime as dt
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.testing.browser import DESKTOP
from blisko.officers.models import CoverReason, Role
from blisko.public.tests.data import (
    KONIN,
    VINNYTSIA,
    ZHMERYNKA,
    area_contact_set,
    assign,
    officer_make,
    service_area_make,
    square,
    unit_make,
)
from blisko.territories.models import Area
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE, load_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str) -> str:
    with translation.override(language):
        return gettext(message)


def wait_for_map(page, selector: str) -> None:
    """The map has drawn what it fetched (its script marks it ready)."""
    expect(page.locator(f"{selector}[data-ready='1']")).to_have_count(1)


def test_a_resident_finds_their_officer_by_typing_the_name_of_their_town(browser_page):
    load_territories()
    hromada = Area.objects.get(code=ZHMERYNKA)
    area_contact_set(area=hromada, phone="+380 67 555 01 02", email="zhmerynka@police.example")
    unit = unit_make(
        area=hromada,
        name="Жмеринський відділ поліції",
        address="вул. Центральна, 5, Жмеринка",
        lon=28.11,
        lat=49.04,
    )
    officer = officer_make(
        unit=unit,
        first_name="Олена",
        last_name="Коваль",
        rank="капітан поліції",
        badge="UA-0001",
        bio="Працюю в громаді шостий рік. Звертайтеся щодо безпеки на дорогах і в школах.",
    )
    assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)

    browser = browser_page()
    page = browser.open("/")
    search = page.get_by_role("combobox")
    search.press_sequentially("Жмерин", delay=40)

    options = page.get_by_role("option")
    expect(options.filter(has_text="Жмеринка").first).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    names = options.locator(".suggestion__name").all_text_contents()
    # Choose it with the keyboard, as a screen-reader user would.
    for _step in range(names.index("Жмеринка") + 1):
        search.press("ArrowDown")
    active = page.locator(f"#{search.get_attribute('aria-activedescendant')}")
    expect(active).to_contain_text("Жмеринка")
    expect(active).to_contain_text("громада")
    browser.screenshot("a1-suggestions")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/officer/\?place=\d+$"))
    card = page.locator("[data-officer-card]").first
    expect(card).to_contain_text("Олена Коваль")
    expect(card).to_contain_text("капітан поліції")
    expect(card.locator("a[href^='tel:']")).to_have_attribute("href", "tel:+380675550102")
    expect(card.locator("a[href^='mailto:']")).to_have_attribute(
        "href", "mailto:zhmerynka@police.example"
    )
    expect(page.locator("h1")).to_have_text(hromada.name_uk)
    expect(page.locator("[data-unit]")).to_contain_text("Жмеринський відділ поліції")
    wait_for_map(page, "#area-map")
    expect(page.locator("#area-map path.area-boundary")).to_have_count(1)
    browser.screenshot("a2-officer-card")
    browser.check.assert_clean()


def test_without_javascript_the_search_lists_places_that_lead_to_the_officer(browser_page):
    load_territories()
    hromada = Area.objects.get(code=ZHMERYNKA)
    area_contact_set(area=hromada, phone="+380 67 555 01 02")
    unit = unit_make(area=hromada, name="Жмеринський відділ поліції", lon=28.11, lat=49.04)
    officer = officer_make(
        unit=unit, first_name="Іван", last_name="Мельник", rank="лейтенант", badge="UA-2"
    )
    assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)

    browser = browser_page(javascript=False)
    page = browser.open("/")
    page.get_by_label(translated("Town, village or community", "uk")).fill("жмеринка")
    page.get_by_label(translated("Town, village or community", "uk")).press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    results = page.locator("[data-search-results] a")
    expect(results.first).to_contain_text("Жмеринка")
    browser.screenshot("a3-search-without-javascript")
    results.filter(has_text="Жмеринка").first.click()
    expect(page.locator("[data-officer-card]").first).to_contain_text("Іван Мельник")
    expect(page.locator("[data-area-phone]").first).to_have_attribute("href", "tel:+380675550102")
    browser.check.assert_clean()


def test_use_my_location_shows_the_officer_where_the_resident_stands(browser_page):
    load_territories(places=False)
    hromada = Area.objects.get(code=VINNYTSIA)
    unit = unit_make(area=hromada, name="Вінницьке РУП", lon=28.4705, lat=49.2335)
    officer = officer_make(
        unit=unit, first_name="Олена", last_name="Коваль", rank="капітан поліції", badge="UA-1"
    )
    assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)

    browser = browser_page(geolocation=VINNYTSIA_CENTRE)
    page = browser.open("/")
    page.get_by_role("button", name=translated("Use my location", "uk")).click()
    expect(page).to_have_url(re.compile(r"/officer/\?lat=49\.23\d*&lon=28\.46\d*"))
    expect(page.locator("h1")).to_have_text(hromada.name_uk)
    expect(page.locator("[data-officer-card]").first).to_contain_text("Олена Коваль")
    browser.check.assert_clean()


def test_a_resident_finds_the_district_officer_by_clicking_the_map(browser_page):
    load_territories(places=False)
    konin = Area.objects.get(code=KONIN)
    beat = service_area_make(
        community=konin,
        suffix="01",
        boundary=square(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1], half=0.008),
        name="Konin Centrum",
    )
    area_contact_set(area=beat, phone="+48 63 240 12 34", email="konin.centrum@policja.example")
    unit = unit_make(
        area=konin,
        name="Komenda Miejska Policji w Koninie",
        address="ul. Kardynała Stefana Wyszyńskiego 3, 62-510 Konin",
        phone="+48 47 775 12 00",
        opening_hours="pon.–pt. 7:30–15:30",
        lon=18.2446,
        lat=52.2269,
    )
    district = officer_make(
        unit=unit,
        first_name="Anna",
        last_name="Nowak",
        rank="sierżant sztabowy",
        badge="PL-0001",
        bio="Dzielnicowa rejonu Centrum. Spotkania z mieszkańcami w każdy czwartek.",
    )
    traffic = officer_make(
        unit=unit, first_name="Piotr", last_name="Wiśniewski", rank="aspirant", badge="PL-0002"
    )
    assign(officer=district, area=beat, role=Role.DISTRICT_OFFICER)
    assign(officer=traffic, area=beat, role=Role.TRAFFIC_OFFICER)

    browser = browser_page(viewport=DESKTOP)
    page = browser.open("/")
    wait_for_map(page, "#home-map")
    browser.screenshot("b1-home")
    lon, lat = KONIN_CENTRE
    # Zoom to Konin as a resident would, then click the city centre on the map.
    point = page.evaluate(
        """([lat, lon]) => {
            const map = document.querySelector('#home-map').bliskoMap;
            map.setView([lat, lon], 13, {animate: false});
            const p = map.latLngToContainerPoint([lat, lon]);
            return {x: p.x, y: p.y};
        }""",
        [lat, lon],
    )
    box = page.locator("#home-map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    expect(page).to_have_url(re.compile(r"/officer/\?lat=52\.22\d*&lon=18\.25\d*"))
    expect(page.locator("h1")).to_have_text("Konin Centrum")
    cards = page.locator("[data-officer-card]")
    expect(cards.first).to_contain_text("Anna Nowak")
    expect(cards.first.locator("a[href^='tel:']")).to_have_attribute("href", "tel:+48632401234")
    expect(cards.nth(1)).to_contain_text("Piotr Wiśniewski")
    expect(cards.nth(1)).to_contain_text(translated("traffic officer", "uk"), ignore_case=True)
    expect(page.locator("[data-unit]")).to_contain_text("Komenda Miejska Policji w Koninie")
    wait_for_map(page, "#area-map")
    expect(page.locator("#area-map path.area-boundary")).to_have_count(1)
    browser.screenshot("b2-map-click-result")
    browser.check.assert_clean()


def test_a_resident_switches_the_language_and_stays_on_the_same_page(browser_page):
    load_territories(places=False)
    hromada = Area.objects.get(code=VINNYTSIA)
    unit = unit_make(
        area=hromada,
        name="Вінницьке районне управління поліції",
        address="вул. Театральна, 10, Вінниця",
        lon=28.4705,
        lat=49.2335,
    )
    officer = officer_make(
        unit=unit, first_name="Олена", last_name="Коваль", rank="капітан поліції", badge="UA-1"
    )
    assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)

    browser = browser_page()
    lon, lat = VINNYTSIA_CENTRE
    page = browser.open(f"/officer/?lat={lat}&lon={lon}")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("h1")).to_have_text(hromada.name_uk)
    expect(page.locator(".lang-switch [aria-current='true']")).to_have_attribute("value", "uk")

    for language, name, area_name in (
        ("pl", "Polski", hromada.name_pl),
        ("en", "English", hromada.name_en),
    ):
        page.get_by_role("button", name=name, exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page).to_have_url(re.compile(rf"/officer/\?lat={lat}&lon={lon}$"))
        expect(page.locator("h1")).to_have_text(area_name)
        expect(page.locator(".lang-switch [aria-current='true']")).to_have_attribute(
            "value", language
        )
        expect(page.locator("#chain-title")).to_have_text(translated("Areas", language))
        if language != "en":
            assert translated("Areas", language) != "Areas", "the catalogue lacks the heading"
        expect(page.get_by_text(translated("Police station", language), exact=True)).to_be_visible()
        browser.screenshot(f"c-language-{language}")

    page = browser.open("/")
    expect(page.locator("h1")).to_have_text("Find your officer")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    browser.check.assert_clean()


def test_while_the_officer_is_on_leave_the_cover_is_shown_first(browser_page):
    load_territories(places=False)
    hromada = Area.objects.get(code=VINNYTSIA)
    area_contact_set(area=hromada, phone="+380 43 255 10 20", email="vinnytsia@police.example")
    unit = unit_make(area=hromada, name="Вінницьке РУП", lon=28.4705, lat=49.2335)
    officer = officer_make(
        unit=unit,
        first_name="Олена",
        last_name="Коваль",
        rank="капітан поліції",
        badge="UA-1",
        bio="Офіцер громади з 2020 року.",
    )
    primary = assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)
    cover = officer_make(
        unit=unit, first_name="Петро", last_name="Бондар", rank="старший лейтенант", badge="UA-3"
    )
    today = dt.date.today()
    assign(
        officer=cover,
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=11),
        covers=primary,
        cover_reason=CoverReason.LEAVE,
    )

    browser = browser_page(locale="en-GB")
    lon, lat = VINNYTSIA_CENTRE
    page = browser.open(f"/officer/?lat={lat}&lon={lon}")
    cards = page.locator("[data-officer-card]")
    expect(cards.first).to_contain_text("Петро Бондар")
    expect(cards.first).to_contain_text("Covering for Олена Коваль during leave.")
    expect(cards.nth(1)).to_contain_text("Олена Коваль")
    expect(cards.nth(1).locator(".badge")).to_be_visible()
    browser.screenshot("d0-cover")
    browser.check.assert_clean()


def test_an_area_without_an_officer_shows_the_supervisor_and_the_unit(browser_page):
    load_territories(places=False)
    hromada = Area.objects.get(code=VINNYTSIA)
    raion = hromada.parent
    unit = unit_make(
        area=raion,
        name="Вінницьке районне управління поліції",
        address="вул. Театральна, 10, Вінниця",
        lon=28.4705,
        lat=49.2335,
    )
    supervisor = officer_make(
        unit=unit, first_name="Марія", last_name="Шевчук", rank="майор поліції", badge="UA-9"
    )
    assign(officer=supervisor, area=raion, role=Role.SUPERVISOR)

    browser = browser_page()
    lon, lat = VINNYTSIA_CENTRE
    page = browser.open(f"/officer/?lat={lat}&lon={lon}")
    expect(page.locator("[data-empty='no-officer']")).to_be_visible()
    expect(page.locator("[data-officer-card]")).to_contain_text("Марія Шевчук")
    expect(page.locator("[data-unit]")).to_contain_text("Вінницьке районне управління поліції")
    wait_for_map(page, "#area-map")
    browser.screenshot("d1-no-officer")
    browser.check.assert_clean()


def test_a_point_in_the_black_sea_gets_the_outside_message_and_a_way_back(browser_page):
    load_territories(places=False)
    browser = browser_page()
    lon, lat = BLACK_SEA
    page = browser.open(f"/officer/?lat={lat}&lon={lon}")
    expect(page.locator("[data-empty='outside']")).to_be_visible()
    browser.screenshot("d2-outside")
    page.get_by_role("link", name=translated("Back to the search", "uk")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("combobox")).to_be_visible()
    browser.check.assert_clean()


def test_a_bad_latitude_gets_a_translated_400_page_in_the_browser(browser_page):
    browser = browser_page(locale="pl-PL")
    response = browser.page.goto(browser.base_url + "/officer/?lat=abc&lon=18.2")
    assert response.status == 400
    expect(browser.page.locator("html")).to_have_attribute("lang", "pl")
    expect(browser.page.locator("[data-error-message]")).to_contain_text("lat")
    browser.screenshot("d3-bad-request")
    browser.page.goto(browser.base_url + "/no-such-page/")
    expect(browser.page.locator("[data-error='404']")).to_be_visible()
    browser.screenshot("d4-not-found")
    browser.check.assert_clean()


def test_on_a_phone_the_officer_page_never_scrolls_sideways_even_with_long_addresses(
    browser_page,
):
    load_territories()
    hromada = Area.objects.get(code=VINNYTSIA)
    area_contact_set(
        area=hromada,
        phone="+380 67 555 01 02",
        email="pog.vinnytska-miska-terytorialna-hromada@vinnytsia-oblast.police.example",
    )
    unit = unit_make(
        area=hromada,
        name="Вінницьке районне управління поліції Головного управління Національної поліції",
        address="вул. Магістратська, 35, Вінниця",
        lon=VINNYTSIA_CENTRE[0],
        lat=VINNYTSIA_CENTRE[1],
    )
    officer = officer_make(
        unit=unit, first_name="Олена", last_name="Коваль", rank="капітан поліції", badge="UA-0009"
    )
    assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)
    from django.utils import timezone

    from blisko.engagement.models import Meeting

    start = timezone.now() + dt.timedelta(days=3)
    Meeting.objects.create(
        area=hromada,
        kind="residents",
        title="Зустріч із мешканцями: безпека на вулицях громади",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        address="Будинок культури, Вінницька міська територіальна громада",
    )
    lon, lat = VINNYTSIA_CENTRE

    for language in ("uk-UA", "en-GB"):
        browser = browser_page(locale=language)
        page = browser.open(f"/officer/?lat={lat}&lon={lon}")
        expect(page.locator("[data-officer-card]").first).to_contain_text("Олена Коваль")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], (language, width)
    browser.screenshot("a9-officer-phone-long-addresses")
