"""Police pages of the threat map: the officer's work queue, one report, the supervisor's view.

Every page needs a login. What a user sees comes from `reports_for_user` (their areas), so a
report of another area is a 404, exactly like a missing one. Views stay thin: forms check the
input, the workflow services act, and a refusal (ApplicationError) is shown on the page as a
message or a form error with its status code, never as a server error.

Why one module of over 400 lines: every police page of the reports (queue, report, moves,
files, unit figures) shares the access rule and the refusal handling at its top.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from blisko.core.clock import country_zone
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.reports.forms import (
    AddNoteForm,
    BulkActionForm,
    DuplicateForm,
    NoteForm,
    QueueFilterForm,
    ReferForm,
    VerifyForm,
)
from blisko.reports.models import STATUS_COLOURS, Report, ReportEvent, Status
from blisko.reports.selectors.access import reports_for_user
from blisko.reports.selectors.detail import (
    report_attachment,
    report_attachments,
    report_event,
    report_history,
)
from blisko.reports.selectors.queue import reports_queue
from blisko.reports.selectors.stats import (
    STATS_DAYS,
    unit_get_for_user,
    units_for_user,
    units_stats,
    user_is_supervisor,
)
from blisko.reports.selectors.tracking import event_is_imported_move
from blisko.reports.services.workflow import (
    ALLOWED_TRANSITIONS,
    report_add_note,
    report_confirm,
    report_mark_duplicate,
    report_moved_meanwhile,
    report_not_confirm,
    report_refer,
    report_resolve,
    report_take_up,
)

QUEUE_PAGE_SIZE = 50

# How the report's history names what happened (ReportEvent.action, set by the services).
ACTION_LABELS = {
    "submitted": gettext_lazy("Submitted"),
    "imported": gettext_lazy("Imported"),
    "status_changed": gettext_lazy("Status changed"),
    "note": gettext_lazy("Note"),
    "escalated": gettext_lazy("Escalated to the supervisor"),
    "rerouted": gettext_lazy("Passed to another officer"),
}


# --- helpers ------------------------------------------------------------------------------


def _report_get(request: HttpRequest, tracking_code: str) -> Report:
    """The report with this code if the user may see it; 404 otherwise."""
    report = (
        reports_for_user(user=request.user)
        .select_related(
            "category", "area", "area__parent", "assigned_officer", "assigned_unit", "duplicate_of"
        )
        .filter(tracking_code=tracking_code)
        .first()
    )
    if report is None:
        raise Http404(_("There is no such report in your areas."))
    return report


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "reports/forbidden.html", {"message": message}, status=403)


def _point(report: Report, *, url: str = "") -> dict[str, Any]:
    """One report as the police map draws it: the exact point, coloured by status."""
    return {
        "code": report.tracking_code,
        "lat": round(report.location.y, 6),
        "lon": round(report.location.x, 6),
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "colour": report.colour,
        "category": report.category.name,
        "url": url,
    }


def _legend() -> list[dict[str, str]]:
    return [
        {"status": status.value, "label": str(status.label), "colour": STATUS_COLOURS[status]}
        for status in Status
    ]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- the queue ----------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The reports of my areas, overdue first, with filters, a map and bulk actions."""
    form = QueueFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()
    reports = reports_queue(user=request.user, filters=form.filters())
    page = Paginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    points = [
        _point(report, url=reverse("reports:detail", args=[report.tracking_code]))
        for report in rows
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "points": points,
            "legend": _legend(),
            "bulk_form": BulkActionForm(),
            "query": query.urlencode(),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
    )


def _bulk_act(action: str, *, report: Report, user: Any, note: str) -> Report:
    if action == BulkActionForm.TAKE_UP:
        return report_take_up(report=report, actor=user, note=note)
    return report_not_confirm(report=report, actor=user, note=note)


@login_required
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one move to the ticked reports, one by one; each refusal is reported by row.

    A row outside the user's areas is refused like a missing one. Each move is its own
    transaction (the services are atomic), so the allowed rows are done even when others
    are refused.
    """
    back = _safe_next(request, reverse("reports:queue"))
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    action = form.cleaned_data["action"]
    note = form.cleaned_data["note"]
    codes: list[str] = form.cleaned_data["codes"]
    found = {
        report.tracking_code: report
        for report in reports_for_user(user=request.user).filter(tracking_code__in=codes)
    }
    done = 0
    for code in codes:
        report = found.get(code)
        if report is None:
            messages.warning(
                request,
                _("%(code)s: there is no such report in your areas.") % {"code": code},
                extra_tags="refusal",
            )
            continue
        try:
            _bulk_act(action, report=report, user=request.user, note=note)
        except ApplicationError as error:
            messages.warning(request, f"{code}: {error.message}", extra_tags="refusal")
            continue
        done += 1
    if done:
        if action == BulkActionForm.TAKE_UP:
            text = ngettext("%(count)d report taken up.", "%(count)d reports taken up.", done)
        else:
            text = ngettext(
                "%(count)d report marked as not confirmed.",
                "%(count)d reports marked as not confirmed.",
                done,
            )
        messages.success(request, text % {"count": done})
    return redirect(back)


# --- one report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One thing an officer can do to a report from its page."""

    name: str
    label: str | Promise
    form_class: type[forms.Form]
    act: Callable[..., Report]
    # The status the move leads to; None for a note, which any report takes.
    to_status: Status | None
    done: str | Promise
    is_danger: bool = False


