"""The police pages of the plans: the user's plans (the supervisor: their areas'), a new plan
from the area's diagnosis, a plan's page (place, evidence, actions, evaluation, history) with
the workflow's buttons, and the forms behind them. The forms read input; the services decide
(a refusal is shown on the page with its status code: 400, 403 or 409)."""

from __future__ import annotations

import json
from typing import Any

import h3
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.diagnosis.models import StatisticCategory
from blisko.plans.charts import evaluation_charts
from blisko.plans.forms import ActionDoneForm, ActionForm, NoteForm, PlanFilterForm, PlanForm
from blisko.plans.models import EDITABLE, ActionStatus, PlaceKind, Plan, PlanStatus
from blisko.plans.places import cells_of_shape, cells_shape, ring_of
from blisko.plans.selectors.access import (
    action_get,
    plan_areas_for_officer,
    plan_get,
    user_may_approve,
    user_may_edit,
)
from blisko.plans.selectors.evaluation import plan_evaluation
from blisko.plans.selectors.plans import plan_actions, plan_history, plan_list
from blisko.plans.services import workflow
from blisko.plans.services.plans import (
    action_add,
    action_cancel,
    action_done,
    action_remove,
    default_period,
    evidence_build,
    plan_create,
    plan_evidence_refresh,
    plan_update,
)
from blisko.plans.words import verdict_sentences
from blisko.reports.selectors.stats import user_is_supervisor

PAGE_SIZE = 50


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    try:
        return plan_get(user=request.user, plan_id=plan_id)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _refusal_on(form: Any, error: ApplicationError) -> None:
    field = error.extra.get("field") if isinstance(error.extra, dict) else None
    if field == "place" and "place_kind" in form.fields:
        field = "place_kind"
    form.add_error(field if field in form.fields else None, error.message)


# --- lists -------------------------------------------------------------------------------


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    """The plans the user may see, filtered by status or overdue actions, paged."""
    form = PlanFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    found = plan_list(
        user=request.user, status=filters.get("status", ""), overdue=bool(filters.get("overdue"))
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "plans/plans.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "areas": list(plan_areas_for_officer(user=request.user).defer("boundary")),
            "to_approve": sum(
                1
                for p in plan_list(user=request.user, status=PlanStatus.SUBMITTED)
                if user_may_approve(user=request.user, plan=p)
            ),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
    )


# --- writing a plan ----------------------------------------------------------------------


