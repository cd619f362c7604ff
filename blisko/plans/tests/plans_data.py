"""A small world for the plans' tests: a region with two communities (as the diagnosis tests
have), an officer serving the first and a supervisor of the region, each with an account."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from blisko.diagnosis.models import StatisticCategory
from blisko.diagnosis.tests.diagnosis_data import World, world
from blisko.officers.models import Officer, Role
from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory
from blisko.plans.models import Plan
from blisko.plans.services.plans import PlanInput, action_add, plan_create

PASSWORD = "plans-pass-7391"


@dataclass
class People:
    world: World
    officer: Officer
    officer_user: Any
    supervisor: Officer
    supervisor_user: Any
    other_supervisor_user: Any


def user(username: str, officer: Officer | None = None) -> Any:
    account = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if officer is not None:
        officer.user = account
        officer.save(update_fields=["user"])
    return account


def people(*, populations: bool = True) -> People:
    w = world(populations=populations)
    officer = OfficerFactory()
    AssignmentFactory(officer=officer, area=w.area, role=Role.COMMUNITY_OFFICER)
    supervisor = OfficerFactory()
    AssignmentFactory(officer=supervisor, area=w.region, role=Role.SUPERVISOR)
    second = OfficerFactory()
    AssignmentFactory(officer=second, area=w.region, role=Role.SUPERVISOR)
    return People(
        w,
        officer,
        user("officer_a", officer),
        supervisor,
        user("supervisor_a", supervisor),
        user("supervisor_b", second),
    )


def plan_input(**overrides: Any) -> PlanInput:
    today = dt.date.today()
    start = today.replace(day=1)
    values: dict[str, Any] = {
        "threat": StatisticCategory.objects.get(code="theft"),
        "title": "Thefts near the market",
        "goal": "−20 % thefts in the area",
        "goal_percent": "-20",
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=180),
        "threat_reason": "The market is where residents ask us to act.",
    }
    values.update(overrides)
    return PlanInput(**values)


def draft(p: People, **overrides: Any) -> Plan:
    plan = plan_create(actor=p.officer_user, area=p.world.area, data=plan_input(**overrides))
    action_add(
        actor=p.officer_user,
        plan=plan,
        kind="patrol",
        description="Evening foot patrols around the market",
        starts_on=plan.starts_on,
        ends_on=plan.starts_on + dt.timedelta(days=30),
    )
    return plan
