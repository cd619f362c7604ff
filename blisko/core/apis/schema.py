"""Pieces of the OpenAPI description shared by every API view: errors and common parameters.

The views in `<app>/apis.py` pass these to `extend_schema` so `/api/v1/schema/` describes
exactly what they return, refusals included.
"""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.fields import empty

from blisko.core.geo import BBOX_PATTERN


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """Every refusal: a message in the language of the request and details for programs."""

    message = serializers.CharField(
        help_text=gettext_lazy("What went wrong, in the request's language.")
    )
    extra = serializers.DictField(
        help_text=gettext_lazy("Details for programs, such as the field that was refused."),
    )


# The ranges parse_coordinate (blisko.core.geo) accepts, so that the schema refuses what the
# API refuses: a number outside them answers 400.
LATITUDE = {"type": "number", "format": "double", "minimum": -90, "maximum": 90}
LONGITUDE = {"type": "number", "format": "double", "minimum": -180, "maximum": 180}

LAT_PARAMETER = OpenApiParameter(
    "lat",
    LATITUDE,
    OpenApiParameter.QUERY,
    required=True,
    description=gettext_lazy("Latitude in WGS 84 degrees, from -90 to 90."),
)
LON_PARAMETER = OpenApiParameter(
    "lon",
    LONGITUDE,
    OpenApiParameter.QUERY,
    required=True,
    description=gettext_lazy("Longitude in WGS 84 degrees, from -180 to 180."),
)
# Any Accept-Language a browser sends ("pl-PL,pl;q=0.9,en;q=0.8") is accepted: the first
# of uk, pl and en it names is used, else Ukrainian. An enum of the three would promise a
# refusal the API never gives.
LANGUAGE_PARAMETER = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Language of names, labels and messages: uk, pl or en, as a browser sends it "
        "(e.g. “pl-PL,pl;q=0.9”); Ukrainian when it names none of them."
    ),
)

BAD_REQUEST = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("The request is not valid.")
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=gettext_lazy("Nothing matches."))


@extend_schema_field({"type": "string", "pattern": BBOX_PATTERN})
class BboxField(serializers.CharField):
    """A box, "west,south,east,north" in WGS 84 degrees: the schema gives its pattern;
    `bbox_parse` (blisko.core.geo) checks it, with the map's messages,
    and also the ranges, the order of the edges and the size for the zoom, which a pattern
    cannot say."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class OptionalBboxField(BboxField):
    """A box that may be left out; sent blank, it is refused like any other bad box (DRF
    would otherwise read a blank query parameter as a missing one)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_value(self, dictionary: Any) -> Any:
        return dictionary.get(self.field_name, empty)


# A schema of the form {"type": "string", CATEGORY_CODES: "active"} lists the codes of the
# active categories as its enum ("all": of every category), read from the database each time
# the schema is served: they are data, not code.
CATEGORY_CODES = "x-blisko-category-codes"
