"""Demo priority action plans: for the officer of Vinnytsia hromada and each dzielnicowy of
Konin's beats, one plan evaluated over a past half-year and one active now, written against
the area's demo diagnosis (its biggest threat; the active one on its hot cells when it has
some), with actions, some of them done. All through the plans' services (the system as the
actor: no demo officer but the accounts signs in), so every step is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.demo.data import KONIN_GMINA
from blisko.diagnosis.models import StatisticCategory
from blisko.officers.models import Assignment, Officer, Role
from blisko.plans.models import ActionKind, PlaceKind, Plan
from blisko.plans.places import cells_inside
from blisko.plans.services import workflow
from blisko.plans.services.plans import (
    PlanInput,
    action_add,
    action_done,
    add_months,
    evidence_build,
    plan_create,
)
from blisko.territories.models import Area, Country, Level

VINNYTSIA_HROMADA = "UA05020030000031457"
HOT_CELLS = 6

ACTIONS = {
    Country.UKRAINE: [
        (ActionKind.PATROL, "Вечірні піші патрулі в гарячих точках, двічі на тиждень"),
        (ActionKind.MEETING, "Зустріч із мешканцями та старостою: що робимо і що змінилося"),
        (ActionKind.EDUCATION, "Заняття з безпеки для учнів місцевої школи"),
        (ActionKind.ENVIRONMENT, "Освітлення та обрізання кущів у сквері разом із громадою"),
    ],
    Country.POLAND: [
        (ActionKind.PATROL, "Piesze patrole w godzinach wieczornych w rejonie zagrożonym"),
        (ActionKind.MEETING, "Debata społeczna z mieszkańcami osiedla"),
        (ActionKind.PARTNER, "Wspólne działania ze strażą miejską i zarządcą osiedla"),
        (ActionKind.ENFORCEMENT, "Kontrole w miejscach wskazanych na mapie zagrożeń"),
    ],
}
TITLES = {
    Country.UKRAINE: "{threat}: менше випадків у громаді",
    Country.POLAND: "{threat}: mniej zdarzeń w rejonie dzielnicy",
}
GOALS = {
    Country.UKRAINE: "−15 % подій «{threat}» порівняно з попередніми шістьма місяцями",
    Country.POLAND: "−15 % zdarzeń „{threat}” wobec poprzednich sześciu miesięcy",
}


def _officers() -> list[tuple[Officer, Area]]:
    """The demo officers who write plans, each with their area."""
    today = site_today()
    areas = list(Area.objects.filter(code=VINNYTSIA_HROMADA).defer("boundary")) + list(
        Area.objects.filter(parent__code=KONIN_GMINA, level=Level.SERVICE_AREA)
        .defer("boundary")
        .order_by("code")
    )
    out = []
    for area in areas:
        assignment = (
            Assignment.objects.filter(
                area=area,
                covers__isnull=True,
                role__in=[Role.COMMUNITY_OFFICER, Role.DISTRICT_OFFICER],
                starts_on__lte=today,
            )
            .select_related("officer")
            .order_by("starts_on")
            .first()
        )
        if assignment is not None:
            out.append((assignment.officer, area))
    return out


def _threat_name(threat: StatisticCategory, country: str) -> str:
    name = threat.name_uk if country == Country.UKRAINE else threat.name_pl
    return name[:1].upper() + name[1:]


def _plan(
    officer: Officer,
    area: Area,
    evidence: dict,
    *,
    start: dt.date,
    cells: list[str],
) -> Plan:
    threat = StatisticCategory.objects.get(code=evidence["biggest"])
    name = _threat_name(threat, area.country)
    plan = plan_create(
        actor=None,
        area=area,
        officer=officer,
        evidence=evidence,
        data=PlanInput(
            threat=threat,
            title=TITLES[area.country].format(threat=name),
            goal=GOALS[area.country].format(threat=name),
            goal_percent="-15",
            starts_on=start,
            ends_on=add_months(start, 6) - dt.timedelta(days=1),
            place_kind=PlaceKind.CELLS if cells else PlaceKind.AREA,
            place_cells=cells,
        ),
    )
    length = (plan.ends_on - plan.starts_on).days
    for i, (kind, description) in enumerate(ACTIONS[area.country]):
        first = plan.starts_on + dt.timedelta(days=length * i // 4)
        action_add(
            actor=None,
            plan=plan,
            kind=kind,
            description=description,
            starts_on=first,
            ends_on=min(first + dt.timedelta(days=30), plan.ends_on),
            partners="" if kind == ActionKind.PATROL else area.name,
        )
    workflow.plan_submit(plan=plan, actor=None)
    workflow.plan_approve(plan=plan, actor=None)
    workflow.plan_activate(plan=plan, actor=None)
    today = site_today()
    for action in plan.actions.all():
        # Done when its time has passed, except one left behind (an overdue action).
        if action.ends_on < today and action.kind != ActionKind.EDUCATION:
            action_done(
                actor=None, action=action, done_on=action.ends_on, note=action.description[:60]
            )
    return plan


def plans_demo_generate(*, log: Callable[[str], None] = lambda line: None) -> int:
    """The demo plans (see the module's text); how many were made. Needs the demo diagnosis."""
    today = site_today()
    made = 0
    for officer, area in _officers():
        evidence = evidence_build(area=area, today=today)
        if not evidence.get("biggest"):
            continue
        boundary = Area.objects.only("boundary").get(pk=area.pk).boundary
        cells = [c["h3"] for c in evidence["hot_cells"]][: HOT_CELLS * 3]
        inside = []
        for cell in cells:
            try:
                cells_inside([cell], within=boundary)
            except ApplicationError:  # a hot cell centred outside the area is left out
                continue
            inside.append(cell)
        past = _plan(officer, area, evidence, start=add_months(today.replace(day=1), -8), cells=[])
        workflow.plan_evaluate(plan=past, actor=None)
        _plan(
            officer,
            area,
            evidence,
            start=add_months(today.replace(day=1), -2),
            cells=inside[:HOT_CELLS],
        )
        made += 2
    log(f"{made} demo priority action plans (half evaluated, half active).")
    return made


def plans_demo_exists() -> bool:
    return Plan.objects.exists()
