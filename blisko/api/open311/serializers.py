"""Open311 GeoReport v2 documents, as plain data in the spec's field order.

`render.respond` writes them as JSON or XML. Texts are in the request's language.
Privacy: a request carries the report's PUBLIC location only (the grid cell for a "reduced"
category); a "hidden" category has no lat/long at all, and neither its description nor its
photos, which could tell the place just as well.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from blisko.api.open311.render import MEDIA_TYPES, w3c_datetime
from blisko.api.open311.selectors import open311_status
from blisko.reports.models import Category, Precision, Report, Status
from blisko.reports.selectors.tracking import report_public_location

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
OCCURRED_AT = "occurred_at"

Absolute = Callable[[str], str]


def _where(precision: str) -> str:
    if precision == Precision.HIDDEN:
        return _("The public map does not show where it is.")
    if precision == Precision.REDUCED:
        return _("The public map shows only the neighbourhood, not the exact place.")
    return _("The public map shows the place.")


def service(category: Category) -> dict[str, Any]:
    """One entry of GET services: the category in the request's language."""
    keywords: list[str] = []
    for word in (category.code, category.name_pl, category.name_uk, category.name_en):
        if word and word not in keywords:
            keywords.append(word)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _("%(name)s: verified by the %(role)s. %(where)s")
        % {
            "name": category.name,
            "role": category.get_verifier_role_display(),
            "where": _where(category.precision),
        },
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": str(category.get_verifier_role_display()),
    }


def service_definition(category: Category) -> dict[str, Any]:
    """GET services/{code}: the extra questions a request of this category may answer."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": OCCURRED_AT,
                "datatype": "datetime",
                "required": False,
                "datatype_description": _(
                    "A date and time in ISO 8601 with the time zone, such as "
                    "2025-07-02T18:30:00+03:00."
                ),
                "order": 1,
                "description": _("When did it happen? Leave it empty if it is happening now."),
            }
        ],
    }


def _status_notes(report: Report) -> str:
    notes = f"{report.status}: {report.get_status_display()}"
    if report.status == Status.REFERRED and report.referred_to:
        notes += ". " + _("Referred to: %(body)s") % {"body": report.referred_to}
    if report.status == Status.DUPLICATE and report.duplicate_of is not None:
        notes += ". " + _("Duplicate of %(code)s") % {"code": report.duplicate_of.tracking_code}
    return notes


def _agency(report: Report) -> str | None:
    if report.assigned_unit is not None:
        return report.assigned_unit.name
    if report.assigned_officer is not None:
        return report.assigned_officer.unit.name
    return None


def _media_url(report: Report, absolute: Absolute) -> str | None:
    """The first public copy (an image without metadata); PDFs and videos stay with police.

    Reads the prefetched attachments, in the order `report_public_attachments` uses.
    """
    public = [attachment for attachment in report.attachments.all() if attachment.public_file]
    public.sort(key=lambda attachment: (attachment.created_at, attachment.pk))
    return absolute(public[0].public_file.url) if public else None


def service_request(report: Report, *, absolute: Absolute) -> dict[str, Any]:
    """One entry of GET requests: the report as the public may see it.

    `absolute` makes a path into a full URL (request.build_absolute_uri).
    """
    hidden = report.category.precision == Precision.HIDDEN
    waiting = report.status in (Status.SUBMITTED, Status.IN_VERIFICATION)
    data: dict[str, Any] = {
        "service_request_id": report.tracking_code,
        "status": open311_status(report.status),
        "status_notes": _status_notes(report),
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": None if hidden else (report.description or None),
        "agency_responsible": _agency(report),
        "service_notice": None,
        "requested_datetime": w3c_datetime(report.created_at),
        "updated_datetime": w3c_datetime(report.updated_at),
        "expected_datetime": w3c_datetime(report.verify_due_at) if waiting else None,
        "address": report.area.name,
    }
    point = None if hidden else report_public_location(report=report)
    if point is not None:
        data["lat"] = round(point.y, 6)
        data["long"] = round(point.x, 6)
    data["media_url"] = None if hidden else _media_url(report, absolute)
    return data


def request_created(report: Report, *, follow_url: str) -> dict[str, Any]:
    """The answer to POST requests: the id (the tracking code) and what happens next."""
    return {
        "service_request_id": report.tracking_code,
        "service_notice": _(
            "Thank you. The police of the area will verify the report. Follow it with the "
            "code %(code)s at %(url)s. This is not for emergencies: call 112."
        )
        % {"code": report.tracking_code, "url": follow_url},
        "account_id": None,
    }


def token(report: Report, *, token_id: str) -> dict[str, Any]:
    """GET tokens/{token}: the request a token stands for."""
    return {"service_request_id": report.tracking_code, "token": token_id}


def discovery(*, url: str, changeset: Any, contact: str, key_service: str) -> dict[str, Any]:
    """The Service Discovery document: one production GeoReport v2 endpoint, XML and JSON."""
    return {
        "changeset": w3c_datetime(changeset) if changeset else None,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": w3c_datetime(changeset) if changeset else None,
                "type": "production",
                "formats": [MEDIA_TYPES["xml"], MEDIA_TYPES["json"]],
            }
        ],
    }
