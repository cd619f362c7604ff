"""Presence in a real browser (Debian's Chromium, headless): an officer records two days of
last month and sees the month's share change (100 %, above the band, then 78.1 %, below it); their
supervisor opens the team's page and sees the officer flagged below the target with the main
reason, and opens the officer's month from it. No request leaves the machine and no script
fails (the browser fixtures check it)."""

import datetime as dt
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.testing.browser import DESKTOP
from blisko.engagement.tests.presence_data import PASSWORD, last_month, team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str = "uk") -> str:
    with translation.override(language):
        return gettext(message)


def _sign_in(page, username: str) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(translated("User name")).fill(username)
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()


def _weekdays(month: dt.date) -> list[dt.date]:
    days = [month + dt.timedelta(days=n) for n in range(10)]
    return [d for d in days if d.weekday() < 5][:2]


def _record(page, day: dt.date, hours_in: str, hours_out: str = "", reason: str = "") -> None:
    form = page.locator("[data-record-form]")
    form.locator("input[name=day]").fill(day.isoformat())
    form.locator("input[name=hours_in]").fill(hours_in)
    form.locator("input[name=hours_out]").fill(hours_out)
    form.locator("select[name=reason_out]").select_option(reason)
    form.locator("[data-save]").click()


def test_an_officer_records_two_days_and_the_supervisor_sees_them_flagged(browser_page):
    t = team()
    month = last_month(t.officer)
    first, second = _weekdays(month)
    path = f"/police/presence/?month={month:%Y-%m}"

    officer = browser_page(viewport=DESKTOP)
    page = officer.open(path)
    _sign_in(page, "officer_a")
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("[data-empty]")).to_be_visible()

    _record(page, first, "8")
    expect(page.locator("[data-message=success]")).to_be_visible()
    expect(page.locator(f'tr[data-day="{first:%Y-%m-%d}"][data-recorded]')).to_be_visible()
    panel = page.locator("[data-share-panel]")
    expect(panel).to_have_attribute("data-position", "above")
    expect(panel.locator(".presence-share")).to_have_attribute("data-share", "100.0")

    _record(page, second, "4,5", "3,5", "court")
    expect(page.locator(f'tr[data-day="{second:%Y-%m-%d}"][data-recorded]')).to_be_visible()
    expect(panel).to_have_attribute("data-position", "below")
    # 12.5 h of 16 in the community: 78.1 %
    expect(panel.locator(".presence-share")).to_have_attribute("data-share", "78.1")
    expect(panel.locator('[data-reason="court"]')).to_be_visible()
    expect(page.locator("[data-total-in]")).to_have_attribute("data-total-in", "12.50")
    officer.screenshot("presence-officer")

    # A refusal stays on the page with what was typed.
    _record(page, second, "25")
    expect(page.locator('[data-error="hours_in"]')).to_be_visible()
    expect(page.locator("input[name=hours_in]")).to_have_value("25")

    supervisor = browser_page(viewport=DESKTOP)
    team_path = f"/police/presence/team/?month={month:%Y-%m}"
    page = supervisor.open(team_path)
    _sign_in(page, "supervisor_a")
    expect(page).to_have_url(re.compile(re.escape(team_path) + "$"))
    row = page.locator(f'tr[data-officer="{t.officer.pk}"]')
    expect(row).to_have_attribute("data-flagged", "")
    expect(row.locator("[data-share]")).to_have_attribute("data-share", "78.1")
    expect(row.locator('[data-reason="court"]')).to_be_visible()
    expect(page.locator(f'tr[data-officer="{t.colleague.pk}"]')).to_have_attribute(
        "data-no-records", ""
    )
    supervisor.screenshot("presence-team")

    row.get_by_role("link", name=t.officer.full_name).click()
    expect(page.locator(f'tr[data-day="{second:%Y-%m-%d}"][data-recorded]')).to_be_visible()
    expect(page.locator("[data-record-form]")).to_be_visible()
