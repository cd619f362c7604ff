"""Writing a plan: create it from the area's diagnosis (the evidence frozen with it), change it
while it is a draft or returned, and its actions. The workflow moves are in `workflow`.

Every check is made before anything is written; each service is one transaction and writes
one audit event ("plans.plan" or "plans.action") with the fields before and after.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from h3.api import numpy_int as h3n

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record
from blisko.diagnosis.hotspots import DEFAULT_RESOLUTION
from blisko.diagnosis.models import StatisticCategory
from blisko.diagnosis.periods import Period
from blisko.diagnosis.selectors.diagnosis import diagnosis_for_area
from blisko.diagnosis.selectors.hotspots import area_hotspots
from blisko.officers.models import Officer
from blisko.plans.models import EDITABLE, ActionKind, ActionStatus, PlaceKind, Plan, PlanAction
from blisko.plans.places import cells_check, cells_inside, cells_shape, polygon_check
from blisko.plans.selectors.access import officer_of, officer_serves
from blisko.reports.services.workflow import photo_clean
from blisko.territories.models import Area

DEFAULT_MONTHS = 6
MAX_MONTHS = 12
GOAL_MIN, GOAL_MAX = decimal.Decimal(-100), decimal.Decimal(1000)
TEXT_MAX = {"title": 200, "goal": 300, "threat_reason": 1000}
EVIDENCE_MONTHS = 12
EVIDENCE_HOT_CELLS = 200  # hot cells kept in the evidence, most significant first


def _refused(message: str, field: str, status: int = 400) -> ApplicationError:
    return ApplicationError(message, {"field": field}, status=status)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Six months from the first day of next month."""
    today = today or site_today()
    start = add_months(today.replace(day=1), 1)
    return start, add_months(start, DEFAULT_MONTHS) - dt.timedelta(days=1)


# --- the evidence ------------------------------------------------------------------------


def _last_months(today: dt.date) -> Period:
    end = today.replace(day=1)
    return Period(add_months(end, -EVIDENCE_MONTHS), end)


def _number(value: float | None) -> float | None:
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return round(float(value), 4)


def evidence_build(*, area: Area, today: dt.date | None = None) -> dict[str, Any]:
    """The area's diagnosis of the last 12 whole months and its hot cells, as JSON: what the
    plan is written against, frozen with it."""
    period = _last_months(today or site_today())
    diagnosis = diagnosis_for_area(area=area, period=period)
    threats = []
    for row in diagnosis.rows:
        f = row.figures
        threats.append(
            {
                "code": row.code,
                "name_uk": row.category.name_uk,
                "name_pl": row.category.name_pl,
                "name_en": row.category.name_en,
                "rank": row.rank,
                "count": f.count,
                "police": row.police,
                "reports": row.reports,
                "rate": _number(f.rate.value) if f.rate else None,
                "region_ratio": _number(f.vs_region.ratio) if f.vs_region else None,
                "region_ratio_low": _number(f.vs_region.low) if f.vs_region else None,
                "previous_count": f.previous_count,
                "trend": _number(f.trend.ratio) if f.trend else None,
                "too_few": f.too_few,
            }
        )
    cells = area_hotspots(area=area, period=period, resolution=DEFAULT_RESOLUTION, permutations=0)
    hot: list[dict[str, Any]] = []
    if cells is not None:
        order = sorted(
            (i for i in range(len(cells.cells)) if cells.classes[i] == "hot"),
            key=lambda i: -float(cells.z[i]),
        )[:EVIDENCE_HOT_CELLS]
        hot = [
            {
                "h3": h3n.int_to_str(int(cells.cells[i])),
                "count": int(cells.counts[i]),
                "gi_z": _number(cells.z[i]),
                "q_value": _number(cells.q_value[i]),
            }
            for i in order
        ]
    return {
        "period": [period.start.isoformat(), period.last.isoformat()],
        "population": diagnosis.population,
        "police_source": diagnosis.police_kind,
        "biggest": diagnosis.biggest.code if diagnosis.biggest else None,
        "threats": threats,
        "hot_cells": hot,
        "resolution": DEFAULT_RESOLUTION,
        "events": diagnosis.total,
    }


# --- checks ------------------------------------------------------------------------------


@dataclass
class PlanInput:
    """What the officer writes (the form and the API send the same)."""

    threat: StatisticCategory | None
    title: str
    goal: str
    goal_percent: Any
    starts_on: dt.date | None
    ends_on: dt.date | None
    place_kind: str = PlaceKind.AREA
    place_cells: Any = None
    place_polygon: Any = None
    threat_reason: str = ""