def _act_take_up(*, report: Report, actor: Any, data: dict[str, Any]) -> Report:
    return report_take_up(report=report, actor=actor, note=data["note"])


def _act_confirm(*, report: Report, actor: Any, data: dict[str, Any]) -> Report:
    return report_confirm(report=report, actor=actor, note=data["note"], photo=data["photo"])


def _act_not_confirm(*, report: Report, actor: Any, data: dict[str, Any]) -> Report:
    return report_not_confirm(report=report, actor=actor, note=data["note"], photo=data["photo"])


def _act_resolve(*, report: Report, actor: Any, data: dict[str, Any]) -> Report:
    return report_resolve(report=report, actor=actor, note=data["note"], photo=data["photo"])


def _act_refer(*, report: Report, actor: Any, data: dict[str, Any]) -> Report:
    return report_refer(
        report=report, actor=actor, referred_to=data["referred_to"], note=data["note"]
    )


def _act_duplicate(*, report: Report, actor: Any, data: dict[str, Any]) -> Report:
    original = reports_for_user(user=actor).filter(tracking_code=data["duplicate_of"]).first()
    if original is None:
        raise ApplicationError(
            _("There is no report with this code in your areas."),
            {"field": "duplicate_of"},
        )
    return report_mark_duplicate(
        report=report, actor=actor, duplicate_of=original, note=data["note"]
    )


def _act_note(*, report: Report, actor: Any, data: dict[str, Any]) -> Report:
    return report_add_note(
        report=report,
        actor=actor,
        note=data["note"],
        photo=data["photo"],
        is_public=data["is_public"],
    )


MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move(
            "take-up",
            gettext_lazy("Take up"),
            NoteForm,
            _act_take_up,
            Status.IN_VERIFICATION,
            gettext_lazy("You took the report up: it is now in verification."),
        ),
        Move(
            "confirm",
            gettext_lazy("Confirm"),
            VerifyForm,
            _act_confirm,
            Status.CONFIRMED,
            gettext_lazy("The threat is confirmed."),
        ),
        Move(
            "not-confirm",
            gettext_lazy("Not confirmed"),
            VerifyForm,
            _act_not_confirm,
            Status.NOT_CONFIRMED,
            gettext_lazy("The report is marked as not confirmed."),
            is_danger=True,
        ),
        Move(
            "resolve",
            gettext_lazy("Threat eliminated"),
            VerifyForm,
            _act_resolve,
            Status.RESOLVED,
            gettext_lazy("The threat is marked as eliminated."),
        ),
        Move(
            "refer",
            gettext_lazy("Refer to another body"),
            ReferForm,
            _act_refer,
            Status.REFERRED,
            gettext_lazy("The report is referred."),
        ),
        Move(
            "duplicate",
            gettext_lazy("Duplicate of another report"),
            DuplicateForm,
            _act_duplicate,
            Status.DUPLICATE,
            gettext_lazy("The report is marked as a duplicate."),
            is_danger=True,
        ),
        Move(
            "note",
            gettext_lazy("Add a note"),
            AddNoteForm,
            _act_note,
            None,
            gettext_lazy("The note is added."),
        ),
    )
}


def moves_allowed(*, status: str) -> list[Move]:
    """The moves the transition table allows from `status`, notes included."""
    targets = ALLOWED_TRANSITIONS.get(status, ())
    return [move for move in MOVES.values() if move.to_status is None or move.to_status in targets]


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the report's history as the page shows it."""

    event: ReportEvent
    action_label: str | Promise
    move_label: str
    is_imported: bool


def _move_label(event: ReportEvent) -> str:
    """ "from → to" in words, for an event that moved the status; else empty."""
    if not event.from_status or not event.to_status or event.from_status == event.to_status:
        return ""
    return " → ".join(
        str(Status(value).label) if value in Status.values else value
        for value in (event.from_status, event.to_status)
    )


