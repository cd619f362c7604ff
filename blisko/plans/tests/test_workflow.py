"""The plan's workflow: each move allowed and refused, who may make it, and what is written."""

import datetime as dt

import pytest

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.officers.models import Role
from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory
from blisko.plans.models import Plan, PlanStatus
from blisko.plans.services import workflow
from blisko.plans.services.plans import plan_create, plan_evidence_refresh, plan_update
from blisko.plans.tests.plans_data import draft, people, plan_input, user

pytestmark = pytest.mark.django_db


def moves(plan: Plan) -> list[str]:
    return list(
        AuditEvent.objects.filter(entity="plans.plan", entity_id=str(plan.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def approved(p, **overrides) -> Plan:
    plan = draft(p, **overrides)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    return workflow.plan_approve(plan=plan, actor=p.supervisor_user)


def test_the_whole_way_from_draft_to_evaluated_is_audited(time_machine):
    p = people()
    plan = approved(p)
    workflow.plan_activate(plan=plan, actor=p.officer_user)
    time_machine.move_to(dt.datetime.combine(plan.ends_on + dt.timedelta(days=2), dt.time(12)))
    workflow.plan_evaluate(plan=plan, actor=p.supervisor_user)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.EVALUATED
    assert plan.approved_by == p.supervisor_user
    assert plan.submitted_at and plan.approved_at and plan.activated_at and plan.evaluated_at
    assert plan.evaluation["complete"] is True
    assert plan.evaluation["verdict"]["kind"] == "too_few"
    assert moves(plan) == ["created", "submitted", "approved", "active", "evaluated"]
    evaluated = AuditEvent.objects.get(
        entity="plans.plan", entity_id=str(plan.pk), action="evaluated"
    )
    assert evaluated.after == {"status": "evaluated", "verdict": "too_few"}
    assert evaluated.actor == p.supervisor_user


def test_a_returned_plan_is_changed_and_submitted_again():
    p = people()
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    workflow.plan_return(plan=plan, actor=p.supervisor_user, note="Name the market streets.")
    plan_update(actor=p.officer_user, plan=plan, data=plan_input(title="Thefts on Market St"))
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    workflow.plan_approve(plan=plan, actor=p.supervisor_user)

    plan.refresh_from_db()
    assert plan.title == "Thefts on Market St"
    assert plan.return_note == ""
    assert moves(plan) == ["created", "submitted", "returned", "changed", "submitted", "approved"]


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (PlanStatus.DRAFT, "approve"),
        (PlanStatus.DRAFT, "activate"),
        (PlanStatus.SUBMITTED, "submit"),
        (PlanStatus.SUBMITTED, "activate"),
        (PlanStatus.APPROVED, "approve"),
        (PlanStatus.ACTIVE, "submit"),
        (PlanStatus.EVALUATED, "cancel"),
        (PlanStatus.CANCELLED, "submit"),
    ],
)
def test_a_move_the_table_does_not_allow_is_refused_and_changes_nothing(status, to):
    p = people()
    plan = draft(p)
    Plan.objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    service = {
        "approve": lambda: workflow.plan_approve(plan=plan, actor=p.supervisor_user),
        "activate": lambda: workflow.plan_activate(plan=plan, actor=p.officer_user),
        "submit": lambda: workflow.plan_submit(plan=plan, actor=p.officer_user),
        "cancel": lambda: workflow.plan_cancel(plan=plan, actor=p.officer_user, note="why"),
    }[to]

    with pytest.raises(ApplicationError) as refused:
        service()

    assert refused.value.status == 409
    assert "cannot become" in refused.value.message
    plan.refresh_from_db()
    assert plan.status == status
    assert moves(plan) == ["created"]


def test_the_officer_cannot_approve_their_own_plan_even_as_a_supervisor():
    p = people()
    AssignmentFactory(officer=p.officer, area=p.world.region, role=Role.SUPERVISOR)
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)

    with pytest.raises(ApplicationError, match="your own plan") as refused:
        workflow.plan_approve(plan=plan, actor=p.officer_user)

    assert refused.value.status == 403
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_only_a_supervisor_of_the_area_approves_or_returns():
    p = people()
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    elsewhere = OfficerFactory()
    AssignmentFactory(officer=elsewhere, role=Role.SUPERVISOR)  # another region
    stranger = user("supervisor_elsewhere", elsewhere)
    colleague = OfficerFactory()
    AssignmentFactory(officer=colleague, area=p.world.area, role=Role.TRAFFIC_OFFICER)

    for actor in (stranger, user("colleague", colleague)):
        with pytest.raises(ApplicationError, match="Only a supervisor"):
            workflow.plan_approve(plan=plan, actor=actor)
        with pytest.raises(ApplicationError, match="Only a supervisor"):
            workflow.plan_return(plan=plan, actor=actor, note="no")


