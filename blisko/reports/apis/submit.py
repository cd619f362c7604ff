"""Public JSON API for residents' reports: submit one, and follow it by its tracking code.

`POST /api/v1/reports` takes multipart (with files) or JSON (without) and answers 201 with
the tracking code, or 200 with the earlier report when the `Idempotency-Key` was already
used for the same submission. `GET /api/v1/reports/{tracking_code}` is what the code's
holder may see: never the e-mail, the client address or the exact point of a reduced or
hidden category. Anyone may call both; nothing else is allowed on them (405).

Why one module of over 400 lines: submitting and tracking a report, with their OpenAPI
declarations (most of its length) and the answer built without a serializer round trip
(proved equal in the tests).
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blisko.core.apis.schema import (
    BAD_REQUEST,
    CATEGORY_CODES,
    LANGUAGE_PARAMETER,
    LATITUDE,
    LONGITUDE,
    NOT_FOUND,
    ErrorSerializer,
)
from blisko.core.apis.views import PublicApi
from blisko.core.exceptions import ApplicationError
from blisko.reports import rules
from blisko.reports.models import (
    OPEN_STATUSES,
    STATUS_COLOURS,
    Precision,
    Report,
    ReportEvent,
    Status,
)
from blisko.reports.selectors.tracking import (
    event_public_actor,
    report_expected_by,
    report_get_by_code,
    report_public_attachments,
    report_public_history,
    report_public_location,
)
from blisko.reports.services.submit import report_submit_or_replay

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    # As the service reads it (blisko.reports.services.submit): empty is no key.
    {"type": "string", "pattern": "^[!-~]{0,100}$"},
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Any unique text of up to 100 visible characters (a UUID). Sending the same "
        "submission again with the same key returns the first report (200) instead of "
        "making a second one; the same key with a different submission is refused (422)."
    ),
)


# Fields read as they come: the service checks them and words the refusals (so the page and
# the API refuse alike); the decorators tell the schema what they hold.
class _RawField(serializers.Field):
    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(LATITUDE)
class _RawLatitudeField(_RawField):
    pass


@extend_schema_field(LONGITUDE)
class _RawLongitudeField(_RawField):
    pass


@extend_schema_field(OpenApiTypes.DATETIME)
class _RawDateTimeField(_RawField):
    pass


@extend_schema_field(OpenApiTypes.EMAIL)
class _RawEmailField(_RawField):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "maxItems": settings.BLISKO_REPORT_MAX_ATTACHMENTS,
    }
)
class _FilesField(_RawField):
    pass


@extend_schema_field({"type": "string", CATEGORY_CODES: "active"})
class _CategoryCodeField(serializers.CharField):
    """A category's code; the schema lists the active ones (blisko.core.apis.schema)."""


@extend_schema_field({"type": "string", "maxLength": settings.BLISKO_REPORT_DESCRIPTION_MAX})
class _DescriptionField(serializers.CharField):
    pass


# The honeypot: anything but white space marks a robot.
@extend_schema_field({"type": "string", "pattern": r"^\s*$"})
class _HoneypotField(serializers.CharField):
    pass


def _label(value: str, choices: Any) -> str:
    return str(choices(value).label)


def report_summary(report: Report, request: Request) -> dict[str, Any]:
    """A just-submitted report as ReportSubmitApi.OutputSerializer describes it."""
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_label": _label(report.status, Status),
        "colour": report.colour,
        "tracking_url": request.build_absolute_uri(
            reverse("public:report-track", kwargs={"code": report.tracking_code})
        ),
        "category": {"code": report.category.code, "name": report.category.name},
        "created_at": report.created_at,
    }


_DATE_TIME = serializers.DateTimeField()


def report_submitted_body(report: Report, request: Request) -> dict[str, Any]:
    """The answer to a submission: exactly `ReportSubmitApi.OutputSerializer(report_summary(
    report, request)).data`, built directly. Submissions are the write path under load, and
    the serializer's per-request copies of its fields (and its nested one) cost about a
    tenth of a submission's time; blisko/reports/tests/apis/test_submit_api.py keeps the
    two equal."""
    summary = report_summary(report, request)
    category = summary["category"]
    return {
        "tracking_code": str(summary["tracking_code"]),
        "status": str(summary["status"]),
        "status_label": str(summary["status_label"]),
        "colour": str(summary["colour"]),
        "tracking_url": str(summary["tracking_url"]),
        "category": {"code": str(category["code"]), "name": str(category["name"])},
        "created_at": _DATE_TIME.to_representation(summary["created_at"]),
    }


def _event_data(event: ReportEvent, report: Report, request: Request) -> dict[str, Any]:
    to_status = event.to_status or ""
    known = to_status in Status.values
    return {
        "at": event.at,
        "action": event.action,
        "from_status": event.from_status or None,
        "to_status": to_status or None,
        "status_label": _label(to_status, Status) if known else None,
        "colour": STATUS_COLOURS[Status(to_status)] if known else None,
        "note": event.note,
        "actor": event_public_actor(event=event, report=report),
        "photo_url": request.build_absolute_uri(event.photo.url) if event.photo else None,
    }


