"""The plan pages and the priorities API: status and permission of each, and what they show."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from police_api.neighbourhoods import Neighbourhood

from blisko.plans.models import Plan, PlanStatus
from blisko.plans.services import workflow
from blisko.plans.tests.plans_data import draft, people

pytestmark = pytest.mark.django_db


def signed_in(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def active(p) -> Plan:
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    workflow.plan_approve(plan=plan, actor=p.supervisor_user)
    return workflow.plan_activate(plan=plan, actor=p.officer_user)


def test_the_pages_need_a_sign_in(client):
    p = people()
    plan = draft(p)
    for url in (
        "/police/plans/",
        f"/police/plans/{plan.pk}/",
        f"/police/plans/new/?area={p.world.area.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_officer_lists_and_opens_their_plans(client):
    p = people()
    plan = draft(p)
    signed_in(client, "officer_a")

    listing = client.get("/police/plans/")
    page = client.get(f"/police/plans/{plan.pk}/")

    assert listing.status_code == 200 and f'data-plan="{plan.pk}"' in listing.text
    assert f'href="/police/plans/new/?area={p.world.area.pk}"' in listing.text
    assert page.status_code == 200
    assert 'data-move="submit"' in page.text and 'data-move="approve"' not in page.text
    assert "data-edit" in page.text


def test_a_plan_out_of_reach_is_a_404(client):
    p = people()
    plan = draft(p)
    from blisko.officers.models import Role
    from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory
    from blisko.plans.tests.plans_data import user

    stranger = OfficerFactory()
    AssignmentFactory(officer=stranger, area=p.world.other, role=Role.COMMUNITY_OFFICER)
    user("stranger", stranger)
    signed_in(client, "stranger")

    assert client.get(f"/police/plans/{plan.pk}/").status_code == 404
    assert (
        client.post(f"/police/plans/{plan.pk}/move/submit/", {"status": "draft"}).status_code == 404
    )
    assert client.get(f"/police/plans/new/?area={p.world.area.pk}").status_code == 404
    assert f'data-plan="{plan.pk}"' not in client.get("/police/plans/").text


def test_the_supervisor_sees_the_plan_to_approve_and_approves_it(client):
    p = people()
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    signed_in(client, "supervisor_a")

    listing = client.get("/police/plans/")
    page = client.get(f"/police/plans/{plan.pk}/")
    answer = client.post(f"/police/plans/{plan.pk}/move/approve/", {"status": "submitted"})

    assert "data-to-approve" in listing.text
    assert 'data-move="approve"' in page.text and 'data-move="return"' in page.text
    assert answer.status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_a_refused_move_is_shown_with_its_status_and_changes_nothing(client):
    p = people()
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    signed_in(client, "supervisor_a")

    stale = client.post(f"/police/plans/{plan.pk}/move/approve/", {"status": "draft"})
    no_note = client.post(
        f"/police/plans/{plan.pk}/move/return/", {"status": "submitted", "note": ""}
    )
    signed_in(client, "officer_a")
    own = client.post(f"/police/plans/{plan.pk}/move/approve/", {"status": "submitted"})

    assert stale.status_code == 409 and "Someone else has just changed this plan" in stale.text
    assert no_note.status_code == 400 and "Say what should change" in no_note.text
    assert own.status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert (
        client.post(f"/police/plans/{plan.pk}/move/fly/", {"status": "submitted"}).status_code
        == 404
    )


def test_the_new_plan_form_refuses_bad_input_on_its_field(client):
    p = people()
    signed_in(client, "officer_a")
    url = f"/police/plans/new/?area={p.world.area.pk}"
    form = client.get(url)
    start = dt.date.today().replace(day=1)
    data = {
        "threat": "theft",
        "threat_reason": "asked by residents",
        "title": "Thefts",
        "goal_percent": "-2000",
        "goal": "fewer thefts",
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=100)).isoformat(),
        "place_kind": "area",
    }

    refused = client.post(url, data)
    saved = client.post(url, {**data, "goal_percent": "-20"})

    assert form.status_code == 200 and "data-evidence" in form.text
    assert refused.status_code == 400
    assert 'data-error="goal_percent"' in refused.text
    assert saved.status_code == 302
    plan = Plan.objects.get()
    assert saved["Location"] == f"/police/plans/{plan.pk}/"


def test_actions_are_added_logged_and_their_photo_is_police_only(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    p = people()
    plan = active(p)
    signed_in(client, "officer_a")
    action = plan.actions.get()
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    photo = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")

    added = client.post(
        f"/police/plans/{plan.pk}/actions/",
        {
            "kind": "meeting",
            "description": "Meet the market traders",
            "starts_on": plan.starts_on,
            "ends_on": plan.starts_on,
        },
    )
    done = client.post(
        f"/police/plans/{plan.pk}/actions/{action.pk}/done/",
        {"done_on": plan.starts_on.isoformat(), "note": "Done", "photo": photo},
    )
    shown = client.get(f"/police/plans/{plan.pk}/actions/{action.pk}/photo")
    client.logout()
    anonymous = client.get(f"/police/plans/{plan.pk}/actions/{action.pk}/photo")
    media = client.get(f"/media/{plan.actions.get(pk=action.pk).photo.name}")

    assert added.status_code == 302 and plan.actions.count() == 2
    assert done.status_code == 302
    assert shown.status_code == 200
    assert anonymous.status_code == 302
    assert media.status_code == 404


def test_the_active_plan_s_page_shows_the_evaluation_so_far(client):
    p = people()
    plan = active(p)
    Plan.objects.filter(pk=plan.pk).update(starts_on=dt.date.today() - dt.timedelta(days=20))
    signed_in(client, "officer_a")

    page = client.get(f"/police/plans/{plan.pk}/")

    assert 'data-evaluation-kind="live"' in page.text
    assert 'data-verdict="too_few"' in page.text
    assert 'data-chart="place"' in page.text


# --- public ------------------------------------------------------------------------------


def test_the_priorities_api_speaks_police_uk_s_shape_as_its_client_reads_it(client):
    p = people()
    plan = active(p)
    action = plan.actions.get()
    action.status, action.done_on = "done", plan.starts_on
    action.save()
    draft(p, title="A draft: not public")

    response = client.get(f"/api/v1/areas/{p.world.area.pk}/priorities")

    assert response.status_code == 200
    items = response.json()
    assert len(items) == 1
    assert set(items[0]) == {"issue", "issue-date", "action", "action-date"}
    priority = Neighbourhood.Priority(None, dict(items[0]))
    assert "Thefts near the market" in priority.issue
    assert "Evening foot patrols around the market" in priority.action
    assert priority.issue_date.date() == dt.date.today()
    assert priority.action_date.date() == plan.starts_on
    assert client.get("/api/v1/areas/999999/priorities").status_code == 404
    assert client.post(f"/api/v1/areas/{p.world.area.pk}/priorities").status_code == 405


def test_the_priority_texts_are_escaped(client):
    p = people()
    plan = draft(p, title="<script>alert(1)</script>")
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    workflow.plan_approve(plan=plan, actor=p.supervisor_user)

    issue = client.get(f"/api/v1/areas/{p.world.area.pk}/priorities").json()[0]["issue"]

    assert "<script>" not in issue and "&lt;script&gt;" in issue


def test_residents_see_the_priority_on_the_area_s_page_and_the_officer_s(client):
    p = people()
    active(p)

    area_page = client.get(f"/area/{p.world.area.code}/")
    officer_page = client.get("/officer/?lat=48.2&lon=24.0")
    unknown = client.get("/area/NOPE/")

    assert area_page.status_code == 200
    assert "Thefts near the market" in area_page.text and "data-priority" in area_page.text
    assert "data-officer-link" in area_page.text
    assert officer_page.status_code == 200 and "Thefts near the market" in officer_page.text
    assert unknown.status_code == 404
    # No person and no place finer than the area.
    assert p.officer.last_name not in area_page.text
