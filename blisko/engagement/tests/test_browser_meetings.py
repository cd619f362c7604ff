"""Meetings with residents in a real browser (Debian's Chromium, headless): an officer plans a
meeting (its place clicked on the map), a resident asks a question on its public page, the
officer publishes it with an answer, holds the meeting with its minutes, and the resident sees
the answer and the decisions; the area's page lists the meeting and links its calendar, which
parses. No request leaves the machine and no script fails (the browser fixtures check it)."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from icalendar import Calendar
from playwright.sync_api import expect

from blisko.core.testing.browser import DESKTOP
from blisko.engagement.models import Meeting, MeetingStatus, Question, QuestionStatus
from blisko.engagement.tests.meetings_data import PASSWORD, local, planned, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str = "uk", *, context: str | None = None) -> str:
    with translation.override(language):
        return pgettext(context, message) if context else gettext(message)


def _sign_in(page, username: str) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(translated("User name")).fill(username)
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()


def _open_signed_in(browser_page, username: str, path: str):
    bp = browser_page(viewport=DESKTOP)
    page = bp.open(path)
    _sign_in(page, username)
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))
    return bp, page


def test_a_meeting_from_its_planning_to_the_answers_residents_read(browser_page):
    w = world()
    cache.clear()
    police, page = _open_signed_in(browser_page, "officer_a", "/police/meetings/")
    expect(page.locator("[data-empty]")).to_be_visible()

    # 1. The officer plans a meeting, clicking its place on the map.
    page.locator("[data-new-meeting]").click()
    form = page.locator("[data-meeting-form]")
    form.locator("select[name='area']").select_option(str(w.area.pk))
    picker = page.locator("[data-meeting-picker]")
    expect(picker).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-zone-hint]")).to_contain_text("Europe/Kyiv")
    form.locator("select[name='kind']").select_option("debate")
    form.locator("input[name='title']").fill("Safety on the way to school")
    form.locator("input[name='starts_at']").fill(local(w.area, 2, 18).strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name='ends_at']").fill(local(w.area, 2, 19, 30).strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name='address']").fill("School no. 2, the hall")
    picker.click()
    expect(form.locator("input[name='lat']")).not_to_have_value("")
    police.screenshot("m1-meeting-form")
    form.locator("[data-save]").click()

    expect(page.locator("[data-meeting-status]")).to_have_attribute(
        "data-meeting-status", "planned"
    )
    meeting = Meeting.objects.get()
    assert meeting.location is not None and list(meeting.officers.all()) == [w.officer]
    assert timezone.localtime(meeting.starts_at).replace(tzinfo=None) == local(w.area, 2, 18)
    expect(page.locator("[data-empty='pending']")).to_be_visible()

    # 2. A resident asks a question on the public page.
    resident_view = browser_page()
    resident = resident_view.open(f"/meetings/{meeting.uid}/")
    expect(resident.locator("[data-meeting-title]")).to_have_text("Safety on the way to school")
    expect(resident.locator("[data-meeting-zone]")).to_contain_text("Europe/Kyiv")
    expect(resident.locator("[data-meeting-when]")).to_contain_text(
        local(w.area, 2, 18).strftime("%H:%M")
    )
    expect(resident.locator("#field-website")).not_to_be_in_viewport()
    resident.get_by_label(translated("Your question", context="question")).fill(
        "Will the crossing by the school get a traffic light?"
    )
    resident.get_by_label(translated("E-mail for the answer (optional)")).fill("mama@example.org")
    resident.locator("[data-question-send]").click()
    expect(resident.locator("[data-question-sent]")).to_be_visible()
    resident_view.screenshot("m2-meeting-public-asked")
    question = Question.objects.get()
    assert question.status == QuestionStatus.PENDING

    # 3. The officer publishes it with an answer.
    page.reload()
    item = page.locator(f"[data-pending-questions] [data-question='{question.pk}']")
    expect(item).to_contain_text("traffic light")
    expect(item).to_contain_text("mama@example.org")  # the police see the e-mail
    item.locator("[data-publish] textarea").fill("Yes: the council has ordered one for May.")
    item.locator("[data-publish] button").click()
    published = page.locator(f"[data-published-questions] [data-question='{question.pk}']")
    expect(published.locator("[data-answer]")).to_contain_text("ordered one for May")

    # 4. The meeting takes place; the officer records it as held with its minutes.
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1)
    )
    page.reload()
    hold = page.locator("[data-move='hold']")
    hold.get_by_label(translated("Residents present")).fill("31")
    hold.get_by_label(translated("Minutes")).fill("Parents asked about the crossing.")
    hold.get_by_label(translated("Decisions")).fill("A traffic light by May; patrols at 8:00.")
    hold.locator("button").click()
    expect(page.locator("[data-meeting-status]")).to_have_attribute("data-meeting-status", "held")
    expect(page.locator("[data-minutes] [data-decisions]")).to_contain_text("patrols at 8:00")
    police.screenshot("m3-meeting-held")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD

    # 5. The resident reads the answer and the decisions.
    resident.reload()
    expect(resident.locator("[data-question-form]")).to_have_count(0)
    expect(resident.locator("[data-meeting-decisions]")).to_contain_text("patrols at 8:00")
    expect(resident.locator("[data-meeting-attendance]")).to_contain_text("31")
    answered = resident.locator(f"[data-published-questions] [data-question='{question.pk}']")
    expect(answered).to_contain_text("traffic light")
    expect(answered.locator("[data-answer]")).to_contain_text("ordered one for May")
    expect(resident.locator("body")).not_to_contain_text("mama@example.org")
    expect(resident.locator("[data-meeting-map]")).to_have_attribute("data-ready", "1")
    resident_view.screenshot("m4-meeting-public-held")


def test_the_area_page_lists_the_meeting_and_links_its_calendar(browser_page):
    w = world()
    meeting = planned(w)
    cache.clear()
    view = browser_page()
    page = view.open(f"/area/{w.area.code}/")
    panel = page.locator(f"[data-area-meetings='{w.area.code}']")
    expect(panel).to_be_visible()
    link = panel.locator(f"[data-meeting='{meeting.uid}'] a")
    expect(link).to_have_text(meeting.title)
    expect(panel.locator("[data-webcal-link]")).to_have_attribute(
        "href", re.compile(rf"^webcal://.+/calendar/{w.area.code}\.ics$")
    )
    calendar_link = panel.locator("[data-calendar-link]")
    expect(calendar_link).to_have_attribute("href", f"/calendar/{w.area.code}.ics")
    feed = page.request.get(view.base_url + f"/calendar/{w.area.code}.ics")
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["UID"]).startswith(str(meeting.uid))
    view.screenshot("m5-area-meetings")

    link.click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.uid}/$"))
    expect(page.locator("[data-question-form]")).to_be_visible()


def test_the_question_form_works_without_javascript_and_shows_its_refusal(browser_page):
    w = world()
    meeting = planned(w)
    view = browser_page(javascript=False)
    page = view.open(f"/meetings/{meeting.uid}/")
    page.get_by_label(translated("Your question", context="question")).fill("<b>Loud</b> question")
    page.locator("[data-question-send]").click()
    expect(page.locator("[data-field-error='text']")).to_be_visible()
    expect(page.get_by_label(translated("Your question", context="question"))).to_have_value(
        "<b>Loud</b> question"
    )
    assert Question.objects.count() == 0
