"""Two supervisors approving at once, against Blisko as it is served (gunicorn, several worker
processes) on SpatiaLite and on PostGIS: one wins, the other is told (409), and the plan is
approved and audited exactly once; two plans against one threat approved at once never both
come into force."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from blisko.core.models import AuditEvent
from blisko.core.testing.live import (
    gunicorn_server,
    shared_database_or_skip,
    signed_in_session,
)
from blisko.plans.models import IN_FORCE, Plan, PlanStatus
from blisko.plans.services import workflow
from blisko.plans.services.plans import action_add, plan_create
from blisko.plans.tests.plans_data import people, plan_input

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _submitted(p, **overrides) -> Plan:
    plan = plan_create(
        actor=p.officer_user, area=p.world.area, data=plan_input(**overrides), evidence={}
    )
    action_add(
        actor=p.officer_user,
        plan=plan,
        kind="patrol",
        description="Patrols",
        starts_on=plan.starts_on,
        ends_on=plan.starts_on,
    )
    return workflow.plan_submit(plan=plan, actor=p.officer_user)


def _form(session: requests.Session, base: str, plan: Plan) -> dict[str, str]:
    page = session.get(f"{base}/police/plans/{plan.pk}/", timeout=60)
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    seen = re.search(r'name="status" value="([^"]+)"', page.text)
    assert token and seen
    return {"csrfmiddlewaretoken": token.group(1), "status": seen.group(1), "note": ""}


def _at_once(sessions, urls, forms) -> list[requests.Response]:
    start = threading.Barrier(len(sessions))

    def one(i: int) -> requests.Response:
        start.wait(timeout=60)
        return sessions[i].post(
            urls[i],
            data=forms[i],
            headers={"Referer": urls[i], "Accept-Language": "en"},
            allow_redirects=False,
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        return list(pool.map(one, range(len(sessions))))


def test_two_supervisors_approving_one_plan_at_once_one_wins_the_other_is_told():
    shared_database_or_skip()
    p = people()
    plans = [_submitted(p, title=f"Round {i}", threat_reason="r") for i in range(4)]
    # Each round's plan is for its own threat, so only the race decides.
    from blisko.diagnosis.models import StatisticCategory

    threats = list(StatisticCategory.objects.order_by("pk")[:4])
    for plan, threat in zip(plans, threats, strict=True):
        Plan.objects.filter(pk=plan.pk).update(threat=threat)

    with gunicorn_server() as base:
        sessions = [
            signed_in_session(p.supervisor_user),
            signed_in_session(p.other_supervisor_user),
        ]
        for plan in plans:
            forms = [_form(s, base, plan) for s in sessions]
            url = f"{base}/police/plans/{plan.pk}/move/approve/"
            answers = _at_once(sessions, [url, url], forms)

            assert sorted(a.status_code for a in answers) == [302, 409], [
                (a.status_code, a.text[:200]) for a in answers
            ]
            loser = next(a for a in answers if a.status_code == 409)
            assert "Someone else has just changed this plan" in loser.text
            assert Plan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
            assert (
                AuditEvent.objects.filter(
                    entity="plans.plan", entity_id=str(plan.pk), action="approved"
                ).count()
                == 1
            )


def test_two_plans_against_one_threat_approved_at_once_never_both_come_into_force():
    shared_database_or_skip()
    p = people()
    first, second = _submitted(p, title="First"), _submitted(p, title="Second")

    with gunicorn_server() as base:
        sessions = [
            signed_in_session(p.supervisor_user),
            signed_in_session(p.other_supervisor_user),
        ]
        forms = [_form(sessions[0], base, first), _form(sessions[1], base, second)]
        urls = [f"{base}/police/plans/{plan.pk}/move/approve/" for plan in (first, second)]
        answers = _at_once(sessions, urls, forms)

    assert sorted(a.status_code for a in answers) == [302, 409], [
        (a.status_code, a.text[:200]) for a in answers
    ]
    loser = next(a for a in answers if a.status_code == 409)
    assert "already has a plan in force" in loser.text
    assert Plan.objects.filter(status__in=IN_FORCE).count() == 1
    assert Plan.objects.filter(status=PlanStatus.SUBMITTED).count() == 1
