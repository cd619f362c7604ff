"""Priority action plans in a real browser (Debian's Chromium, headless): the officer writes a
plan from the area's diagnosis (a hot cell chosen on the map), adds an action and submits it; a
supervisor approves it while a second, stale page is refused (409) and nothing is approved
twice; an active plan shows its evaluation and charts and the officer records an action done;
a resident sees the priority on the find-officer page and on the area's page. No request
leaves the machine and no script fails (the browser fixtures check it)."""

import datetime as dt
import json
import re

import numpy as np
import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from blisko.core.clock import site_today
from blisko.core.models import AuditEvent
from blisko.core.testing.browser import DESKTOP
from blisko.diagnosis.models import StatisticCategory
from blisko.diagnosis.periods import period_parse
from blisko.diagnosis.tests.diagnosis_data import figure, incident
from blisko.plans.models import ActionStatus, PlaceKind, Plan, PlanAction, PlanStatus
from blisko.plans.services import workflow
from blisko.plans.services.plans import action_add, add_months, plan_create
from blisko.plans.tests.plans_data import PASSWORD, People, draft, people, plan_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str = "uk", *, context: str | None = None) -> str:
    with translation.override(language):
        return pgettext(context, message) if context else gettext(message)


def _diagnosis(p: People) -> None:
    """Figures and incidents of the last whole month: drugs the biggest threat of the area,
    packed around its centre (the hot cells), thefts spread over it."""
    w = p.world
    period = period_parse(None, None)
    month = f"{period.last:%Y-%m}"
    figure(w.area, month, "drugs", 40)
    figure(w.other, month, "drugs", 20)
    figure(w.area, month, "theft", 60)
    figure(w.other, month, "theft", 120)
    rng = np.random.default_rng(5)
    when = timezone.make_aware(dt.datetime.combine(period.last.replace(day=10), dt.time(12)))
    for _ in range(80):
        incident(w.area, when, "drugs", 24.0 + rng.normal(0, 0.0004), 48.2 + rng.normal(0, 0.0004))
    for _ in range(60):
        incident(w.area, when, "theft", 23.98 + rng.uniform(0, 0.04), 48.18 + rng.uniform(0, 0.04))


def _sign_in(page, username: str) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(translated("User name")).fill(username)
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()


def _open_signed_in(browser_page, username: str, path: str, **options):
    bp = browser_page(viewport=DESKTOP, **options)
    page = bp.open(path)
    _sign_in(page, username)
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))
    return bp, page


def _submitted(p: People) -> Plan:
    plan = draft(p)
    return workflow.plan_submit(plan=plan, actor=p.officer_user)


def _plan_start() -> dt.date:
    """The first day of this month, or of the last one if this month has no whole day yet."""
    today = site_today()
    start = today.replace(day=1)
    if (today - start).days < 2:
        start = add_months(start, -1)
    return start


def _active(p: People, **overrides) -> Plan:
    """A plan against thefts for the whole area, active since a day in the past, with one
    planned action."""
    start = _plan_start()
    plan = plan_create(
        actor=None,
        officer=p.officer,
        area=p.world.area,
        data=plan_input(starts_on=start, ends_on=start + dt.timedelta(days=180), **overrides),
    )
    action_add(
        actor=p.officer_user,
        plan=plan,
        kind="patrol",
        description="Evening foot patrols around the market",
        starts_on=start,
        ends_on=start + dt.timedelta(days=30),
    )
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    workflow.plan_approve(plan=plan, actor=p.supervisor_user)
    return workflow.plan_activate(plan=plan, actor=p.officer_user)


# --- 1. the officer writes and submits a plan ---------------------------------------------