def _text(value: Any, field: str, label: str, required: bool = True) -> str:
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    value = value.strip()
    if required and not value:
        raise _refused(_("%(label)s is required.") % {"label": label}, field)
    if len(value) > TEXT_MAX[field]:
        raise _refused(
            _("%(label)s is longer than %(max)d characters.")
            % {"label": label, "max": TEXT_MAX[field]},
            field,
        )
    return value


def _goal(value: Any) -> decimal.Decimal:
    try:
        goal = decimal.Decimal(str(value).replace(",", ".").replace("−", "-").strip().rstrip("%"))
        if not goal.is_finite():
            raise decimal.InvalidOperation
    except (decimal.InvalidOperation, ValueError):
        raise _refused(
            _("The goal must be a number of per cent, from −100 to +1000."), "goal_percent"
        ) from None
    if not GOAL_MIN <= goal <= GOAL_MAX:
        raise _refused(
            _("The goal must be from −100 to +1000 %%, not %(value)s.") % {"value": goal},
            "goal_percent",
        )
    return goal.quantize(decimal.Decimal("0.1"))


def _period(starts_on: Any, ends_on: Any, *, past: bool = False) -> tuple[dt.date, dt.date]:
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise _refused(_("Give the plan's first and last day."), "starts_on")
    if ends_on < starts_on:
        raise _refused(_("The plan cannot end before it starts."), "ends_on")
    if ends_on >= add_months(starts_on, MAX_MONTHS):
        raise _refused(
            _("A plan lasts at most %(months)d months.") % {"months": MAX_MONTHS}, "ends_on"
        )
    if ends_on < site_today() and not past:
        raise _refused(_("The plan's period is already over."), "ends_on")
    return starts_on, ends_on


def _place(data: PlanInput, area: Area) -> tuple[str, list[str], Any]:
    kind = data.place_kind or PlaceKind.AREA
    if kind not in PlaceKind.values:
        raise _refused(_("Choose the place: the whole area, cells or a drawn polygon."), "place")
    if kind == PlaceKind.AREA:
        return kind, [], None
    boundary = Area.objects.only("boundary").get(pk=area.pk).boundary
    if boundary is None:
        raise _refused(_("The area has no boundary on record: plan for the whole area."), "place")
    if kind == PlaceKind.CELLS:
        cells = cells_check(data.place_cells)
        cells_inside(cells, within=boundary)
        return kind, cells, cells_shape(cells)
    return kind, [], polygon_check(data.place_polygon, within=boundary)


def _checked(
    data: PlanInput, area: Area, suggested: str | None, *, past: bool = False
) -> dict[str, Any]:
    if data.threat is None or data.threat.valid_to is not None:
        raise _refused(_("Choose the threat the plan works against."), "threat")
    reason = _text(data.threat_reason, "threat_reason", _("The reason"), required=False)
    if suggested and data.threat.code != suggested and not reason:
        raise _refused(
            _(
                "The diagnosis names another threat as the biggest: say why this plan works "
                "against this one."
            ),
            "threat_reason",
        )
    starts_on, ends_on = _period(data.starts_on, data.ends_on, past=past)
    kind, cells, place = _place(data, area)
    return {
        "threat": data.threat,
        "threat_reason": reason,
        "title": _text(data.title, "title", _("The priority")),
        "goal": _text(data.goal, "goal", _("The goal")),
        "goal_percent": _goal(data.goal_percent),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "place_kind": kind,
        "place_cells": cells,
        "place": place,
    }


def _snapshot(plan: Plan) -> dict[str, Any]:
    return {
        "status": plan.status,
        "threat": plan.threat.code,
        "title": plan.title,
        "goal": plan.goal,
        "goal_percent": str(plan.goal_percent),
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat(),
        "place_kind": plan.place_kind,
        "place_cells": len(plan.place_cells),
    }


def _author(actor: Actor, area: Area, officer: Officer | None) -> Officer:
    """The officer writing: the actor's own (who must serve the area), or, for the system (the
    demo, a command: no actor), the officer given."""
    if actor is None:
        if officer is None:
            raise _refused(_("Say which officer the plan is for."), "officer")
        return officer
    own = officer_of(actor)
    if own is None or not officer_serves(officer=own, area=area):
        raise _refused(_("You can write plans only for the areas you serve."), "area", status=403)
    return own


# --- the services ------------------------------------------------------------------------


