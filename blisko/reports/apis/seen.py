"""`POST /api/v1/reports/{tracking_code}/seen`: a resident has seen this report too; one
confirmation per client is counted (201), a repeat is told it was already counted (200)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blisko.core.apis.schema import (
    BAD_REQUEST,
    LANGUAGE_PARAMETER,
    NOT_FOUND,
)
from blisko.reports import rules
from blisko.reports.selectors.tracking import report_get_by_code
from blisko.reports.services.seen import report_seen_confirm


class ReportSeenApi(APIView):
    """`POST /api/v1/reports/{tracking_code}/seen`: "I have seen this too"."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema_serializer(component_name="ReportSeen")
    class OutputSerializer(serializers.Serializer):
        tracking_code = serializers.CharField()
        seen_count = serializers.IntegerField(
            help_text=gettext_lazy("How many residents have seen it too, this one included.")
        )
        counted = serializers.BooleanField(
            help_text=gettext_lazy("False when this client had already been counted.")
        )
        message = serializers.CharField(help_text=gettext_lazy("In the request's language."))

    @extend_schema(
        operation_id="reports_seen",
        summary=gettext_lazy("I have seen this too"),
        description=gettext_lazy(
            "Confirms an open report (submitted, in verification or confirmed): once per "
            "client, however often it is sent. The count is public and officers use it to "
            "decide what to check first. A closed report answers 400, an unknown code 404."
        ),
        request=None,
        parameters=[
            OpenApiParameter(
                "tracking_code", OpenApiTypes.STR, OpenApiParameter.PATH, required=True
            ),
            LANGUAGE_PARAMETER,
        ],
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(
                OutputSerializer,
                description=gettext_lazy("This client had already been counted."),
            ),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
        tags=["reports"],
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        report = report_get_by_code(code=tracking_code)
        result = report_seen_confirm(report=report, client_ip=rules.client_ip(request))
        body: dict[str, Any] = {
            "tracking_code": report.tracking_code,
            "seen_count": result.report.seen_count,
            "counted": result.counted,
            "message": _("Thank you: your confirmation is counted.")
            if result.counted
            else _("You have already confirmed this report: it is counted once."),
        }
        code = status.HTTP_201_CREATED if result.counted else status.HTTP_200_OK
        return Response(self.OutputSerializer(body).data, status=code)