def report_public_data(report: Report, request: Request) -> dict[str, Any]:
    """What the holder of the tracking code may see, as ReportTrackApi.OutputSerializer
    describes it (and nothing more)."""
    point = report_public_location(report=report)
    attachments = report_public_attachments(report=report)
    is_open = report.status in OPEN_STATUSES
    take_up_by, verify_by = report_expected_by(report=report)
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_label": _label(report.status, Status),
        "colour": report.colour,
        "is_open": is_open,
        "category": {"code": report.category.code, "name": report.category.name},
        "precision": report.category.precision,
        "location": None if point is None else {"lat": point.y, "lon": point.x},
        "area": {"id": report.area_id, "name": report.area.name},
        "description": report.description,
        "occurred_at": report.occurred_at,
        "created_at": report.created_at,
        "take_up_expected_by": take_up_by,
        "verification_expected_by": verify_by,
        "referred_to": report.referred_to or None,
        "seen_count": report.seen_count,
        "history": [
            _event_data(event, report, request) for event in report_public_history(report=report)
        ],
        "attachments": [
            {
                "content_type": attachment.content_type,
                "url": request.build_absolute_uri(attachment.public_file.url),
            }
            for attachment in attachments
        ],
        "attachments_police_only": report.attachments.count() - len(attachments),
    }


@extend_schema_serializer(component_name="ReportCategory")
class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text=gettext_lazy("Name in the request's language."))


_OCCURRED_AT_HELP = gettext_lazy(
    "When it happened (ISO 8601; without an offset, the server's local time); not in the future."
)
_EMAIL_HELP = gettext_lazy("For status updates; seen by police only.")


