"""The police pages of presence in the community: the officer's own month (its working days,
a form to record or correct a day, the share against the target band); a supervisor's team
(their officers' shares, those below the band flagged with the main reasons) and an officer's
month, where the supervisor records for them; and the CSV import, checked as a dry run first
and committed with a second button.

The forms read input; the services decide (a refusal re-renders the page with the error and
the service's status code: 400, 403 or 404). The import keeps the checked file in the
session with its SHA-256, and "Import" commits exactly that file (checked again, in one
transaction), so nothing is uploaded twice and nothing unchecked is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.engagement.forms_presence import (
    PresenceDayForm,
    PresenceDeleteForm,
    PresenceImportForm,
)
from blisko.engagement.models import PresenceDay
from blisko.engagement.selectors.presence import (
    BELOW,
    SORTS,
    PresenceShare,
    month_add,
    month_parse,
    month_start,
    officer_today,
    presence_month,
    presence_officer_get,
    presence_shares_for_supervisor,
    presence_shares_sorted,
    user_records_for_team,
    user_sees_team,
)
from blisko.engagement.services.presence import presence_delete, presence_record
from blisko.engagement.services.presence_import import presence_import
from blisko.officers.models import Officer
from blisko.plans.selectors.access import officer_of
from blisko.reports.selectors.stats import user_is_supervisor

PAGE_SIZE = 50
# The largest CSV the page takes (a month of 364 officers is about 0.4 MB).
IMPORT_MAX_BYTES = 2 * 1024 * 1024
# The most errors the import page lists (the count says how many there are).
IMPORT_ERRORS_SHOWN = 200
_SESSION_KEY = "presence_import"


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "reports/forbidden.html", {"message": message}, status=403)


def _month(request: HttpRequest, today: dt.date) -> tuple[dt.date, ApplicationError | None]:
    """The month asked for (?month=YYYY-MM), or this month with the refusal."""
    try:
        return month_parse(request.GET.get("month"), today=today), None
    except ApplicationError as error:
        return month_start(today), error


def _meter(share: PresenceShare) -> dict[str, Any]:
    """The share's bar as the SVG draws it: 0-100 % over WIDTH units, the band behind it."""
    width = Decimal(300)
    low, high = share.band
    value = share.share if share.share is not None else Decimal(0)
    return {
        "width": width,
        "low_x": low * width / 100,
        "band_width": (high - low) * width / 100,
        "high_x": high * width / 100,
        "share_width": value * width / 100,
    }


def _refusal_on(form: Any, error: ApplicationError) -> None:
    field = error.extra.get("field") if isinstance(error.extra, dict) else None
    if isinstance(error.extra, dict) and "fields" in error.extra:
        for name, problems in error.extra["fields"].items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        return
    form.add_error(field if field in form.fields else None, error.message)


# --- a month ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def presence(request: HttpRequest) -> HttpResponse:
    """The signed-in officer's own month; analysts and administrators go to the team view."""
    officer = officer_of(request.user)
    if officer is None:
        if user_sees_team(user=request.user):
            return redirect("presence:team")
        return _forbidden(request, _("Presence in the community is recorded by officers."))
    officer = Officer.objects.select_related("unit").get(pk=officer.pk)
    return _month_page(request, officer, own=True)


@login_required
@require_http_methods(["GET", "POST"])
def officer_month(request: HttpRequest, officer_id: int) -> HttpResponse:
    """An officer's month for their supervisor (who records for them), an analyst or an
    administrator (who only read); the officer's own month for themselves."""
    own = officer_of(request.user)
    if own is not None and own.pk == officer_id:
        query = request.GET.urlencode()
        return redirect(reverse("presence:presence") + (f"?{query}" if query else ""))
    target = Officer.objects.select_related("unit").filter(pk=officer_id).first()
    if target is None:
        raise Http404(_("There is no such officer among yours."))
    month, _error = _month(request, officer_today(target))
    try:
        officer = presence_officer_get(user=request.user, officer_id=officer_id, month=month)
    except NotFoundError as error:
        raise Http404(error.message) from error
    return _month_page(request, officer, own=False)


