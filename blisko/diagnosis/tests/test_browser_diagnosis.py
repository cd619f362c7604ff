"""The diagnosis in a real browser (Debian's Chromium, headless): an officer signs in, opens
the diagnosis of their community from the police pages, sees the biggest threat, the table,
the hotspot map drawn with its hot cells, the monthly charts; downloads the CSV; opens the
printable view; and a resident sees the public summary on the find-officer page. No request
leaves the machine and no script fails (the browser fixtures check it)."""

import re

import numpy as np
import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.testing.browser import DESKTOP
from blisko.diagnosis.periods import period_parse
from blisko.diagnosis.tests.diagnosis_data import figure, incident, world
from blisko.reports.tests.police import PASSWORD, police_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str = "uk") -> str:
    with translation.override(language):
        return gettext(message)


def _data():
    w = world()
    period = period_parse(None, None)
    month = f"{period.last:%Y-%m}"
    figure(w.area, month, "drugs", 40)
    figure(w.other, month, "drugs", 20)
    figure(w.area, month, "theft", 60)
    figure(w.other, month, "theft", 120)
    rng = np.random.default_rng(5)
    from django.utils import timezone

    when = timezone.make_aware(
        timezone.datetime.combine(period.last.replace(day=10), timezone.datetime.min.time())
    )
    for _ in range(80):
        incident(w.area, when, "drugs", 24.0 + rng.normal(0, 0.0004), 48.2 + rng.normal(0, 0.0004))
    for _ in range(60):
        incident(w.area, when, "theft", 23.98 + rng.uniform(0, 0.04), 48.18 + rng.uniform(0, 0.04))
    return w


def test_the_officer_reads_the_diagnosis_of_their_community(browser_page):
    w = _data()
    police_user(area=w.area, username="bondar")
    police = browser_page(viewport=DESKTOP)
    page = police.open(f"/police/diagnosis/{w.area.pk}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(translated("User name")).fill("bondar")
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()
    expect(page).to_have_url(re.compile(rf"/police/diagnosis/{w.area.pk}/$"))

    expect(page.get_by_role("heading", name=translated("The biggest threat"))).to_be_visible()
    expect(page.locator("[data-biggest-name]")).to_have_attribute("data-biggest-name", "drugs")
    expect(page.locator("tr[data-biggest]")).to_have_attribute("data-threat", "drugs")
    expect(page.locator("#hotspot-map[data-ready='1']")).to_have_count(1)
    expect(page.locator("#hotspot-map path.hotspot-cell--hot").first).to_be_visible()
    expect(page.locator("figure[data-chart] svg rect").first).to_be_attached()
    police.screenshot("d1-diagnosis")

    with page.expect_download() as download:
        page.locator("[data-csv]").click()
    assert download.value.suggested_filename.startswith(f"diagnosis-{w.area.code}-")

    page.locator("[data-print]").click()
    expect(page.locator("body.page-print")).to_have_count(1)
    expect(page.locator("tr[data-biggest]")).to_have_attribute("data-threat", "drugs")

    # The nav leads to the list of the officer's areas, which holds this one.
    page.goto(police.base_url + "/police/diagnosis/")
    expect(page.locator(f"[data-area='{w.area.code}']")).to_be_visible()


def test_a_resident_sees_the_public_summary_without_any_place(browser_page):
    w = _data()
    cache.clear()
    resident = browser_page()
    page = resident.open("/officer/?lat=48.2&lon=24.0")
    summary = page.locator("[data-public-summary]")
    expect(summary).to_be_visible()
    expect(summary.locator("[data-public-threat='theft']")).to_be_visible()
    assert w.area.name_uk in summary.inner_text()