def _cells_geojson(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """The evidence's hot cells as hexagons, each with its H3 index and count, to choose from."""
    features = []
    for cell in cells:
        ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell["h3"])]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]},
                "properties": {"h3": cell["h3"], "count": cell.get("count", 0)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _form_page(
    request: HttpRequest,
    *,
    form: PlanForm,
    area: Any,
    evidence: dict[str, Any],
    plan: Plan | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "plans/plan_form.html",
        {
            "form": form,
            "area": area,
            "plan": plan,
            "evidence": evidence,
            "hot_cells": _cells_geojson(evidence.get("hot_cells", [])),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    """A new plan for one of the user's areas (`?area=`), pre-filled from its diagnosis."""
    areas = plan_areas_for_officer(user=request.user)
    try:
        area = areas.select_related("parent").get(pk=int(request.GET.get("area") or 0))
    except (ValueError, areas.model.DoesNotExist):
        raise Http404(_("You can write plans only for the areas you serve.")) from None
    evidence = evidence_build(area=area)
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                plan = plan_create(
                    actor=request.user, area=area, data=form.plan_input(), evidence=evidence
                )
            except ApplicationError as error:
                _refusal_on(form, error)
            else:
                messages.success(request, _("The draft plan is saved. Add its actions."))
                return redirect("plans:plan", plan_id=plan.pk)
        return _form_page(request, form=form, area=area, evidence=evidence, status=400)
    start, end = default_period()
    biggest = evidence.get("biggest")
    form = PlanForm(
        initial={
            "threat": biggest,
            "starts_on": start,
            "ends_on": end,
            "goal_percent": "-20",
            "place_kind": PlaceKind.AREA,
            "title": _threat_name(biggest),
        }
    )
    return _form_page(request, form=form, area=area, evidence=evidence)


def _threat_name(code: str | None) -> str:
    if not code:
        return ""
    threat = StatisticCategory.objects.filter(code=code).first()
    return threat.name if threat else ""


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Change a draft or returned plan (its officer only)."""
    plan = _plan(request, plan_id)
    if plan.status not in EDITABLE or not user_may_edit(user=request.user, plan=plan):
        messages.error(request, _("Only the plan's officer can change a draft or returned plan."))
        return redirect("plans:plan", plan_id=plan.pk)
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                plan_update(actor=request.user, plan=plan, data=form.plan_input())
            except ApplicationError as error:
                _refusal_on(form, error)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect("plans:plan", plan_id=plan.pk)
        return _form_page(
            request, form=form, area=plan.area, evidence=plan.evidence, plan=plan, status=400
        )
    form = PlanForm(
        initial={
            "threat": plan.threat.code,
            "threat_reason": plan.threat_reason,
            "title": plan.title,
            "goal_percent": str(plan.goal_percent),
            "goal": plan.goal,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "place_kind": plan.place_kind,
            "place_cells": ",".join(plan.place_cells),
            "place_polygon": plan.place.json if plan.place_kind == PlaceKind.POLYGON else "",
        }
    )
    return _form_page(request, form=form, area=plan.area, evidence=plan.evidence, plan=plan)


# --- a plan's page -----------------------------------------------------------------------

# The moves offered on the page: name → (target status, service, whether a note is required).
MOVES: dict[str, tuple[str, Any, bool]] = {
    "submit": (PlanStatus.SUBMITTED, workflow.plan_submit, False),
    "approve": (PlanStatus.APPROVED, workflow.plan_approve, False),
    "return": (PlanStatus.RETURNED, workflow.plan_return, True),
    "start": (PlanStatus.ACTIVE, workflow.plan_activate, False),
    "evaluate": (PlanStatus.EVALUATED, workflow.plan_evaluate, False),
    "cancel": (PlanStatus.CANCELLED, workflow.plan_cancel, True),
}
MOVE_LABELS = {
    "submit": gettext_lazy("Submit for approval"),
    "approve": gettext_lazy("Approve"),
    "return": gettext_lazy("Return for changes"),
    "start": gettext_lazy("Start the plan"),
    "evaluate": gettext_lazy("Evaluate and close"),
    "cancel": gettext_lazy("Cancel the plan"),
}


def _moves_for(request: HttpRequest, plan: Plan) -> list[dict[str, Any]]:
    """The moves the table allows from the plan's status that this user may make now."""
    own = user_may_edit(user=request.user, plan=plan)
    approver = user_may_approve(user=request.user, plan=plan)
    today = site_today()
    out = []
    for name, (to, _service, needs_note) in MOVES.items():
        if to not in workflow.ALLOWED_TRANSITIONS.get(plan.status, frozenset()):
            continue
        mover = workflow.MOVER[to]
        if mover == workflow.OFFICER and not own:
            continue
        if mover == workflow.SUPERVISOR and not approver:
            continue
        if mover == workflow.EITHER and not (own or approver):
            continue
        if name == "start" and plan.starts_on > today:
            continue
        if name == "evaluate" and plan.ends_on >= today:
            continue
        out.append({"name": name, "label": str(MOVE_LABELS[name]), "needs_note": needs_note})
    return out


HISTORY_LABELS = {
    ("plans.plan", "created"): gettext_lazy("plan written"),
    ("plans.plan", "changed"): gettext_lazy("plan changed"),
    ("plans.plan", "evidence_refreshed"): gettext_lazy("evidence taken again"),
    ("plans.plan", "submitted"): gettext_lazy("submitted for approval"),
    ("plans.plan", "approved"): gettext_lazy("approved"),
    ("plans.plan", "returned"): gettext_lazy("returned for changes"),
    ("plans.plan", "active"): gettext_lazy("started"),
    ("plans.plan", "evaluated"): gettext_lazy("evaluated"),
    ("plans.plan", "cancelled"): gettext_lazy("cancelled"),
    ("plans.action", "created"): gettext_lazy("action added"),
    ("plans.action", "removed"): gettext_lazy("action removed"),
    ("plans.action", "done"): gettext_lazy("action done"),
    ("plans.action", "cancelled"): gettext_lazy("action cancelled"),
}


def _history(plan: Plan) -> list[dict[str, Any]]:
    out = []
    for event in plan_history(plan=plan):
        label = HISTORY_LABELS.get((event.entity, event.action), event.action)
        what = ""
        if event.entity == "plans.action":
            what = (event.after or event.before or {}).get("description", "")
        out.append({"event": event, "label": str(label), "what": what})
    return out


def _place_geojson(plan: Plan) -> dict[str, Any] | None:
    """The place and its ring of cells, for the map (police only)."""
    features = []
    if plan.place is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(plan.place.json),
                "properties": {"kind": "place"},
            }
        )
        ring = ring_of(set(plan.place_cells) or cells_of_shape(plan.place))
        shape = cells_shape(ring)
        if shape is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(shape.json),
                    "properties": {"kind": "ring"},
                }
            )
    hot = [c["h3"] for c in plan.evidence.get("hot_cells", [])]
    shape = cells_shape(hot)
    if shape is not None:
        features.append(
            {"type": "Feature", "geometry": json.loads(shape.json), "properties": {"kind": "hot"}}
        )
    return {"type": "FeatureCollection", "features": features}


def _evidence_threat(plan: Plan) -> dict[str, Any] | None:
    for row in plan.evidence.get("threats", []):
        if row.get("code") == plan.threat.code:
            return row
    return None