def plan_create(
    *,
    actor: Actor,
    area: Area,
    data: PlanInput,
    officer: Officer | None = None,
    evidence: dict[str, Any] | None = None,
) -> Plan:
    """A new draft plan for `area` against `data.threat`, with the area's diagnosis frozen as
    its evidence.

    Preconditions: the actor serves the area (or, without an actor, `officer` is given); the
    threat is in use; a threat other than the diagnosis' biggest has a reason; the period is
    1 day to 12 months and not over (the system may record past plans); the goal is −100 … +1000 %; the place is valid and inside
    the area. Effects: the plan (draft) and an audit event "created"."""
    author = _author(actor, area, officer)
    evidence = evidence if evidence is not None else evidence_build(area=area)
    # The system (no actor) may record a plan of the past: the demo, earlier plans brought in.
    fields = _checked(data, area, evidence.get("biggest"), past=actor is None)
    suggested = (
        StatisticCategory.objects.filter(code=evidence["biggest"]).first()
        if evidence.get("biggest")
        else None
    )
    with transaction.atomic():
        plan = Plan.objects.create(
            area=area, officer=author, suggested_threat=suggested, evidence=evidence, **fields
        )
        audit_record(
            actor=actor,
            entity="plans.plan",
            entity_id=plan.pk,
            action="created",
            after=_snapshot(plan),
        )
    return plan


def _editable(plan: Plan, actor: Actor) -> None:
    if plan.status not in EDITABLE:
        raise _refused(
            _("Only a draft or a returned plan can be changed; this one is “%(status)s”.")
            % {"status": plan.get_status_display()},
            "status",
            status=409,
        )
    if actor is not None:
        own = officer_of(actor)
        if own is None or own.pk != plan.officer_id:
            raise _refused(_("Only the plan's officer can change it."), "officer", status=403)


