"""Resident pages of the threat map: report a threat, and follow a report by its code.

The form works without JavaScript (the place is two number fields); static/js/report.js adds
the map to click, the character counter and the checks of the files before sending. Views
stay thin: they read the form, call `report_submit_or_replay` or the tracking selectors,
and render. A refused form comes back with every message next to its field and everything
typed still in place (files cannot be kept by a browser: the page says so).
"""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from blisko.core.clock import country_zone
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.text import search_key
from blisko.reports import rules
from blisko.reports.models import (
    OPEN_STATUSES,
    STATUS_COLOURS,
    Category,
    Status,
    VerifierRole,
)
from blisko.reports.selectors.tracking import (
    categories_for_residents,
    event_public_actor,
    report_expected_by,
    report_get_by_code,
    report_public_attachments,
    report_public_history,
    report_public_location,
    tracking_code_normalise,
)
from blisko.reports.services.attachments import ALLOWED_TYPES
from blisko.reports.services.submit import report_submit_or_replay

# The fields of the form, as the service names them in its refusals; lat/lon belong to the
# place, and an idempotency key the resident never sees is reported at the top.
FORM_FIELDS = ("category", "location", "occurred_at", "description", "files", "email")
_FIELD_OF = {"lat": "location", "lon": "location"}


def _api_urls() -> dict[str, str]:
    return {"outlines_url": reverse("api:areas-outlines")}


def _category_groups(categories: list[Category]) -> list[dict[str, Any]]:
    """Active categories for the form: road categories apart from the others, each group
    sorted by its translated name."""
    groups: dict[str, list[Category]] = {VerifierRole.LOCAL: [], VerifierRole.TRAFFIC: []}
    labels: dict[str, str] = {
        VerifierRole.LOCAL: _("Public order, nature and people in need"),
        VerifierRole.TRAFFIC: _("Roads and traffic"),
    }
    for category in categories:
        groups.setdefault(category.verifier_role, []).append(category)
    return [
        {
            "label": labels.get(role, role),
            "categories": sorted(items, key=lambda c: search_key(c.name)),
        }
        for role, items in groups.items()
        if items
    ]


def _occurred_at(raw: str, offset: str) -> dt.datetime | str:
    """The time typed in a `datetime-local` field, in the browser's time zone when the page's
    script sent its offset (minutes, as JavaScript's getTimezoneOffset gives them); else the
    text as typed, for the service to read in the server's time zone."""
    raw = raw.strip()
    try:
        minutes = int(offset)
    except (TypeError, ValueError):
        return raw
    moment = parse_datetime(raw) if raw else None
    if moment is None or moment.tzinfo is not None or not -16 * 60 <= minutes <= 16 * 60:
        return raw
    return moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=-minutes)))


def _form_context(request: HttpRequest, values: dict[str, str], **extra: Any) -> dict[str, Any]:
    categories = categories_for_residents()
    return {
        **_api_urls(),
        "values": values,
        "groups": _category_groups(categories),
        "description_max": settings.BLISKO_REPORT_DESCRIPTION_MAX,
        "max_files": settings.BLISKO_REPORT_MAX_ATTACHMENTS,
        "max_file_bytes": settings.BLISKO_REPORT_MAX_ATTACHMENT_BYTES,
        "max_file_mb": settings.BLISKO_REPORT_MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "email_retention_days": settings.BLISKO_REPORT_EMAIL_RETENTION_DAYS,
        "accept": ",".join(ALLOWED_TYPES),
        "errors": {},
        "general_errors": [],
        **extra,
    }


