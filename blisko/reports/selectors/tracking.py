"""What a resident who holds a tracking code may see of their report.

The code is the key: whoever has it sees the report's status, history, category, area and
public location (never the exact point of a reduced or hidden category), the description,
and the public copies of the images. Never the e-mail, the client address or who acted by
name: the history names roles only.
"""

import datetime as dt
import re

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from blisko.core.exceptions import NotFoundError
from blisko.officers.models import Assignment, Role
from blisko.reports.models import OPEN_STATUSES, Attachment, Category, Report, ReportEvent
from blisko.reports.rules import public_location_for

CODE_LENGTH = 12
_NOT_CODE = re.compile(r"[\s\-_.–—]+")
_CODE = re.compile(rf"[A-Z0-9]{{{CODE_LENGTH}}}")


def tracking_code_normalise(code: str) -> str | None:
    """The code as stored ("XXXX-XXXX-XXXX"), from what a person typed: any case, with or
    without dashes or spaces. None when it cannot be a code."""
    raw = _NOT_CODE.sub("", str(code or "")).upper()
    if not _CODE.fullmatch(raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def report_get_by_code(*, code: str) -> Report:
    """The report with this tracking code (case, spaces and dashes do not matter), with its
    category and area. Raises NotFoundError (translated) when there is none."""
    normal = tracking_code_normalise(code)
    report = (
        Report.objects.select_related("category", "area").filter(tracking_code=normal).first()
        if normal is not None
        else None
    )
    if report is None:
        raise NotFoundError(
            _("No report has this tracking code. Check the code and try again."),
            {"field": "tracking_code"},
        )
    return report


def report_public_history(*, report: Report) -> list[ReportEvent]:
    """The report's public events, oldest first: its submission, each status change and the
    notes police made public. Police-only events (rerouting, escalation, internal notes)
    are left out. Use `event_public_actor` to say who acted: never a name."""
    return list(
        ReportEvent.objects.filter(report=report, is_public=True)
        .select_related("actor__officer")
        .order_by("at", "id")
    )


def event_is_imported_move(*, event: ReportEvent) -> bool:
    """Whether `event` is a status move with no user: Blisko moves no status by itself, so
    such a move was made in another system and came with an import."""
    return event.actor_id is None and bool(event.to_status) and event.to_status != event.from_status


def event_public_actor(*, event: ReportEvent, report: Report) -> str:
    """Who made a public event, as the public may know it: "resident" for the submission,
    the officer's role in the report's area (or "police officer"), "police" for a status
    move with no user (made in another system and imported), or "Blisko" for what the system
    did. Never a name."""
    if event.actor_id is None:
        if event.action == "submitted":
            return _("resident")
        return _("police") if event_is_imported_move(event=event) else _("Blisko")
    officer = getattr(event.actor, "officer", None) if event.actor is not None else None
    if officer is None:
        return _("police")
    areas = [report.area_id, *(area.pk for area in report.area.ancestors())]
    day = event.at.date()
    role = (
        Assignment.objects.filter(officer=officer, area_id__in=areas, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .order_by("-starts_on")
        .values_list("role", flat=True)
        .first()
    )
    return str(Role(role).label) if role else _("police officer")


def report_public_location(*, report: Report) -> Point | None:
    """Where the public may see the report: the stricter of the stored public point and what
    the category's precision allows today (None for a hidden category), never the exact
    point of a reduced or hidden one."""
    allowed = public_location_for(report.location, report.category.precision)
    if allowed is None or report.public_location is None:
        return None
    if allowed.equals_exact(report.location):
        # The category is exact today: the stored point is at most as precise as that.
        return report.public_location
    return allowed


def report_expected_by(*, report: Report) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the resident may expect the report to be taken up and to be verified: each
    deadline while that step is still to come on an open report, else None."""
    is_open = report.status in OPEN_STATUSES
    take_up = report.take_up_due_at if is_open and report.taken_up_at is None else None
    verify = report.verify_due_at if is_open and report.verified_at is None else None
    return take_up, verify


def report_public_attachments(*, report: Report) -> list[Attachment]:
    """The report's attachments that have a public copy (images re-encoded without
    metadata), oldest first. PDFs and videos are for police only."""
    return list(report.attachments.exclude(public_file="").order_by("created_at", "id"))


def categories_for_residents() -> list[Category]:
    """The categories a resident may choose today (active ones), in their set order."""
    return list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