def plan_update(*, actor: Actor, plan: Plan, data: PlanInput) -> Plan:
    """Change a draft or returned plan (not its evidence).

    Preconditions: as plan_create; the plan is a draft or returned; the actor is its officer.
    Effects: the fields saved; an audit event "changed" with before and after."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().select_related("threat").get(pk=plan.pk)
        _editable(locked, actor)
        fields = _checked(data, locked.area, locked.evidence.get("biggest"))
        before = _snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            entity="plans.plan",
            entity_id=locked.pk,
            action="changed",
            before=before,
            after=_snapshot(locked),
        )
    return locked


def plan_evidence_refresh(*, actor: Actor, plan: Plan) -> Plan:
    """Take the area's diagnosis again as the plan's evidence (the data has grown since).

    Preconditions: the plan is a draft or returned (the evidence of a submitted or approved
    plan is frozen); the actor is its officer. Effects: the evidence replaced; an audit event."""
    evidence = evidence_build(area=plan.area)
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if locked.status not in EDITABLE:
            raise _refused(
                _("The evidence of a plan is frozen once it is submitted."), "evidence", status=409
            )
        _editable(locked, actor)
        before = {
            "period": locked.evidence.get("period"),
            "biggest": locked.evidence.get("biggest"),
        }
        locked.evidence = evidence
        locked.save(update_fields=["evidence", "updated_at"])
        audit_record(
            actor=actor,
            entity="plans.plan",
            entity_id=locked.pk,
            action="evidence_refreshed",
            before=before,
            after={"period": evidence["period"], "biggest": evidence["biggest"]},
        )
    return locked


# --- actions -----------------------------------------------------------------------------

ACTION_TEXT_MAX = {"description": 500, "partners": 300, "note": 2000}
# Plans whose actions may be added to (planning, or along the way once active).
_ACTIONS_OPEN = (*EDITABLE, "approved", "active")


def _action_fields(
    plan: Plan, kind: Any, description: Any, starts_on: Any, ends_on: Any, partners: Any
) -> dict[str, Any]:
    if kind not in ActionKind.values:
        raise _refused(_("Choose the kind of the action."), "kind")
    description = (description or "").strip() if isinstance(description, str) else ""
    if not description:
        raise _refused(_("Describe the action."), "description")
    if len(description) > ACTION_TEXT_MAX["description"]:
        raise _refused(
            _("The description is longer than %(max)d characters.")
            % {"max": ACTION_TEXT_MAX["description"]},
            "description",
        )
    partners = (partners or "").strip() if isinstance(partners, str) else ""
    if len(partners) > ACTION_TEXT_MAX["partners"]:
        raise _refused(
            _("The partners are longer than %(max)d characters.")
            % {"max": ACTION_TEXT_MAX["partners"]},
            "partners",
        )
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise _refused(_("Give the action's planned dates."), "starts_on")
    if ends_on < starts_on:
        raise _refused(_("The action cannot end before it starts."), "ends_on")
    if starts_on < plan.starts_on or ends_on > plan.ends_on:
        raise _refused(
            _("The action's dates must lie within the plan's period (%(start)s – %(end)s).")
            % {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()},
            "starts_on",
        )
    return {
        "kind": kind,
        "description": description,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "partners": partners,
    }


def _action_snapshot(action: PlanAction) -> dict[str, Any]:
    return {
        "plan": action.plan_id,
        "kind": action.kind,
        "description": action.description,
        "starts_on": action.starts_on.isoformat(),
        "ends_on": action.ends_on.isoformat(),
        "partners": action.partners,
        "status": action.status,
        "done_on": action.done_on.isoformat() if action.done_on else None,
    }


def _plan_for_actions(plan: Plan, actor: Actor) -> Plan:
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.status not in _ACTIONS_OPEN:
        raise _refused(
            _("The actions of a plan that is “%(status)s” cannot change.")
            % {"status": locked.get_status_display()},
            "status",
            status=409,
        )
    if actor is not None:
        own = officer_of(actor)
        if own is None or own.pk != locked.officer_id:
            raise _refused(_("Only the plan's officer can change it."), "officer", status=403)
    return locked


def action_add(
    *,
    actor: Actor,
    plan: Plan,
    kind: str,
    description: str,
    starts_on: dt.date,
    ends_on: dt.date,
    partners: str = "",
) -> PlanAction:
    """Add a planned action to the plan.

    Preconditions: the plan is a draft, returned, approved or active; the actor is its
    officer; the kind is one of ActionKind; the dates lie within the plan's period. Effects:
    the action (planned) and an audit event "plans.action created"."""
    with transaction.atomic():
        locked = _plan_for_actions(plan, actor)
        fields = _action_fields(locked, kind, description, starts_on, ends_on, partners)
        action = PlanAction.objects.create(plan=locked, **fields)
        audit_record(
            actor=actor,
            entity="plans.action",
            entity_id=action.pk,
            action="created",
            after=_action_snapshot(action),
        )
    return action


def action_remove(*, actor: Actor, action: PlanAction) -> None:
    """Remove a planned action from a draft or returned plan (an approved plan's actions are
    cancelled, never removed). Effects: the action deleted; an audit event."""
    with transaction.atomic():
        locked = _plan_for_actions(action.plan, actor)
        if locked.status not in EDITABLE:
            raise _refused(
                _("An approved plan's actions are cancelled, not removed."), "status", status=409
            )
        before = _action_snapshot(action)
        pk = action.pk
        PlanAction.objects.filter(pk=pk).delete()
        audit_record(
            actor=actor, entity="plans.action", entity_id=pk, action="removed", before=before
        )


def _action_move(action: PlanAction, actor: Actor, to: str, note: Any, **fields: Any) -> PlanAction:
    if not isinstance(note, str):
        note = ""
    note = note.strip()
    if len(note) > ACTION_TEXT_MAX["note"]:
        raise _refused(
            _("The note is longer than %(max)d characters.") % {"max": ACTION_TEXT_MAX["note"]},
            "note",
        )
    with transaction.atomic():
        plan = _plan_for_actions(action.plan, actor)
        if plan.status != "active":
            raise _refused(
                _("Actions are recorded as done or cancelled once the plan is active."),
                "status",
                status=409,
            )
        locked = PlanAction.objects.select_for_update().get(pk=action.pk)
        if locked.status != ActionStatus.PLANNED:
            raise _refused(
                _("This action is already “%(status)s”.") % {"status": locked.get_status_display()},
                "status",
                status=409,
            )
        before = _action_snapshot(locked)
        locked.status = to
        locked.done_note = note
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            entity="plans.action",
            entity_id=locked.pk,
            action=to,
            before=before,
            after=_action_snapshot(locked),
            note=note,
        )
    return locked


def action_done(
    *, actor: Actor, action: PlanAction, done_on: Any, note: str = "", photo: Any = None
) -> PlanAction:
    """Record an action as done on a day, with a short note and an optional photo.

    Preconditions: the plan is active; the actor is its officer; the action is planned; the
    day is within the plan's period and not in the future; a photo is a JPEG or PNG within the
    size limit (re-encoded without metadata). Effects: the action done; an audit event."""
    if not isinstance(done_on, dt.date):
        raise _refused(_("Give the day the action was done."), "done_on")
    if done_on > site_today():
        raise _refused(_("The day the action was done cannot be in the future."), "done_on")
    plan = action.plan
    if done_on < plan.starts_on or done_on > plan.ends_on:
        raise _refused(
            _("The day must lie within the plan's period (%(start)s – %(end)s).")
            % {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()},
            "done_on",
        )
    image = photo_clean(photo)
    fields: dict[str, Any] = {"done_on": done_on}
    if image is not None:
        fields["photo"] = image
    try:
        return _action_move(action, actor, ActionStatus.DONE, note, **fields)
    except IntegrityError:  # pragma: no cover - the checks above keep the constraint
        raise _refused(_("The action could not be saved."), "done_on") from None


def action_cancel(*, actor: Actor, action: PlanAction, note: str) -> PlanAction:
    """Cancel a planned action of an active plan, saying why. Effects: the action cancelled;
    an audit event with the reason."""
    if not isinstance(note, str) or not note.strip():
        raise _refused(_("Say why the action is cancelled."), "note")
    return _action_move(action, actor, ActionStatus.CANCELLED, note)
