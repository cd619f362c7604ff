"""The plan's workflow: its status moves along ALLOWED_TRANSITIONS only.

draft → submitted → approved | returned (with a note); returned → submitted again;
approved → active (from its first day) → evaluated (after its last day, the evaluation frozen);
draft, returned, approved or active → cancelled (with a reason).

Each move is one public service over one private `_transition`, which locks the plan, checks
that the status is still the one the caller read (else 409: someone moved it meanwhile), that
the table allows the move and that the actor may make it, stamps the time and writes an audit
event (who, when, from, to, note). Only the plan's officer submits, starts and cancels it; only
a supervisor of its area (never its own officer) approves or returns it; the evaluation is the
officer's or the supervisor's. At most one plan per area and threat is in force (approved or
active): a second is refused, by the service and by a database constraint.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record
from blisko.plans.models import IN_FORCE, Plan, PlanStatus
from blisko.plans.selectors.access import officer_of, officer_supervises
from blisko.plans.selectors.evaluation import plan_evaluation

S = PlanStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.RETURNED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.ACTIVE, S.CANCELLED}),
    S.ACTIVE: frozenset({S.EVALUATED, S.CANCELLED}),
    S.EVALUATED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Who makes each move: the plan's officer, a supervisor of its area, or either.
OFFICER, SUPERVISOR, EITHER = "officer", "supervisor", "either"
MOVER: dict[str, str] = {
    S.SUBMITTED: OFFICER,
    S.APPROVED: SUPERVISOR,
    S.RETURNED: SUPERVISOR,
    S.ACTIVE: OFFICER,
    S.EVALUATED: EITHER,
    S.CANCELLED: EITHER,
}
NOTE_MAX = 2000
_STAMP: dict[str, str] = {
    S.SUBMITTED: "submitted_at",
    S.APPROVED: "approved_at",
    S.ACTIVE: "activated_at",
    S.EVALUATED: "evaluated_at",
    S.CANCELLED: "cancelled_at",
}


def _label(status: str) -> str:
    return str(PlanStatus(status).label) if status in PlanStatus.values else status


def plan_moved_meanwhile(status: str) -> ApplicationError:
    """The refusal (409) of a move on a plan someone else moved since the mover read it: two
    supervisors approving at once, or a page left open."""
    return ApplicationError(
        _(
            "Someone else has just changed this plan: it is now “%(status)s”. Nothing was "
            "changed by you; look at the plan again."
        )
        % {"status": _label(status)},
        {"status": status},
        status=409,
    )


def _check_mover(plan: Plan, actor: Actor, to: str) -> None:
    if actor is None:
        return  # the system: the demo, a command
    officer = officer_of(actor)
    is_own = officer is not None and officer.pk == plan.officer_id
    supervises = officer is not None and officer_supervises(officer=officer, area=plan.area)
    mover = MOVER[to]
    if mover == SUPERVISOR:
        if is_own:
            raise ApplicationError(
                _("You cannot approve or return your own plan: your supervisor does."),
                {"field": "status"},
                status=403,
            )
        if not supervises:
            raise ApplicationError(
                _("Only a supervisor of the area approves or returns its plans."),
                {"field": "status"},
                status=403,
            )
    elif mover == OFFICER and not is_own:
        raise ApplicationError(
            _("Only the plan's officer can do this."), {"field": "status"}, status=403
        )
    elif mover == EITHER and not (is_own or supervises):
        raise ApplicationError(
            _("Only the plan's officer or a supervisor of the area can do this."),
            {"field": "status"},
            status=403,
        )


def _note(note: Any, required: bool, what: str) -> str:
    note = note.strip() if isinstance(note, str) else ""
    if required and not note:
        raise ApplicationError(what, {"field": "note"})
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": NOTE_MAX},
            {"field": "note"},
        )
    return note


def _transition(plan: Plan, actor: Actor, to: str, note: str = "", **fields: Any) -> Plan:
    """Move `plan` to `to`; the one way a plan's status changes (see the module's text).
    `plan.status` is the status the caller read."""
    try:
        with transaction.atomic():
            locked = Plan.objects.select_for_update().select_related("area").get(pk=plan.pk)
            from_status = locked.status
            if from_status != plan.status:
                raise plan_moved_meanwhile(from_status)
            if to not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
                raise ApplicationError(
                    _("A plan that is “%(from)s” cannot become “%(to)s”.")
                    % {"from": _label(from_status), "to": _label(to)},
                    {"from": from_status, "to": to},
                    status=409,
                )
            _check_mover(locked, actor, to)
            if to in IN_FORCE and from_status not in IN_FORCE:
                other = (
                    Plan.objects.filter(area=locked.area, threat=locked.threat, status__in=IN_FORCE)
                    .exclude(pk=locked.pk)
                    .first()
                )
                if other is not None:
                    raise ApplicationError(
                        _(
                            "The area already has a plan in force against this threat "
                            "(“%(title)s”, until %(end)s)."
                        )
                        % {"title": other.title, "end": other.ends_on.isoformat()},
                        {"field": "threat", "plan": other.pk},
                        status=409,
                    )
            locked.status = to
            changed = ["status", *fields]
            for name, value in fields.items():
                setattr(locked, name, value)
            if to in _STAMP:
                setattr(locked, _STAMP[to], timezone.now())
                changed.append(_STAMP[to])
            if to == S.APPROVED:
                locked.approved_by = (
                    actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
                )
                changed.append("approved_by")
            locked.save(update_fields=[*changed, "updated_at"])
            audit_record(
                actor=actor,
                entity="plans.plan",
                entity_id=locked.pk,
                action=to,
                before={"status": from_status},
                after={"status": to}
                if to != S.EVALUATED or not locked.evaluation
                else {"status": to, "verdict": locked.evaluation["verdict"]["kind"]},
                note=note,
            )
    except IntegrityError:
        # Another plan came into force between the check and the write (the constraint).
        raise ApplicationError(
            _("The area already has a plan in force against this threat."),
            {"field": "threat"},
            status=409,
        ) from None
    for name in [*changed, "updated_at"]:
        setattr(plan, name, getattr(locked, name))
    return plan


def plan_submit(*, plan: Plan, actor: Actor) -> Plan:
    """Send the plan to the supervisor: draft or returned → submitted.

    Preconditions: the actor is the plan's officer; it has at least one action. Effects:
    submitted_at; the evidence is frozen from now on; an audit event."""
    if not plan.actions.exists():
        raise ApplicationError(
            _("Add at least one action before submitting the plan."), {"field": "actions"}
        )
    return _transition(plan, actor, S.SUBMITTED)


def plan_approve(*, plan: Plan, actor: Actor, note: str = "") -> Plan:
    """Approve a submitted plan: submitted → approved.

    Preconditions: the actor supervises the plan's area and is not its officer; no other plan
    of the area against the threat is in force. Effects: approved_at, approved_by; an audit
    event. Of two supervisors approving at once one wins; the other gets a 409."""
    return _transition(plan, actor, S.APPROVED, _note(note, False, ""), return_note="")


def plan_return(*, plan: Plan, actor: Actor, note: str) -> Plan:
    """Return a submitted plan to its officer with a note: submitted → returned."""
    note = _note(note, True, _("Say what should change before the plan can be approved."))
    return _transition(plan, actor, S.RETURNED, note, return_note=note)


def plan_activate(*, plan: Plan, actor: Actor) -> Plan:
    """Start an approved plan: approved → active, from its first day on."""
    if plan.starts_on > site_today():
        raise ApplicationError(
            _("The plan starts on %(day)s; it can be started from that day.")
            % {"day": plan.starts_on.isoformat()},
            {"field": "status"},
            status=409,
        )
    return _transition(plan, actor, S.ACTIVE)


def plan_evaluate(*, plan: Plan, actor: Actor, note: str = "") -> Plan:
    """Close an active plan with its evaluation frozen: active → evaluated, after its last day.

    Effects: `evaluation` holds the figures and the verdict as computed now (see
    `blisko.plans.selectors.evaluation`); evaluated_at; an audit event with the verdict."""
    today = site_today()
    if plan.ends_on >= today:
        raise ApplicationError(
            _("The plan runs until %(day)s; it is evaluated after its last day.")
            % {"day": plan.ends_on.isoformat()},
            {"field": "status"},
            status=409,
        )
    evaluation = plan_evaluation(plan=plan, today=today)
    return _transition(plan, actor, S.EVALUATED, _note(note, False, ""), evaluation=evaluation)


def plan_cancel(*, plan: Plan, actor: Actor, note: str) -> Plan:
    """Cancel a plan that is not yet evaluated, saying why: → cancelled."""
    note = _note(note, True, _("Say why the plan is cancelled."))
    return _transition(plan, actor, S.CANCELLED, note, cancel_reason=note)
