"""Who may see, write and approve which plans.

- The **area's officer** (an active officer with an assignment to the area active today, in any
  role but supervisor) writes plans for it; only the plan's own officer edits it.
- The **supervisor** (an active officer with a supervisor assignment active today to the area
  or to an area above it) sees the plans of those areas and approves them, never their own.
- Analysts and administrators see every plan; they approve none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import NotFoundError
from blisko.core.periods import serving_on
from blisko.diagnosis.selectors.access import diagnosis_sees_all
from blisko.officers.models import Assignment, Officer, Role
from blisko.officers.selectors.access import areas_for_user
from blisko.plans.models import Plan, PlanAction
from blisko.territories.models import Area


def officer_of(user: Any) -> Officer | None:
    """The active officer a user account belongs to, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        officer = user.officer
    except ObjectDoesNotExist:
        return None
    return officer if officer is not None and officer.is_active else None


def officer_serves(*, officer: Officer, area: Area, on: dt.date | None = None) -> bool:
    """Whether the officer serves the area on that day (default today) in a role other than
    supervisor."""
    on = on or timezone.localdate()
    return (
        Assignment.objects.filter(serving_on(on), officer=officer, area=area)
        .exclude(role=Role.SUPERVISOR)
        .exists()
    )


def officer_supervises(*, officer: Officer, area: Area, on: dt.date | None = None) -> bool:
    """Whether the officer supervises the area (or an area above it) on that day."""
    on = on or timezone.localdate()
    above = [area.pk, *(a.pk for a in area.ancestors())]
    return Assignment.objects.filter(
        serving_on(on), officer=officer, role=Role.SUPERVISOR, area_id__in=above
    ).exists()


def plans_for_user(*, user: Any) -> QuerySet[Plan]:
    """The plans a user may see: their own, those of the areas they serve or supervise, or
    every plan for analysts and administrators."""
    plans = Plan.objects.select_related("area", "officer", "threat")
    if diagnosis_sees_all(user=user):
        return plans
    officer = officer_of(user)
    if officer is None:
        return plans.none()
    return plans.filter(Q(officer=officer) | Q(area__in=areas_for_user(user=user)))


def plan_get(*, user: Any, plan_id: int, lock: bool = False) -> Plan:
    """The plan, if the user may see it; NotFoundError otherwise (out of reach answers as
    missing)."""
    plan = plans_for_user(user=user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError(_("There is no such plan among yours."))
    return plan


def action_get(*, user: Any, plan: Plan, action_id: int) -> PlanAction:
    action = PlanAction.objects.filter(plan=plan, pk=action_id).first()
    if action is None:
        raise NotFoundError(_("The plan has no such action."))
    return action


def user_may_edit(*, user: Any, plan: Plan) -> bool:
    officer = officer_of(user)
    return officer is not None and officer.pk == plan.officer_id


def user_may_approve(*, user: Any, plan: Plan) -> bool:
    officer = officer_of(user)
    return (
        officer is not None
        and officer.pk != plan.officer_id
        and officer_supervises(officer=officer, area=plan.area)
    )


def plan_areas_for_officer(*, user: Any) -> QuerySet[Area]:
    """The areas the user may write plans for: those they serve today (not as supervisor)."""
    officer = officer_of(user)
    if officer is None:
        return Area.objects.none()
    today = timezone.localdate()
    ids = (
        Assignment.objects.filter(serving_on(today), officer=officer)
        .exclude(role=Role.SUPERVISOR)
        .values("area_id")
    )
    return Area.objects.filter(pk__in=ids).order_by("code")
