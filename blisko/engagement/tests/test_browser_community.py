"""The community head's page in a real browser (Debian's Chromium, headless): the head signs
in and lands on their community's page, reads the memorandum's obligations and how they stand,
the officer's monthly share and the meeting to come, opens the meeting's public page, and the
page reads well on a phone. No request leaves the machine and no script fails (the browser
fixtures check it)."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.testing.browser import DESKTOP, PHONE
from blisko.engagement.tests.community_data import PASSWORD, community_world, head_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str = "uk") -> str:
    with translation.override(language):
        return gettext(message)


def test_the_head_signs_in_reads_their_community_and_opens_a_meeting(browser_page):
    world = community_world()
    head_user(world["community"])

    browser = browser_page(viewport=DESKTOP)
    page = browser.open("/accounts/login/")
    page.get_by_label(translated("User name")).fill("head")
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()

    expect(page).to_have_url(re.compile(r"/community/$"))
    expect(page.locator(f'[data-community="{world["community"].code}"]')).to_be_visible()
    memorandum = page.locator(f'[data-memorandum="{world["signed"].pk}"]')
    expect(memorandum).to_contain_text("Меморандум про співпрацю")
    expect(memorandum.locator('[data-standing="fulfilled"]')).to_contain_text(
        translated("fulfilled")
    )
    expect(page.locator("[data-community-presence] [data-share]")).to_have_attribute(
        "data-share", "75.0"
    )
    expect(page.get_by_text("Чернетка нового меморандуму")).to_have_count(0)
    browser.screenshot("community-head")

    page.locator("[data-community-meetings] a", has_text="Зустріч із мешканцями").click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", name="Зустріч із мешканцями")).to_be_visible()

    phone = browser_page(viewport=PHONE)
    phone.page.context.add_cookies(page.context.cookies())
    small = phone.open("/community/")
    expect(small.locator("[data-community-memoranda]")).to_be_visible()
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1
    phone.screenshot("community-head-phone")