def _page(
    request: HttpRequest,
    plan: Plan,
    *,
    status: int = 200,
    action_form: ActionForm | None = None,
) -> HttpResponse:
    evaluation = plan.evaluation if plan.status == PlanStatus.EVALUATED else None
    live = False
    if evaluation is None and plan.status == PlanStatus.ACTIVE:
        evaluation = plan_evaluation(plan=plan)
        live = True
    own = user_may_edit(user=request.user, plan=plan)
    actions = plan_actions(plan=plan)
    done_on = min(site_today(), plan.ends_on)
    for action in actions:
        # Each action its own form, so each label names its own field.
        action.done_form = ActionDoneForm(  # type: ignore[attr-defined]
            auto_id=f"id_%s-{action.pk}", initial={"done_on": done_on}
        )
    return render(
        request,
        "plans/plan.html",
        {
            "plan": plan,
            "actions": actions,
            "history": _history(plan),
            "moves": _moves_for(request, plan),
            "seen_status": plan.status,
            "may_edit": own and plan.status in EDITABLE,
            "may_log": own and plan.status == PlanStatus.ACTIVE,
            "may_add_action": own
            and plan.status in (*EDITABLE, PlanStatus.APPROVED, PlanStatus.ACTIVE),
            "action_form": action_form
            or ActionForm(initial={"starts_on": plan.starts_on, "ends_on": plan.ends_on}),
            "evaluation": evaluation,
            "live": live,
            "charts": evaluation_charts(evaluation) if evaluation else [],
            "sentences": verdict_sentences(evaluation) if evaluation else [],
            "evidence_threat": _evidence_threat(plan),
            "place_geojson": _place_geojson(plan),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
        status=status,
    )


@login_required
@require_GET
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _page(request, _plan(request, plan_id))


@login_required
@require_POST
def plan_move(request: HttpRequest, plan_id: int, move: str) -> HttpResponse:
    """One workflow move: the status the page showed travels with the form, so a move made on
    a page someone else has changed meanwhile is refused (409), never applied twice."""
    plan = _plan(request, plan_id)
    if move not in MOVES:
        raise Http404(_("There is no such action."))
    to, service, _needs_note = MOVES[move]
    form = NoteForm(request.POST)
    seen = request.POST.get("status") or plan.status
    try:
        if seen != plan.status:
            raise workflow.plan_moved_meanwhile(plan.status)
        note = form.data.get("note", "")
        kwargs: dict[str, Any] = {"plan": plan, "actor": request.user}
        if move in ("approve", "return", "evaluate", "cancel"):
            kwargs["note"] = note
        service(**kwargs)
    except ApplicationError as error:
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, _plan(request, plan_id), status=error.status)
    messages.success(
        request,
        _("The plan is now “%(status)s”.") % {"status": PlanStatus(to).label},
    )
    return redirect("plans:plan", plan_id=plan.pk)


@login_required
@require_POST
def plan_refresh(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    try:
        plan_evidence_refresh(actor=request.user, plan=plan)
    except ApplicationError as error:
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, plan, status=error.status)
    messages.success(request, _("The evidence is the area's diagnosis of today."))
    return redirect("plans:plan", plan_id=plan.pk)


# --- actions -----------------------------------------------------------------------------


@login_required
@require_POST
def action_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            action_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ApplicationError as error:
            _refusal_on(form, error)
            return _page(request, plan, status=error.status, action_form=form)
        messages.success(request, _("The action is added."))
        return redirect("plans:plan", plan_id=plan.pk)
    return _page(request, plan, status=400, action_form=form)


@login_required
@require_POST
def action_move(request: HttpRequest, plan_id: int, action_id: int, move: str) -> HttpResponse:
    """Record an action done (with its day, note and photo), cancel it, or remove it."""
    plan = _plan(request, plan_id)
    try:
        action = action_get(user=request.user, plan=plan, action_id=action_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    try:
        if move == "done":
            form = ActionDoneForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ApplicationError(
                    " ".join(str(e) for errors in form.errors.values() for e in errors)
                )
            action_done(
                actor=request.user,
                action=action,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data.get("note", ""),
                photo=form.cleaned_data.get("photo"),
            )
            done = _("The action is recorded as done.")
        elif move == "cancel":
            action_cancel(actor=request.user, action=action, note=request.POST.get("note", ""))
            done = _("The action is cancelled.")
        elif move == "remove":
            action_remove(actor=request.user, action=action)
            done = _("The action is removed.")
        else:
            raise Http404(_("There is no such action."))
    except ApplicationError as error:
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, _plan(request, plan_id), status=error.status)
    messages.success(request, done)
    return redirect("plans:plan", plan_id=plan.pk)


@login_required
@require_GET
def action_photo(request: HttpRequest, plan_id: int, action_id: int) -> FileResponse:
    """An action's photo (police only)."""
    plan = _plan(request, plan_id)
    try:
        action = action_get(user=request.user, plan=plan, action_id=action_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    if not action.photo or action.status != ActionStatus.DONE:
        raise Http404(_("There is no such file."))
    return FileResponse(action.photo.open("rb"), filename=action.photo.name.rsplit("/", 1)[-1])