def test_the_officer_writes_a_plan_on_a_hot_cell_and_submits_it(browser_page):
    p = people()
    _diagnosis(p)
    area = p.world.area
    police, page = _open_signed_in(browser_page, "officer_a", "/police/plans/")
    expect(page.locator("[data-empty]")).to_be_visible()  # no plans yet

    link = page.get_by_role("link", name=translated("A plan for %(name)s") % {"name": area.name_uk})
    expect(link).to_have_attribute("data-area", area.code)
    link.click()
    expect(page).to_have_url(re.compile(rf"/police/plans/new/\?area={area.pk}$"))

    # Pre-filled from the diagnosis: its biggest threat, as the threat and the priority.
    drugs = StatisticCategory.objects.get(code="drugs")
    expect(page.locator("[data-evidence] [data-biggest]")).to_have_attribute(
        "data-biggest", "drugs"
    )
    expect(page.get_by_label(translated("Threat"), exact=True)).to_have_value("drugs")
    expect(page.get_by_label(translated("Priority"), exact=True)).to_have_value(drugs.name_uk)
    expect(page.get_by_label(translated("Goal (change in %)"))).to_have_value("-20")

    # The map: the area's outline and the hot cells, the hottest first.
    expect(page.locator("#plan-map[data-ready='1']")).to_have_count(1)
    hot = json.loads(page.locator("#hot-cells").text_content())["features"]
    assert hot, "the diagnosis has hot cells"
    cells = page.locator("#plan-map path.leaflet-interactive")
    expect(cells).to_have_count(len(hot))
    place_cells = page.locator("input[name='place_cells']")
    expect(place_cells).to_have_value("")

    page.get_by_label(translated("chosen hotspot cells")).check()
    cells.first.click()
    expect(place_cells).to_have_value(hot[0]["properties"]["h3"])
    expect(page.locator("[data-place-count]")).to_have_text("1 ✓")

    page.get_by_label(translated("Goal in words")).fill("−20 % drug events near the park")
    page.get_by_role("button", name=translated("Save the draft")).click()
    expect(page).to_have_url(re.compile(r"/police/plans/\d+/$"))
    plan = Plan.objects.get()
    assert page.url.endswith(f"/police/plans/{plan.pk}/")
    assert (plan.status, plan.threat.code, plan.place_kind) == ("draft", "drugs", PlaceKind.CELLS)
    assert plan.place_cells == [hot[0]["properties"]["h3"]]
    expect(page.locator("[data-plan-status]")).to_have_attribute("data-plan-status", "draft")
    expect(page.locator("[data-message='success']")).to_be_visible()
    expect(page.locator("#plan-map[data-ready='1']")).to_have_count(1)
    expect(page.locator("[data-empty='actions']")).to_be_visible()

    # An action, through the "Add an action" form.
    page.get_by_text(translated("Add an action"), exact=True).click()
    form = page.locator("[data-action-form]")
    form.get_by_label(translated("Kind")).select_option("meeting")
    form.get_by_label(translated("Description")).fill("A meeting with the parents' council")
    form.get_by_label(translated("Planned until")).fill(
        (plan.starts_on + dt.timedelta(days=14)).isoformat()
    )
    form.get_by_role("button", name=translated("Add")).click()
    expect(page).to_have_url(re.compile(rf"/police/plans/{plan.pk}/$"))
    action = page.locator("[data-actions] [data-action]")
    expect(action).to_have_count(1)
    expect(action).to_contain_text("A meeting with the parents' council")
    expect(action).to_have_attribute("data-action-status", "planned")
    assert PlanAction.objects.get(plan=plan).kind == "meeting"

    # Submitted for approval: the chip says so, and there is nothing more for the officer.
    page.locator("[data-move='submit'] button").click()
    expect(page.locator("[data-plan-status]")).to_have_attribute("data-plan-status", "submitted")
    expect(page.locator("[data-move]")).to_have_count(0)
    expect(page.locator("[data-history-action='submitted']")).to_have_count(1)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at is not None
    police.screenshot("p1-plan-submitted")


# --- 2. approval, and a stale page refused ------------------------------------------------