def _detail(
    request: HttpRequest,
    report: Report,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    history = [
        HistoryEntry(
            event=event,
            action_label=ACTION_LABELS.get(event.action, event.action),
            move_label=_move_label(event),
            is_imported=event_is_imported_move(event=event),
        )
        for event in report_history(report=report)
    ]
    allowed = moves_allowed(status=report.status)
    if bound is not None and bound[0] not in {move.name for move in allowed}:
        # The move is no longer offered (the status changed): its errors go on top.
        for errors in bound[1].errors.values():
            for error in errors:
                messages.error(request, str(error))
    moves = []
    for move in allowed:
        if bound is not None and bound[0] == move.name:
            form = bound[1]
        else:
            form = move.form_class(auto_id=f"id_{move.name}_%s")
        moves.append(
            {"move": move, "form": form, "is_open": bound is not None and bound[0] == move.name}
        )
    # Times on the clock of the report's country, whoever looks.
    with timezone.override(country_zone(report.area.country)):
        return render(
            request,
            "reports/detail.html",
            {
                "report": report,
                "history": history,
                "attachments": report_attachments(report=report),
                "duplicates": list(
                    reports_for_user(user=request.user)
                    .filter(duplicate_of=report)
                    .only("tracking_code", "status")
                ),
                "moves": moves,
                "points": [_point(report)],
                "legend": _legend(),
                "is_supervisor": user_is_supervisor(user=request.user),
            },
            status=status,
        )


@login_required
@require_GET
def detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """Everything police may see of one report, and the forms of the allowed moves."""
    return _detail(request, _report_get(request, tracking_code))


@login_required
@require_POST
def report_move(request: HttpRequest, tracking_code: str, move: str) -> HttpResponse:
    """Make one move on a report: the form checks the input, the service decides."""
    report = _report_get(request, tracking_code)
    chosen = MOVES.get(move)
    if chosen is None:
        raise Http404(_("There is no such action."))
    form = chosen.form_class(request.POST, request.FILES, auto_id=f"id_{chosen.name}_%s")
    if not form.is_valid():
        return _detail(request, report, bound=(chosen.name, form), status=400)
    try:
        seen = request.POST.get("seen_status")
        if seen and seen != report.status:  # the page was read before someone else moved it
            raise report_moved_meanwhile(report.status)
        chosen.act(report=report, actor=request.user, data=form.cleaned_data)
    except ApplicationError as error:
        field = error.extra.get("field") if isinstance(error.extra, dict) else None
        form.add_error(field if field in form.fields else None, error.message)
        refreshed = _report_get(request, tracking_code)
        return _detail(request, refreshed, bound=(chosen.name, form), status=error.status)
    messages.success(request, str(chosen.done))
    return redirect("reports:detail", tracking_code=report.tracking_code)


@login_required
@require_GET
def attachment(request: HttpRequest, tracking_code: str, attachment_id: int) -> FileResponse:
    """The original file a resident sent (police only: it may carry location metadata)."""
    report = _report_get(request, tracking_code)
    item = report_attachment(report=report, attachment_id=attachment_id)
    if item is None or not item.file:
        raise Http404(_("There is no such file."))
    inline = item.content_type.startswith("image/")
    return FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not inline,
        filename=(item.file.name or "").rsplit("/", 1)[-1],
    )


@login_required
@require_GET
def event_photo(request: HttpRequest, tracking_code: str, event_id: int) -> FileResponse:
    """A photo an officer added to the report's history."""
    report = _report_get(request, tracking_code)
    event = report_event(report=report, event_id=event_id)
    if event is None or not event.photo:
        raise Http404(_("There is no such file."))
    return FileResponse(
        event.photo.open("rb"), filename=(event.photo.name or "").rsplit("/", 1)[-1]
    )


# --- the supervisor's view ----------------------------------------------------------------


@login_required
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    """Per police unit of my region: open, overdue, median time to take up and to verify."""
    if not user_is_supervisor(user=request.user):
        return _forbidden(request, _("Only supervisors can see the units' figures."))
    unit_list = list(units_for_user(user=request.user).select_related("area"))
    return render(
        request,
        "reports/units.html",
        {
            "items": units_stats(user=request.user, units=unit_list),
            "days": STATS_DAYS,
            "is_supervisor": True,
        },
    )


@login_required
@require_GET
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One unit's figures, and the same per area. A unit outside the user's reach is a 404,
    like a missing one, for a supervisor of another region and an officer alike."""
    if not user_is_supervisor(user=request.user):
        raise Http404(_("There is no such police unit in your areas."))
    try:
        found = unit_get_for_user(user=request.user, unit_id=unit_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    (item,) = units_stats(user=request.user, units=[found], by_area=True)
    return render(
        request, "reports/unit.html", {"item": item, "days": STATS_DAYS, "is_supervisor": True}
    )
