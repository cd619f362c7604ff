"""The officer verifies a report in a real browser (Debian's Chromium, headless).

A resident's report is submitted through the submit service and routed to the community's
officer; the officer signs in, finds it in the work queue and on its map, takes it up and
confirms it; the report then shows "confirmed", and the public sees it red (API, tracking
page, public map). Uses the
browser fixtures of blisko/public/tests (the same launch arguments, no external requests).
"""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.testing.browser import DESKTOP
from blisko.officers.models import Role
from blisko.officers.tests.factories import UnitFactory
from blisko.public.tests.data import VINNYTSIA
from blisko.reports.models import STATUS_COLOURS, Report, Status
from blisko.reports.services.submit import report_submit
from blisko.reports.services.workflow import report_take_up
from blisko.reports.tests.police import PASSWORD, officer_of, police_user
from blisko.territories.models import Area
from conftest import VINNYTSIA_CENTRE, load_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED = STATUS_COLOURS[Status.CONFIRMED]


def translated(message: str, language: str = "uk") -> str:
    with translation.override(language):
        return gettext(message)


def wait_for_map(page, selector: str) -> None:
    expect(page.locator(f"{selector}[data-ready='1']")).to_have_count(1)


def test_the_officer_confirms_a_report_and_the_public_sees_it_red(browser_page):
    load_territories(places=False)
    hromada = Area.objects.get(code=VINNYTSIA)
    user = police_user(area=hromada, username="koval", first_name="Олена", last_name="Коваль")
    lon, lat = VINNYTSIA_CENTRE
    report = report_submit(
        category_code="vandalism",
        lon=lon,
        lat=lat,
        description="Розбиті ліхтарі в парку біля зупинки",
        reporter_email="resident@example.com",
        client_ip="203.0.113.7",
    )
    assert report.assigned_officer == officer_of(user)
    code = report.tracking_code

    police = browser_page(viewport=DESKTOP)
    page = police.open("/police/reports/")
    # Not signed in: the sign-in page, which then leads back to the queue.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/police/reports/$"))
    page.get_by_label(translated("User name")).fill("koval")
    page.get_by_label(translated("Password")).fill(PASSWORD)
    police.screenshot("q1-sign-in")
    page.get_by_role("button", name=translated("Sign in")).click()

    expect(page).to_have_url(re.compile(r"/police/reports/$"))
    row = page.locator(f"[data-report='{code}']")
    expect(row).to_be_visible()
    expect(row.locator("[data-status]")).to_have_attribute("data-status", Status.SUBMITTED)
    wait_for_map(page, "#queue-map")
    marker = page.locator(f"#queue-map path.report-marker[data-code='{code}']")
    expect(marker).to_have_attribute("fill", STATUS_COLOURS[Status.SUBMITTED])
    police.screenshot("q2-queue")

    row.get_by_role("link", name=code).click()
    expect(page).to_have_url(re.compile(rf"/police/reports/{code}/$"))
    expect(page.locator("[data-reporter-email]")).to_contain_text("resident@example.com")
    wait_for_map(page, "#report-map")

    take_up = page.locator("[data-move='take-up']")
    take_up.locator("summary").click()
    take_up.get_by_label(translated("Note")).fill("Виїжджаю на місце")
    take_up.get_by_role("button", name=translated("Take up")).click()
    expect(page.locator("[data-report-status]")).to_have_attribute(
        "data-report-status", Status.IN_VERIFICATION
    )

    confirm = page.locator("[data-move='confirm']")
    confirm.locator("summary").click()
    confirm.get_by_label(translated("Note")).fill("Підтверджено на місці")
    confirm.get_by_role("button", name=translated("Confirm")).click()

    status = page.locator("[data-report-status]")
    expect(status).to_have_attribute("data-report-status", Status.CONFIRMED)
    expect(status).to_contain_text(translated("confirmed"))
    wait_for_map(page, "#report-map")
    expect(page.locator(f"#report-map path.report-marker[data-code='{code}']")).to_have_attribute(
        "fill", RED
    )
    history = page.locator("[data-history] tbody tr")
    expect(history).to_have_count(3)  # submitted, taken up, confirmed
    expect(history.nth(2)).to_contain_text("Олена Коваль")
    expect(history.nth(2)).to_contain_text("Підтверджено на місці")
    police.screenshot("q3-confirmed")

    report = Report.objects.get(tracking_code=code)
    assert report.status == Status.CONFIRMED
    assert report.taken_up_at is not None and report.verified_at is not None

    # The public: the API and the tracking page show it red.
    answer = page.request.get(f"{police.base_url}/api/v1/reports/{code}")
    assert answer.status == 200
    assert (answer.json()["status"], answer.json()["colour"]) == (Status.CONFIRMED, RED)
    resident = browser_page(viewport=DESKTOP)
    public = resident.open(f"/report/{code}/")
    expect(public.locator("[data-status]").first).to_have_attribute("data-status", Status.CONFIRMED)
    expect(public.locator("[data-report-track-map]")).to_have_attribute("data-colour", RED)
    # And on the public map, opened at the place, its marker is red.
    public = resident.open(f"/map/?lat={lat}&lon={lon}&zoom=16")
    wait_for_map(public, "#threat-map")
    marker = public.locator("#threat-map path.report-marker")
    expect(marker).to_have_count(1)
    expect(marker).to_have_class(re.compile(r"report-marker--confirmed"))
    expect(marker).to_have_attribute("fill", RED)
    resident.screenshot("q6-public-map")
    resident.check.assert_clean()
    police.check.assert_clean()


def test_a_supervisor_reads_the_units_figures_and_opens_one_unit(browser_page):
    load_territories(places=False)
    hromada = Area.objects.get(code=VINNYTSIA)
    raion = hromada.parent
    unit = UnitFactory(area=raion, name="Вінницьке районне управління поліції")
    officer = police_user(area=hromada, unit=unit, username="koval")
    police_user(area=raion, role=Role.SUPERVISOR, unit=unit, username="shevchuk")
    lon, lat = VINNYTSIA_CENTRE
    first = report_submit(category_code="vandalism", lon=lon, lat=lat, client_ip="203.0.113.8")
    report_submit(category_code="begging", lon=lon, lat=lat, client_ip="203.0.113.9")
    report_take_up(report=first, actor=officer)

    police = browser_page()
    page = police.open("/accounts/login/?next=/police/units/")
    page.get_by_label(translated("User name")).fill("shevchuk")
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()

    expect(page).to_have_url(re.compile(r"/police/units/$"))
    row = page.locator(f"[data-unit='{unit.pk}']")
    expect(row.locator("[data-open]")).to_have_text("2")
    expect(row.locator("[data-overdue]")).to_have_text("0")
    police.screenshot("q4-units")
    row.get_by_role("link", name=unit.name).click()

    expect(page).to_have_url(re.compile(rf"/police/units/{unit.pk}/$"))
    area_row = page.locator(f"[data-unit-areas] [data-area='{hromada.code}']")
    expect(area_row.locator("[data-open]")).to_have_text("2")
    expect(area_row.locator("[data-take-up]")).to_contain_text("n=1")
    police.screenshot("q5-unit")
    police.check.assert_clean()