def test_the_supervisor_approves_and_a_stale_page_is_refused(browser_page):
    p = people()
    plan = _submitted(p)
    path = f"/police/plans/{plan.pk}/"

    # The plan's own officer is offered no approval, and a forged one is refused.
    _officer, officer_page = _open_signed_in(browser_page, "officer_a", path)
    expect(officer_page.locator("[data-plan-status]")).to_have_attribute(
        "data-plan-status", "submitted"
    )
    expect(officer_page.locator("[data-move='approve']")).to_have_count(0)
    expect(officer_page.locator("[data-move] button")).to_have_count(0)
    token = next(c["value"] for c in officer_page.context.cookies() if c["name"] == "csrftoken")
    forged = officer_page.request.post(
        officer_page.url + "move/approve/",
        form={"status": "submitted", "csrfmiddlewaretoken": token},
        headers={"Referer": officer_page.url},
    )
    assert forged.status == 403
    assert translated("You cannot approve or return your own plan: your supervisor does.") in (
        forged.text()
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED

    # Two supervisors have the plan open; the first approves it.
    _first, first = _open_signed_in(browser_page, "supervisor_a", path)
    _second, second = _open_signed_in(browser_page, "supervisor_b", path)
    for page in (first, second):
        expect(page.locator("[data-move='approve'] button")).to_be_visible()
    first.locator("[data-move='approve'] textarea[name='note']").fill("Good: go ahead.")
    first.locator("[data-move='approve'] button").click()
    expect(first.locator("[data-plan-status]")).to_have_attribute("data-plan-status", "approved")
    expect(first.locator("[data-message='success']")).to_be_visible()
    expect(first.locator("[data-move='approve']")).to_have_count(0)

    # The second, from the page that still shows "submitted": refused with a 409.
    with second.expect_response(
        lambda r: r.url.endswith("/move/approve/") and r.request.method == "POST"
    ) as answer:
        second.locator("[data-move='approve'] button").click()
    assert answer.value.status == 409
    refusal = second.locator("[data-refusal]")
    expect(refusal).to_be_visible()
    with translation.override("uk"):
        expected = workflow.plan_moved_meanwhile(PlanStatus.APPROVED).message
    expect(refusal).to_have_text(expected)
    expect(second.locator("[data-plan-status]")).to_have_attribute("data-plan-status", "approved")
    expect(second.locator("[data-move='approve']")).to_have_count(0)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_by == p.supervisor_user
    approvals = AuditEvent.objects.filter(
        entity="plans.plan", entity_id=str(plan.pk), action="approved"
    )
    assert approvals.count() == 1
    assert approvals.get().note == "Good: go ahead."


# --- 3. an active plan: its evaluation, an action done ------------------------------------


def test_an_active_plan_shows_its_evaluation_and_the_officer_records_an_action(browser_page):
    p = people()
    plan = _active(p)
    start, today = plan.starts_on, site_today()
    days = (today - start).days
    # Thefts in the area: 40 in as many days before the plan, 10 since it started.
    for i in range(40):
        day = start - dt.timedelta(days=days) + dt.timedelta(days=i % days)
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        incident(p.world.area, when, "theft", 24.0 + (i % 7) * 0.001, 48.2 + (i % 5) * 0.001)
    for i in range(10):
        day = start + dt.timedelta(days=i % days)
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        incident(p.world.area, when, "theft", 24.0 + (i % 7) * 0.001, 48.2 + (i % 5) * 0.001)

    police, page = _open_signed_in(browser_page, "officer_a", f"/police/plans/{plan.pk}/")
    expect(page.locator("[data-plan-status]")).to_have_attribute("data-plan-status", "active")
    evaluation = page.locator("[data-evaluation]")
    expect(evaluation.locator("[data-evaluation-kind]")).to_have_attribute(
        "data-evaluation-kind", "live"
    )
    # −75 %, clearly fewer: the goal of −20 % is met.
    expect(evaluation.locator("[data-verdict]")).to_have_attribute("data-verdict", "goal_met")
    expect(evaluation.locator("[data-verdict] p").first).to_be_visible()
    place = evaluation.locator("figure[data-chart='place']")
    expect(place.locator("svg")).to_be_visible()
    expect(place.locator("rect.chart__bar--before title")).to_have_text(
        f"{translated('before', context='evaluation period')}: 40"
    )
    expect(place.locator("rect.chart__bar--during title")).to_have_text(
        f"{translated('during', context='evaluation period')}: 10"
    )
    expect(evaluation.locator("figure[data-chart='ring'] svg")).to_be_visible()
    expect(evaluation.locator("tr[data-zone='place'] td").nth(1)).to_have_text("40")
    expect(evaluation.locator("tr[data-zone='place'] td").nth(2)).to_have_text("10")
    expect(page.locator("#plan-map[data-ready='1']")).to_have_count(1)

    # The action recorded as done.
    action = PlanAction.objects.get(plan=plan)
    item = page.locator(f"[data-action='{action.pk}']")
    expect(item).to_have_attribute("data-action-status", "planned")
    item.get_by_text(translated("Record as done"), exact=True).click()
    done = item.locator("[data-done-form]")
    expect(done.locator("input[name='done_on']")).to_have_value(
        min(today, plan.ends_on).isoformat()
    )
    done.locator("textarea[name='note']").fill("Twelve evening patrols with the council guard")
    done.get_by_role("button", name=translated("Save")).click()
    expect(page).to_have_url(re.compile(rf"/police/plans/{plan.pk}/$"))
    item = page.locator(f"[data-action='{action.pk}']")
    expect(item).to_have_attribute("data-action-status", "done")
    expect(item).to_contain_text("Twelve evening patrols with the council guard")
    expect(item.locator("[data-done-form]")).to_have_count(0)
    expect(page.locator("[data-history-action='done']")).to_have_count(1)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_on == min(today, plan.ends_on)
    police.screenshot("p3-plan-active")


# --- 4. the resident sees the priority ----------------------------------------------------


def test_a_resident_sees_the_priority_of_the_area(browser_page):
    p = people()
    _active(p, title="Thefts near the market")
    draft(
        p, title="A draft nobody has approved", threat=StatisticCategory.objects.get(code="drugs")
    )
    cache.clear()
    resident = browser_page()

    for path in ("/officer/?lat=48.2&lon=24.0", f"/area/{p.world.area.code}/"):
        page = resident.open(path)
        priorities = page.locator("[data-priorities]")
        expect(priorities).to_be_visible()
        expect(priorities.locator("[data-priorities-empty]")).to_have_count(0)
        priority = priorities.locator("[data-priority]")
        expect(priority).to_have_count(1)
        expect(priority).to_contain_text("Thefts near the market")
        expect(priority).to_contain_text("Evening foot patrols around the market")
        expect(priorities).not_to_contain_text("A draft nobody has approved")
        # Nothing about the officer's place or person in the public text.
        expect(priorities).not_to_contain_text(p.officer.last_name)
    resident.screenshot("p4-area-priorities")


def test_a_resident_is_told_when_the_area_has_no_priority(browser_page):
    p = people()
    draft(p)
    cache.clear()
    page = browser_page().open(f"/area/{p.world.area.code}/")
    expect(page.locator("[data-priorities] [data-priorities-empty]")).to_be_visible()
    expect(page.locator("[data-priority]")).to_have_count(0)


# --- the page's language and its labels ---------------------------------------------------


def test_the_move_buttons_and_the_history_speak_the_page_language(browser_page):
    p = people()
    plan = draft(p)
    _police, page = _open_signed_in(browser_page, "officer_a", f"/police/plans/{plan.pk}/")
    expect(page.locator("[data-history-action='created']").first).to_contain_text(
        translated("plan written"), timeout=1000
    )
    expect(page.locator("[data-move='submit'] button")).to_have_text(
        translated("Submit for approval"), timeout=1000
    )


def test_the_record_as_done_fields_are_named_by_their_labels(browser_page):
    p = people()
    plan = _active(p)
    _police, page = _open_signed_in(browser_page, "officer_a", f"/police/plans/{plan.pk}/")
    item = page.locator("[data-action]").first
    item.get_by_text(translated("Record as done"), exact=True).click()
    done = item.locator("[data-done-form]")
    expect(done.get_by_label(translated("Done on"))).to_have_count(1, timeout=1000)
    expect(done.get_by_label(translated("What was done"))).to_have_count(1, timeout=1000)
