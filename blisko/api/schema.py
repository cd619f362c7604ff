"""Pieces of the OpenAPI description shared by every API view: errors and common parameters.

The views in `<app>/apis.py` pass these to `extend_schema` so `/api/v1/schema/` describes
exactly what they return, refusals included.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """Every refusal: a message in the language of the request and details for programs."""

    message = serializers.CharField(help_text=_("What went wrong, in the request's language."))
    extra = serializers.DictField(
        help_text=_("Details for programs, such as the field that was refused."),
    )


LAT_PARAMETER = OpenApiParameter(
    "lat",
    OpenApiTypes.DOUBLE,
    OpenApiParameter.QUERY,
    required=True,
    description=_("Latitude in WGS 84 degrees, from -90 to 90."),
)
LON_PARAMETER = OpenApiParameter(
    "lon",
    OpenApiTypes.DOUBLE,
    OpenApiParameter.QUERY,
    required=True,
    description=_("Longitude in WGS 84 degrees, from -180 to 180."),
)
LANGUAGE_PARAMETER = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    enum=["uk", "pl", "en"],
    description=_("Language of names, labels and messages (default: uk)."),
)

BAD_REQUEST = OpenApiResponse(ErrorSerializer, description=_("The request is not valid."))
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("Nothing matches."))
