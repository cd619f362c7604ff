"""The public page of a meeting with residents (`/meetings/<uid>/`): when and where (on the
clock of its area, the zone named), who takes part; before it, the form to send a question;
afterwards the decisions, the attendance and the published questions with their answers; a
cancelled meeting shows why. The form works without JavaScript; a refusal comes back with its
message next to the field and the text still in place (429 with Retry-After over the daily
limit)."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blisko.core.clock import country_zone
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.engagement.calendar import meeting_uid
from blisko.engagement.models import Meeting, MeetingStatus
from blisko.engagement.selectors.meetings import (
    meeting_public_get,
    meeting_public_officers,
    meeting_questions_public,
)
from blisko.engagement.services.questions import question_submit
from blisko.reports import rules

_FORM_FIELDS = ("text", "email")


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "public/error.html",
        {"status": 404, "title": _("This meeting was not found"), "message": message},
        status=404,
    )


def _render(
    request: HttpRequest,
    meeting: Meeting,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    zone = country_zone(meeting.area.country)
    takes_questions = (
        meeting.status == MeetingStatus.PLANNED
        and meeting.accepts_questions
        and meeting.starts_at > now
    )
    calendar_path = reverse("calendar:area", kwargs={"code": meeting.area.code})
    # Times on the clock of the place: a meeting in Konin shows Warsaw time.
    with timezone.override(zone):
        return render(
            request,
            "public/meeting.html",
            {
                "meeting": meeting,
                "zone": zone,
                "zone_name": str(zone),
                "is_past": meeting.ends_at <= now,
                "has_started": meeting.starts_at <= now,
                "takes_questions": takes_questions,
                "officers": meeting_public_officers(meeting=meeting),
                "questions": meeting_questions_public(meeting=meeting),
                "values": values or {},
                "errors": errors or {},
                "general_errors": general_errors or [],
                "question_max": settings.BLISKO_QUESTION_MAX,
                "asked": request.GET.get("asked") == "1",
                "calendar_path": calendar_path,
                "webcal_url": f"webcal://{request.get_host()}{calendar_path}",
                "area_path": reverse("public:area", kwargs={"code": meeting.area.code}),
                "event_uid": meeting_uid(meeting),
            },
            status=status,
        )


def _meeting(uid: UUID) -> Meeting:
    return meeting_public_get(uid=uid)


@require_GET
def meeting_page(request: HttpRequest, uid: UUID) -> HttpResponse:
    """The meeting's public page; 404 for an unknown one."""
    try:
        meeting = _meeting(uid)
    except NotFoundError as error:
        return _not_found(request, error.message)
    return _render(request, meeting)


def _errors(error: ApplicationError) -> tuple[dict[str, list[str]], list[str]]:
    name = error.extra.get("field") if isinstance(error.extra, dict) else None
    if name in _FORM_FIELDS:
        return {name: [error.message]}, []
    return {}, [error.message]


@require_POST
def meeting_question(request: HttpRequest, uid: UUID) -> HttpResponse:
    """Send a question to the meeting: back to its page, thanked, when accepted."""
    try:
        meeting = _meeting(uid)
    except NotFoundError as error:
        return _not_found(request, error.message)
    values = {name: request.POST.get(name, "") for name in _FORM_FIELDS}
    try:
        question_submit(
            meeting=meeting,
            text=values["text"],
            email=values["email"],
            language=rules.asked_language(request),
            client_ip=rules.client_ip(request),
            honeypot=request.POST.get("website", ""),
        )
    except ApplicationError as error:
        fields, general = _errors(error)
        response = _render(
            request,
            meeting,
            values=values,
            errors=fields,
            general_errors=general,
            status=error.status,
        )
        retry_after = error.extra.get("retry_after") if isinstance(error.extra, dict) else None
        if error.status == 429 and retry_after:
            response["Retry-After"] = str(retry_after)
        return response
    url = reverse("public:meeting", kwargs={"uid": meeting.uid})
    return HttpResponseRedirect(f"{url}?asked=1#questions")