class ReportSubmitApi(APIView):
    """`POST /api/v1/reports`: a resident's report of a threat, anonymous by default."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    parser_classes = (MultiPartParser, FormParser, JSONParser)

    @extend_schema_serializer(component_name="ReportSubmitInput")
    class InputSerializer(serializers.Serializer):
        category = _CategoryCodeField(
            help_text=gettext_lazy("The category's code, e.g. “vandalism”; active ones only.")
        )
        lat = _RawLatitudeField(help_text=gettext_lazy("Latitude in WGS 84 degrees."))
        lon = _RawLongitudeField(help_text=gettext_lazy("Longitude in WGS 84 degrees."))
        description = _DescriptionField(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            help_text=gettext_lazy("Plain text, at most 500 characters; HTML stays text."),
        )
        # Multipart has no null: "null" would be a time or an address, and is refused.
        occurred_at = _RawDateTimeField(required=False, help_text=_OCCURRED_AT_HELP)
        email = _RawEmailField(required=False, help_text=_EMAIL_HELP)
        files = _FilesField(
            required=False,
            help_text=gettext_lazy(
                "Up to 3 files of at most 5 MB (multipart only): JPEG or PNG photos, PDF, "
                "MP4 or MOV, judged by their content. The public sees images only, "
                "re-encoded without location and camera metadata."
            ),
        )
        website = _HoneypotField(
            required=False,
            allow_blank=True,
            help_text=gettext_lazy("Leave empty: a trap for robots."),
        )

    @extend_schema_serializer(component_name="ReportSubmitJsonInput")
    class JsonInputSerializer(InputSerializer):
        """The same without files (they come as multipart only); JSON may say null."""

        files = None  # type: ignore[assignment]
        occurred_at = _RawDateTimeField(
            required=False, allow_null=True, help_text=_OCCURRED_AT_HELP
        )
        email = _RawEmailField(required=False, allow_null=True, help_text=_EMAIL_HELP)

    @extend_schema_serializer(component_name="ReportSubmitted")
    class OutputSerializer(serializers.Serializer):
        tracking_code = serializers.CharField(
            help_text=gettext_lazy("Keep it: it is the only way to follow the report.")
        )
        status = serializers.ChoiceField(choices=Status.choices)
        status_label = serializers.CharField()
        colour = serializers.CharField(help_text=gettext_lazy("The status colour, #rrggbb."))
        tracking_url = serializers.URLField(
            help_text=gettext_lazy("The page that shows the report's status and history.")
        )
        category = CategorySerializer()
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="reports_create",
        summary=gettext_lazy("Submit a report of a threat"),
        description=gettext_lazy(
            "Anonymous: a category and a point are required; the time, a description, up to "
            "3 files and an e-mail (seen by police only) are optional. Not for emergencies: "
            "call 112. The report goes to the officer of the area holding the point. One "
            "connection may send a limited number of reports a day (429 beyond it)."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LANGUAGE_PARAMETER],
        request={
            "multipart/form-data": InputSerializer,
            "application/json": JsonInputSerializer,
        },
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(
                OutputSerializer,
                description=gettext_lazy("The same submission was already received."),
            ),
            400: BAD_REQUEST,
            422: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("The idempotency key was used for another report."),
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("The daily limit of reports was reached."),
            ),
        },
        tags=["reports"],
    )
    def post(self, request: Request) -> Response:
        is_json = (request.content_type or "").startswith("application/json")
        serializer = (self.JsonInputSerializer if is_json else self.InputSerializer)(
            data=request.data
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        files = request.FILES.getlist("files")
        sent_files = request.data.get("files") if hasattr(request.data, "get") else None
        if sent_files not in (None, "", []) and not files:
            raise ApplicationError(
                _("Files can be sent only as multipart/form-data, in the field “files”."),
                {"field": "files"},
            )
        submission = report_submit_or_replay(
            category_code=data["category"],
            lon=data.get("lon"),
            lat=data.get("lat"),
            description=data.get("description") or "",
            occurred_at=data.get("occurred_at"),
            reporter_email=data.get("email") or "",
            reporter_language=rules.asked_language(request),
            files=files,
            client_ip=rules.client_ip(request),
            idempotency_key=request.headers.get("Idempotency-Key"),
            honeypot=data.get("website") or "",
        )
        report = submission.report
        body = report_submitted_body(report, request)
        if not submission.created:
            return Response(body, status=status.HTTP_200_OK)
        location = reverse("api:reports-detail", kwargs={"tracking_code": report.tracking_code})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class ReportTrackApi(PublicApi):
    """`GET /api/v1/reports/{tracking_code}`: a report as the holder of its code sees it."""

    @extend_schema_serializer(component_name="ReportPublic")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="ReportPublicLocation")
        class LocationSerializer(serializers.Serializer):
            lat = serializers.FloatField()
            lon = serializers.FloatField()

        @extend_schema_serializer(component_name="ReportArea")
        class AreaSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()

        @extend_schema_serializer(component_name="ReportPublicEvent")
        class EventSerializer(serializers.Serializer):
            at = serializers.DateTimeField()
            action = serializers.CharField(
                help_text=gettext_lazy("“submitted”, “status_changed” or “note”.")
            )
            from_status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
            to_status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
            status_label = serializers.CharField(allow_null=True)
            colour = serializers.CharField(allow_null=True)
            note = serializers.CharField(allow_blank=True)
            actor = serializers.CharField(
                help_text=gettext_lazy("Who acted, by role only (never a name).")
            )
            photo_url = serializers.URLField(allow_null=True)

        @extend_schema_serializer(component_name="ReportPublicAttachment")
        class AttachmentSerializer(serializers.Serializer):
            content_type = serializers.CharField()
            url = serializers.URLField(
                help_text=gettext_lazy("The public copy, without location or camera metadata.")
            )

        tracking_code = serializers.CharField()
        status = serializers.ChoiceField(choices=Status.choices)
        status_label = serializers.CharField()
        colour = serializers.CharField(help_text=gettext_lazy("The status colour, #rrggbb."))
        is_open = serializers.BooleanField()
        category = CategorySerializer()
        precision = serializers.ChoiceField(
            choices=Precision.choices,
            help_text=gettext_lazy("How precisely the public location is shown."),
        )
        location = LocationSerializer(
            allow_null=True,
            help_text=gettext_lazy(
                "The public location: exact, the centre of a coarse grid cell, or null."
            ),
        )
        area = AreaSerializer()
        description = serializers.CharField(allow_blank=True)
        occurred_at = serializers.DateTimeField(allow_null=True)
        created_at = serializers.DateTimeField()
        take_up_expected_by = serializers.DateTimeField(
            allow_null=True,
            help_text=gettext_lazy("When police should take the report up; null once done."),
        )
        verification_expected_by = serializers.DateTimeField(
            allow_null=True,
            help_text=gettext_lazy("When police should have verified it; null once done."),
        )
        referred_to = serializers.CharField(allow_null=True)
        seen_count = serializers.IntegerField(
            help_text=gettext_lazy("How many others said they have seen this too.")
        )
        history = EventSerializer(many=True)
        attachments = AttachmentSerializer(many=True)
        attachments_police_only = serializers.IntegerField(
            help_text=gettext_lazy("Files only police see (PDFs and videos).")
        )

    @extend_schema(
        operation_id="reports_retrieve",
        summary=gettext_lazy("Follow a report by its tracking code"),
        description=gettext_lazy(
            "Status with its colour, category, public location (never the exact point of a "
            "category shown with reduced precision or hidden), area, public history and the "
            "dates police should act by. Case, spaces and dashes in the code do not matter."
        ),
        parameters=[LANGUAGE_PARAMETER],
        responses={200: OutputSerializer, 404: NOT_FOUND},
        tags=["reports"],
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        report = report_get_by_code(code=tracking_code)
        return Response(self.OutputSerializer(report_public_data(report, request)).data)
