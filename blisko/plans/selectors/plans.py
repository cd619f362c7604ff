"""Lists of plans: a user's (with their actions done, planned and overdue), one plan's history,
and the public priorities of an area (the plans in force, as police.uk shows a neighbourhood's
priorities)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from blisko.core.clock import site_today
from blisko.core.models import AuditEvent
from blisko.plans.models import ActionStatus, Plan, PlanAction, PlanStatus
from blisko.plans.selectors.access import plans_for_user
from blisko.territories.models import Area


def plan_list(*, user: Any, status: str = "", overdue: bool = False) -> QuerySet[Plan]:
    """The plans the user may see, newest first, each with `actions_planned`, `actions_done`
    and `actions_overdue` (planned actions whose last day has passed)."""
    today = site_today()
    plans = plans_for_user(user=user).annotate(
        actions_planned=Count("actions", filter=~Q(actions__status=ActionStatus.CANCELLED)),
        actions_done=Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
        actions_overdue=Count(
            "actions",
            filter=Q(actions__status=ActionStatus.PLANNED, actions__ends_on__lt=today),
        ),
    )
    if status:
        plans = plans.filter(status=status)
    if overdue:
        plans = plans.filter(actions_overdue__gt=0)
    return plans.defer("area__boundary", "place", "evidence", "evaluation").order_by(
        "-starts_on", "-pk"
    )


def plan_history(*, plan: Plan) -> list[AuditEvent]:
    """The plan's audit events and its actions', oldest first."""
    actions = [str(pk) for pk in plan.actions.values_list("pk", flat=True)]
    return list(
        AuditEvent.objects.filter(
            Q(entity="plans.plan", entity_id=str(plan.pk))
            | Q(entity="plans.action", entity_id__in=actions)
        )
        .select_related("actor")
        .order_by("at", "pk")
    )


def plan_actions(*, plan: Plan) -> list[PlanAction]:
    today = site_today()
    actions = list(plan.actions.all())
    for action in actions:
        action.is_overdue = action.status == ActionStatus.PLANNED and action.ends_on < today  # type: ignore[attr-defined]
    return actions


def area_priorities(*, area: Area, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The area's priorities: its plans in force (active, or approved and starting), each with
    its title, threat, dates and actions (no person, no place finer than the area)."""
    today = today or site_today()
    plans = (
        Plan.objects.filter(
            area=area, status__in=[PlanStatus.ACTIVE, PlanStatus.APPROVED], ends_on__gte=today
        )
        .select_related("threat")
        .annotate(last_done=Max("actions__done_on", filter=Q(actions__status=ActionStatus.DONE)))
        .defer("place", "evidence", "evaluation")
        .order_by("starts_on", "pk")
    )
    out = []
    for plan in plans:
        actions = [a for a in plan.actions.all() if a.status != ActionStatus.CANCELLED]
        out.append(
            {
                "plan": plan,
                "title": plan.title,
                "threat": plan.threat,
                "starts_on": plan.starts_on,
                "ends_on": plan.ends_on,
                "issue_date": (plan.approved_at.date() if plan.approved_at else plan.starts_on),
                "action_date": plan.last_done,
                "actions": actions,
                "is_active": plan.status == PlanStatus.ACTIVE,
            }
        )
    return out