def _errors(error: ApplicationError) -> tuple[dict[str, list[str]], list[str]]:
    """The refusal's messages per form field, and those that belong to no field."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    given = error.extra.get("fields") if isinstance(error.extra, dict) else None
    if not isinstance(given, dict):
        name = error.extra.get("field") if isinstance(error.extra, dict) else None
        given = {name: [error.message]} if name else {}
        if not name:
            general.append(error.message)
    for name, messages in given.items():
        target = _FIELD_OF.get(name, name)
        if target in FORM_FIELDS:
            fields.setdefault(target, []).extend(messages)
        else:
            general.extend(messages)
    return fields, general


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """The report form (GET), and sending it (POST): to the report's page when accepted."""
    if request.method == "GET":
        values = {"idempotency_key": uuid.uuid4().hex}
        return render(request, "public/report_new.html", _form_context(request, values))

    post = request.POST
    values = {
        name: post.get(name, "")
        for name in (
            "category",
            "lat",
            "lon",
            "occurred_at",
            "description",
            "email",
            "idempotency_key",
            "tz_offset",
        )
    }
    files = request.FILES.getlist("files")
    try:
        submission = report_submit_or_replay(
            category_code=values["category"],
            lon=values["lon"],
            lat=values["lat"],
            description=values["description"],
            occurred_at=_occurred_at(values["occurred_at"], values["tz_offset"]),
            reporter_email=values["email"],
            reporter_language=rules.asked_language(request),
            files=files,
            client_ip=rules.client_ip(request),
            idempotency_key=values["idempotency_key"] or None,
            honeypot=post.get("website", ""),
        )
    except ApplicationError as error:
        fields, general = _errors(error)
        if error.status == 422:
            # This form was sent before (the back button) and then changed: a new report.
            values["idempotency_key"] = uuid.uuid4().hex
        context = _form_context(
            request,
            values,
            errors=fields,
            general_errors=general,
            files_lost=bool(files),
        )
        return render(request, "public/report_new.html", context, status=error.status)
    url = reverse("public:report-track", kwargs={"code": submission.report.tracking_code})
    return HttpResponseRedirect(f"{url}?sent=1")


@require_GET
def report_find(request: HttpRequest) -> HttpResponse:
    """`?code=`: the report's page, from a code typed in any case, with or without dashes."""
    raw = request.GET.get("code", "")
    code = tracking_code_normalise(raw)
    if code is not None:
        return HttpResponseRedirect(reverse("public:report-track", kwargs={"code": code}))
    return render(
        request,
        "public/report_find.html",
        {"code": raw, "error": _("A tracking code has 12 letters and digits.") if raw else ""},
        status=400 if raw else 200,
    )


@require_GET
def report_track(request: HttpRequest, code: str) -> HttpResponse:
    """The report's status with its colour, its public history and where it is shown."""
    try:
        report = report_get_by_code(code=code)
    except NotFoundError as error:
        return render(
            request, "public/report_find.html", {"code": code, "error": error.message}, status=404
        )
    if report.tracking_code != code:
        return HttpResponseRedirect(
            reverse("public:report-track", kwargs={"code": report.tracking_code})
        )
    point = report_public_location(report=report)
    events = report_public_history(report=report)
    attachments = report_public_attachments(report=report)
    is_open = report.status in OPEN_STATUSES
    history = [
        {
            "event": event,
            "actor": event_public_actor(event=event, report=report),
            "status_label": Status(event.to_status).label
            if event.to_status in Status.values
            else "",
            "colour": report_colour(event.to_status),
        }
        for event in events
    ]
    take_up_by, verify_by = report_expected_by(report=report)
    # Times on the clock of the place: a report in Konin shows Warsaw time.
    with timezone.override(country_zone(report.area.country)):
        return render(
            request,
            "public/report_track.html",
            {
                **_api_urls(),
                "report": report,
                "status_label": Status(report.status).label,
                "is_open": is_open,
                "point": point,
                "history": list(reversed(history)),
                "attachments": attachments,
                "police_only": report.attachments.count() - len(attachments),
                "sent": request.GET.get("sent") == "1",
                "take_up_by": take_up_by,
                "verify_by": verify_by,
                "statuses": [
                    {"status": value, "label": label, "colour": report_colour(value)}
                    for value, label in Status.choices
                ],
            },
        )


def report_colour(status: str) -> str:
    """The colour of a status on the map, or "" for an event that changed none."""
    try:
        return STATUS_COLOURS[Status(status)]
    except ValueError:
        return ""