def test_only_the_plan_s_officer_submits_and_starts_it():
    p = people()
    plan = draft(p)

    with pytest.raises(ApplicationError, match="Only the plan's officer") as refused:
        workflow.plan_submit(plan=plan, actor=p.supervisor_user)
    assert refused.value.status == 403


def test_a_plan_without_actions_is_not_submitted():
    p = people()
    plan = plan_create(actor=p.officer_user, area=p.world.area, data=plan_input())

    with pytest.raises(ApplicationError, match="at least one action"):
        workflow.plan_submit(plan=plan, actor=p.officer_user)


def test_a_return_and_a_cancellation_need_a_note():
    p = people()
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)

    with pytest.raises(ApplicationError, match="Say what should change"):
        workflow.plan_return(plan=plan, actor=p.supervisor_user, note="  ")
    with pytest.raises(ApplicationError, match="Say why"):
        workflow.plan_cancel(plan=plan, actor=p.officer_user, note="")


def test_a_plan_starts_on_its_first_day_and_is_evaluated_after_its_last():
    p = people()
    start = dt.date.today() + dt.timedelta(days=10)
    plan = approved(p, starts_on=start, ends_on=start + dt.timedelta(days=90))

    with pytest.raises(ApplicationError, match="it can be started from that day"):
        workflow.plan_activate(plan=plan, actor=p.officer_user)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.ACTIVE)
    plan.refresh_from_db()
    with pytest.raises(ApplicationError, match="evaluated after its last day"):
        workflow.plan_evaluate(plan=plan, actor=p.officer_user)


def test_a_move_on_a_plan_read_before_someone_else_moved_it_is_refused():
    p = people()
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    stale = Plan.objects.get(pk=plan.pk)
    workflow.plan_approve(plan=plan, actor=p.supervisor_user)

    with pytest.raises(ApplicationError, match="Someone else has just changed") as refused:
        workflow.plan_return(plan=stale, actor=p.other_supervisor_user, note="late")

    assert refused.value.status == 409
    assert moves(plan).count("approved") == 1
    assert "returned" not in moves(plan)


def test_a_second_plan_in_force_for_the_same_area_and_threat_is_refused():
    p = people()
    approved(p)
    second = draft(p, title="Thefts again")
    workflow.plan_submit(plan=second, actor=p.officer_user)

    with pytest.raises(ApplicationError, match="already has a plan in force") as refused:
        workflow.plan_approve(plan=second, actor=p.supervisor_user)

    assert refused.value.status == 409
    assert Plan.objects.get(pk=second.pk).status == PlanStatus.SUBMITTED
    # Another threat is fine.
    from blisko.diagnosis.models import StatisticCategory

    third = draft(p, threat=StatisticCategory.objects.get(code="drugs"))
    workflow.plan_submit(plan=third, actor=p.officer_user)
    workflow.plan_approve(plan=third, actor=p.supervisor_user)


def test_the_evidence_is_frozen_once_the_plan_is_submitted():
    p = people()
    plan = draft(p)
    plan_evidence_refresh(actor=p.officer_user, plan=plan)  # a draft: allowed
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    evidence = Plan.objects.get(pk=plan.pk).evidence

    with pytest.raises(ApplicationError, match="frozen") as refused:
        plan_evidence_refresh(actor=p.officer_user, plan=plan)
    with pytest.raises(ApplicationError, match="Only a draft or a returned plan"):
        plan_update(actor=p.officer_user, plan=plan, data=plan_input(title="Changed"))

    assert refused.value.status == 409
    assert Plan.objects.get(pk=plan.pk).evidence == evidence
    assert moves(plan) == ["created", "evidence_refreshed", "submitted"]