def _month_page(request: HttpRequest, officer: Officer, *, own: bool) -> HttpResponse:
    today = officer_today(officer)
    month, month_error = _month(request, today)
    may_record = own or user_records_for_team(user=request.user)
    here = (
        reverse("presence:presence")
        if own
        else reverse("presence:officer", kwargs={"officer_id": officer.pk})
    )
    status = 400 if month_error else 200
    form: PresenceDayForm | None = None
    delete_error = ""
    if request.method == "POST":
        if not may_record:
            return _forbidden(request, _("You may only read this officer's presence."))
        if request.POST.get("action") == "delete":
            delete = PresenceDeleteForm(request.POST)
            if not delete.is_valid():
                delete_error, status = _("Choose the day to delete."), 400
            else:
                day = delete.cleaned_data["day"]
                try:
                    presence_delete(actor=request.user, officer=officer, day=day)
                except ApplicationError as error:
                    delete_error, status = error.message, error.status
                else:
                    messages.success(request, _("%(day)s is deleted.") % {"day": day.isoformat()})
                    return redirect(f"{here}?month={day:%Y-%m}")
        else:
            form = PresenceDayForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                if data["day"] <= today:  # the page shows the month of the day refused
                    month = month_start(data["day"])
                try:
                    presence_record(
                        actor=request.user,
                        officer=officer,
                        day=data["day"],
                        hours_in=data["hours_in"],
                        hours_out=data["hours_out"],
                        reason_out=data["reason_out"],
                        note=data["note"],
                    )
                except ApplicationError as error:
                    _refusal_on(form, error)
                    status = error.status
                else:
                    messages.success(
                        request,
                        _("%(day)s is recorded.") % {"day": data["day"].isoformat()},
                    )
                    return redirect(f"{here}?month={data['day']:%Y-%m}")
            else:
                status = 400
    if form is None:
        form = PresenceDayForm(initial=_initial(request, officer, month, today))
    data = presence_month(officer=officer, month=month)
    return render(
        request,
        "engagement/presence_month.html",
        {
            "officer": officer,
            "own": own,
            "data": data,
            "share": data.share,
            "meter": _meter(data.share),
            "form": form if may_record else None,
            "may_record": may_record,
            "delete_error": delete_error,
            "month_error": month_error.message if month_error else "",
            "here": here,
            "today": today,
            "previous": f"{data.previous:%Y-%m}",
            "next": f"{data.next:%Y-%m}" if data.next else "",
            "sees_team": user_sees_team(user=request.user),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
        status=status,
    )


def _initial(
    request: HttpRequest, officer: Officer, month: dt.date, today: dt.date
) -> dict[str, Any]:
    """The form's first values: the day asked to correct (?day=, with its record), else today
    when it is in the month shown."""
    asked = request.GET.get("day", "")
    try:
        day = dt.date.fromisoformat(asked) if asked else None
    except ValueError:
        day = None
    if day is not None:
        record = PresenceDay.objects.filter(officer=officer, day=day).first()
        if record is not None:
            return {
                "day": day,
                "hours_in": _hours(record.hours_in),
                "hours_out": _hours(record.hours_out),
                "reason_out": record.reason_out,
                "note": record.note,
            }
        return {"day": day}
    return {"day": today} if month_start(today) == month else {}


def _hours(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


# --- the team ----------------------------------------------------------------------------


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """The supervisor's officers and their month's shares, flagged below the band, sortable
    by share (?sort=share or -share), 50 a page."""
    if not user_sees_team(user=request.user):
        return _forbidden(
            request, _("The team's presence is for supervisors, analysts and administrators.")
        )
    own = officer_of(request.user)
    today = officer_today(own) if own is not None else site_today()
    month, month_error = _month(request, today)
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    rows = presence_shares_sorted(
        presence_shares_for_supervisor(user=request.user, month=month), sort
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    following = month_add(month, 1)
    return render(
        request,
        "engagement/presence_team.html",
        {
            "page": page,
            "rows": page.object_list,
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "previous": f"{month_add(month, -1):%Y-%m}",
            "next": f"{following:%Y-%m}" if following <= month_start(today) else "",
            "sort": sort,
            "count": len(rows),
            "flagged": sum(1 for r in rows if r.position == BELOW),
            "without": sum(1 for r in rows if not r.has_records),
            "month_error": month_error.message if month_error else "",
            "records_for_team": user_records_for_team(user=request.user),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
        status=400 if month_error else 200,
    )


# --- the import --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV: checked as a dry run (every error by line); when it is clean, "Import"
    writes the same file (held in the session with its SHA-256)."""
    if not user_records_for_team(user=request.user):
        return _forbidden(request, _("Presence is imported by supervisors."))
    context: dict[str, Any] = {"is_supervisor": True}
    if request.method == "GET":
        return _import_render(request, PresenceImportForm(), context)
    if request.POST.get("action") == "commit":
        return _import_commit(request, context)
    form = PresenceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_render(request, form, context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > IMPORT_MAX_BYTES:
        form.add_error(
            "file",
            _("The file is larger than %(max)s MB: split it, e.g. a month at a time.")
            % {"max": IMPORT_MAX_BYTES // (1024 * 1024)},
        )
        return _import_render(request, form, context, status=400)
    data = upload.read()
    try:
        result = presence_import(rows=data, actor=request.user, commit=False)
    except ApplicationError as error:
        form.add_error("file", error.message)
        return _import_render(request, form, context, status=error.status)
    context.update({"result": result, "file_name": upload.name})
    if not result.is_valid:
        request.session.pop(_SESSION_KEY, None)
        return _import_render(request, PresenceImportForm(), context, status=400)
    request.session[_SESSION_KEY] = {
        "sha256": result.sha256,
        "name": upload.name,
        "content": data.decode("utf-8"),
    }
    return _import_render(request, PresenceImportForm(), context)


def _import_commit(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    held = request.session.get(_SESSION_KEY) or {}
    if not held or held.get("sha256") != request.POST.get("sha256", ""):
        form = PresenceImportForm()
        context["commit_error"] = _(
            "The checked file is no longer held (or another one was checked since): upload it "
            "again."
        )
        return _import_render(request, form, context, status=400)
    try:
        result = presence_import(
            rows=held["content"].encode("utf-8"), actor=request.user, commit=True
        )
    except ApplicationError as error:
        context["commit_error"] = error.message
        return _import_render(request, PresenceImportForm(), context, status=error.status)
    context.update({"result": result, "file_name": held.get("name", "")})
    if not result.is_valid:
        # Something changed since the dry run (an assignment, a day): nothing was written.
        request.session.pop(_SESSION_KEY, None)
        return _import_render(request, PresenceImportForm(), context, status=400)
    request.session.pop(_SESSION_KEY, None)
    messages.success(
        request,
        _(
            "%(name)s is imported: %(created)s days created, %(replaced)s replaced, "
            "%(unchanged)s unchanged."
        )
        % {
            "name": held.get("name", ""),
            "created": result.created,
            "replaced": result.replaced,
            "unchanged": result.unchanged,
        },
    )
    return redirect("presence:team")


def _import_render(
    request: HttpRequest, form: PresenceImportForm, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    result = context.get("result")
    context.update(
        {
            "form": form,
            "errors_shown": result.errors[:IMPORT_ERRORS_SHOWN] if result else [],
            "errors_more": max(0, len(result.errors) - IMPORT_ERRORS_SHOWN) if result else 0,
        }
    )
    return render(request, "engagement/presence_import.html", context, status=status)
