"""The police pages of the meetings with residents (`/police/meetings/`): the user's meetings
(upcoming or past), a new meeting and its changes, and a meeting's page (its details, cancel and
hold forms, the minutes, the residents' questions to moderate and the history); and the
iCalendar feed of an area (`/calendar/<area_code>.ics`). The forms read input; the services
decide (a refusal is shown on the page with its status code: 400, 403 or 409)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blisko.core.clock import country_zone
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.engagement.calendar import area_calendar, calendar_etag
from blisko.engagement.forms_meetings import (
    AnswerForm,
    CancelForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    RejectForm,
)
from blisko.engagement.models import Meeting, MeetingStatus, QuestionStatus
from blisko.engagement.selectors.access import (
    meeting_areas_for_user,
    meeting_get,
    officers_for_areas,
    question_get,
    user_may_manage,
)
from blisko.engagement.selectors.meetings import (
    PAST,
    UPCOMING,
    meeting_history,
    meeting_list,
    meeting_questions,
)
from blisko.engagement.services import meetings as meeting_services
from blisko.engagement.services import questions as question_services
from blisko.reports.selectors.stats import user_is_supervisor
from blisko.territories.models import Area
from blisko.territories.selectors.areas import area_by_code

PAGE_SIZE = 50
# How long a calendar client may keep the feed before asking again (it asks with its ETag).
CALENDAR_MAX_AGE = 15 * 60
_FORMAT = "%Y-%m-%dT%H:%M"


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    try:
        return meeting_get(user=request.user, meeting_id=meeting_id)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _refusal_on(form: Any, error: ApplicationError) -> None:
    field = error.extra.get("field") if isinstance(error.extra, dict) else None
    if field == "location":
        field = "lat"
    fields = error.extra.get("fields") if isinstance(error.extra, dict) else None
    if isinstance(fields, dict) and fields and not field:
        for name, errors in fields.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    form.add_error(field if field in form.fields else None, error.message)


# --- the list --------------------------------------------------------------------------------


@login_required
@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    """The meetings the user may see: upcoming (default) or past, by status, paged."""
    when = PAST if request.GET.get("when") == PAST else UPCOMING
    form = MeetingFilterForm(request.GET or None)
    status = form.status_value() if form.is_bound else ""
    found = meeting_list(user=request.user, status=status, when=when)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    for meeting in page.object_list:
        meeting.zone = country_zone(meeting.area.country)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = request.GET.copy()
    for name in ("page", "when"):
        tab_query.pop(name, None)
    return render(
        request,
        "engagement/meetings.html",
        {
            "page": page,
            "form": form,
            "when": when,
            "query": query.urlencode(),
            "tab_query": tab_query.urlencode(),
            "may_create": meeting_areas_for_user(user=request.user).exists(),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
    )


# --- writing a meeting -----------------------------------------------------------------------


def _form(request: HttpRequest, data: Any = None, initial: Any = None) -> MeetingForm:
    areas = meeting_areas_for_user(user=request.user)
    return MeetingForm(
        data,
        initial=initial,
        areas=areas,
        officers=officers_for_areas(areas=areas),
    )


def _form_page(
    request: HttpRequest, *, form: MeetingForm, meeting: Meeting | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "engagement/meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "boundary_url_template": reverse("api:areas-boundary", kwargs={"area_id": 0}),
            "zones": {
                str(area.pk): str(country_zone(area.country))
                for area in form.fields["area"].queryset.only("pk", "country")  # type: ignore[attr-defined]
            },
            "is_supervisor": user_is_supervisor(user=request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    """A new meeting in one of the user's areas (`?area=` chooses it)."""
    if not meeting_areas_for_user(user=request.user).exists():
        raise Http404(_("You can hold meetings only in the areas you serve or supervise."))
    if request.method == "POST":
        form = _form(request, request.POST)
        if form.is_valid():
            try:
                meeting = meeting_services.meeting_create(
                    actor=request.user, **form.service_input()
                )
            except ApplicationError as error:
                _refusal_on(form, error)
                return _form_page(request, form=form, status=error.status)
            messages.success(request, _("The meeting is planned and shown to residents."))
            return redirect("meetings:meeting", meeting_id=meeting.pk)
        return _form_page(request, form=form, status=400)
    initial: dict[str, Any] = {"accepts_questions": True}
    area_id = request.GET.get("area", "")
    if area_id.isdigit():
        initial["area"] = int(area_id)
    return _form_page(request, form=_form(request, initial=initial))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Change a planned meeting (its officers, those serving or supervising its area)."""
    meeting = _meeting(request, meeting_id)
    if meeting.status != MeetingStatus.PLANNED or not user_may_manage(
        user=request.user, meeting=meeting
    ):
        messages.error(request, _("Only a planned meeting can be changed, by its officers."))
        return redirect("meetings:meeting", meeting_id=meeting.pk)
    if request.method == "POST":
        form = _form(request, request.POST)
        _keep_area_choosable(form, meeting)
        if form.is_valid():
            try:
                _check_seen(request, meeting)
                meeting_services.meeting_update(
                    actor=request.user, meeting=meeting, **form.service_input()
                )
            except ApplicationError as error:
                _refusal_on(form, error)
                return _form_page(request, form=form, meeting=meeting, status=error.status)
            messages.success(request, _("The meeting is saved; residents' calendars follow."))
            return redirect("meetings:meeting", meeting_id=meeting.pk)
        return _form_page(request, form=form, meeting=meeting, status=400)
    zone = country_zone(meeting.area.country)
    form = _form(
        request,
        initial={
            "area": meeting.area_id,
            "kind": meeting.kind,
            "title": meeting.title,
            "starts_at": meeting.starts_at.astimezone(zone).strftime(_FORMAT),
            "ends_at": meeting.ends_at.astimezone(zone).strftime(_FORMAT),
            "address": meeting.address,
            "lat": f"{meeting.location.y:.6f}" if meeting.location else "",
            "lon": f"{meeting.location.x:.6f}" if meeting.location else "",
            "online_url": meeting.online_url,
            "description": meeting.description,
            "officers": list(meeting.officers.values_list("pk", flat=True)),
            "partners": meeting.partners,
            "accepts_questions": meeting.accepts_questions,
        },
    )
    _keep_area_choosable(form, meeting)
    return _form_page(request, form=form, meeting=meeting)


def _keep_area_choosable(form: MeetingForm, meeting: Meeting) -> None:
    """The meeting's own area and officers stay choosable on its form (an officer taking part
    may no longer serve it: keeping them is not choosing them)."""
    area_field: Any = form.fields["area"]
    area_field.queryset = Area.objects.filter(
        pk__in=[*area_field.queryset.values_list("pk", flat=True), meeting.area_id]
    ).defer("boundary")
    officers: Any = form.fields["officers"]
    officers.queryset = officers.queryset.model.objects.filter(
        pk__in=[
            *officers.queryset.values_list("pk", flat=True),
            *meeting.officers.values_list("pk", flat=True),
        ]
    ).order_by("last_name", "first_name", "pk")


def _check_seen(request: HttpRequest, meeting: Meeting) -> None:
    """The status and revision the page showed travel with its form: a change made on a page
    someone else has changed meanwhile is refused (409), never applied over theirs."""
    seen_status = request.POST.get("status") or meeting.status
    seen_sequence = request.POST.get("sequence") or str(meeting.sequence)
    if seen_status != meeting.status or seen_sequence != str(meeting.sequence):
        raise meeting_services.meeting_moved_meanwhile(meeting.status)


# --- a meeting's page ------------------------------------------------------------------------

HISTORY_LABELS = {
    ("meeting", "created"): gettext_lazy("meeting planned"),
    ("meeting", "changed"): gettext_lazy("meeting changed"),
    ("meeting", "cancelled"): gettext_lazy("meeting cancelled"),
    ("meeting", "held"): gettext_lazy("meeting held"),
    ("meeting", "minutes_changed"): gettext_lazy("minutes corrected"),
    ("question", "submitted"): gettext_lazy("question received"),
    ("question", "published"): gettext_lazy("question published"),
    ("question", "answered"): gettext_lazy("question answered"),
    ("question", "answer_changed"): gettext_lazy("answer changed"),
    ("question", "merged"): gettext_lazy("question merged with a duplicate"),
    ("question", "rejected"): gettext_lazy("question rejected"),
}


def _history(meeting: Meeting) -> list[dict[str, Any]]:
    return [
        {
            "event": event,
            "label": str(HISTORY_LABELS.get((event.entity, event.action), event.action)),
            "by_resident": event.entity == "question" and event.action == "submitted",
        }
        for event in meeting_history(meeting=meeting)
    ]


def _page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    status: int = 200,
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    manages = user_may_manage(user=request.user, meeting=meeting)
    now = timezone.now()
    questions = meeting_questions(meeting=meeting)
    pending = questions[QuestionStatus.PENDING]
    published = questions[QuestionStatus.PUBLISHED]
    forms = forms or {}
    minutes_initial = {
        "attendance": meeting.attendance if meeting.attendance is not None else "",
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
    }
    return render(
        request,
        "engagement/meeting.html",
        {
            "meeting": meeting,
            "zone": country_zone(meeting.area.country),
            "officers": list(meeting.officers.order_by("last_name", "first_name")),
            "manages": manages,
            "may_edit": manages and meeting.status == MeetingStatus.PLANNED,
            "may_cancel": manages and meeting.status == MeetingStatus.PLANNED,
            "may_hold": manages
            and meeting.status == MeetingStatus.PLANNED
            and meeting.starts_at <= now,
            "may_fix_minutes": manages and meeting.status == MeetingStatus.HELD,
            "cancel_form": forms.get("cancel") or CancelForm(),
            "minutes_form": forms.get("minutes") or MinutesForm(initial=minutes_initial),
            "pending": pending,
            "published": published,
            "merged": questions[QuestionStatus.MERGED],
            "rejected": questions[QuestionStatus.REJECTED],
            "set_aside": len(questions[QuestionStatus.MERGED])
            + len(questions[QuestionStatus.REJECTED]),
            "merge_targets": [*published, *pending],
            "history": _history(meeting),
            "public_url": reverse("public:meeting", kwargs={"uid": meeting.uid}),
            "is_supervisor": user_is_supervisor(user=request.user),
        },
        status=status,
    )


@login_required
@require_GET
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _page(request, _meeting(request, meeting_id))


MOVE_DONE = {
    "cancel": gettext_lazy("The meeting is cancelled; residents see why."),
    "hold": gettext_lazy("The meeting is recorded as held."),
    "minutes": gettext_lazy("The minutes are saved."),
}


@login_required
@require_POST
def meeting_move(request: HttpRequest, meeting_id: int, move: str) -> HttpResponse:
    """Cancel the meeting (with a reason), record it as held (with its minutes), or correct
    the minutes of a held one."""
    meeting = _meeting(request, meeting_id)
    if move not in MOVE_DONE:
        raise Http404(_("There is no such action."))
    forms: dict[str, Any] = {}
    try:
        _check_seen(request, meeting)
        if move == "cancel":
            forms["cancel"] = form = CancelForm(request.POST)
            form.is_valid()
            meeting_services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.data.get("reason", "")
            )
        else:
            forms["minutes"] = form = MinutesForm(request.POST)
            form.is_valid()
            service = (
                meeting_services.meeting_hold
                if move == "hold"
                else meeting_services.meeting_minutes_update
            )
            service(
                actor=request.user,
                meeting=meeting,
                attendance=form.data.get("attendance", ""),
                minutes=form.data.get("minutes", ""),
                decisions=form.data.get("decisions", ""),
            )
    except ApplicationError as error:
        for form in forms.values():
            _refusal_on(form, error)
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, _meeting(request, meeting_id), status=error.status, forms=forms)
    messages.success(request, str(MOVE_DONE[move]))
    return redirect("meetings:meeting", meeting_id=meeting.pk)


QUESTION_DONE = {
    "publish": gettext_lazy("The question is published with the meeting."),
    "answer": gettext_lazy("The answer is saved."),
    "merge": gettext_lazy("The question is merged with the one it repeats."),
    "reject": gettext_lazy("The question is rejected."),
}


@login_required
@require_POST
def question_move(
    request: HttpRequest, meeting_id: int, question_id: int, move: str
) -> HttpResponse:
    """Moderate one question: publish it (with an optional answer), answer a published one,
    merge it into the question it repeats, or reject it with a reason."""
    meeting = _meeting(request, meeting_id)
    if move not in QUESTION_DONE:
        raise Http404(_("There is no such action."))
    try:
        question = question_get(meeting=meeting, question_id=question_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    try:
        seen = request.POST.get("status") or question.status
        if seen != question.status:
            raise question_services.question_moved_meanwhile(question.status)
        if move == "publish":
            answer = AnswerForm(request.POST)
            answer.is_valid()
            question_services.question_publish(
                actor=request.user, question=question, answer=answer.data.get("answer", "")
            )
        elif move == "answer":
            question_services.question_answer(
                actor=request.user, question=question, answer=request.POST.get("answer", "")
            )
        elif move == "merge":
            raw = request.POST.get("merged_into", "")
            into = None
            if raw.isdigit():
                try:
                    into = question_get(meeting=meeting, question_id=int(raw))
                except NotFoundError:
                    into = None
            question_services.question_merge(
                actor=request.user,
                question=question,
                into=into,  # type: ignore[arg-type]
            )
        else:
            reason = RejectForm(request.POST)
            reason.is_valid()
            question_services.question_reject(
                actor=request.user,
                question=question,
                reason=reason.data.get("reject_reason", ""),
            )
    except ApplicationError as error:
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, _meeting(request, meeting_id), status=error.status)
    messages.success(request, str(QUESTION_DONE[move]))
    return redirect(reverse("meetings:meeting", kwargs={"meeting_id": meeting.pk}) + "#questions")


# --- the iCalendar feed ----------------------------------------------------------------------


_AREA_LANGUAGE = {"UA": "uk", "PL": "pl"}


@require_GET
def calendar_feed(request: HttpRequest, code: str) -> HttpResponse:
    """The area's meetings as an iCalendar feed (`blisko.engagement.calendar`), with an ETag
    (304 when the client has it already) and Last-Modified; 404 for an unknown area."""
    try:
        area = area_by_code(code=code)
    except NotFoundError as error:
        raise Http404(error.message) from error
    # Calendar apps ask without Accept-Language: they get the area's own language.
    asked = request.META.get("HTTP_ACCEPT_LANGUAGE") or request.COOKIES.get(
        settings.LANGUAGE_COOKIE_NAME
    )
    with translation.override(
        translation.get_language() if asked else _AREA_LANGUAGE.get(area.country)
    ):
        return _calendar_response(request, area)


def _calendar_response(request: HttpRequest, area: Area) -> HttpResponse:
    now = timezone.now()
    etag = calendar_etag(area=area, now=now)
    # A calendar asking again with the feed it has: 304 before the feed is built.
    response = get_conditional_response(request, etag=etag)
    if response is None:
        feed = area_calendar(area=area, now=now)
        response = HttpResponse(feed.body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{area.code}.ics"'
        if feed.last_modified:
            response["Last-Modified"] = http_date(feed.last_modified.timestamp())
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=CALENDAR_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language"])
    return response
