"""Public JSON API of the threat map: what a viewport shows.

`GET /api/v1/map?bbox=&zoom=[&category=][&status=][&from=][&to=][&area=]` answers with points
(zoomed in) or grid cells (zoomed out) and the legend's counts; see
`blisko.threatmap.selectors.map` for the rules, the privacy ones first.
Anyone may call it; nothing else is allowed (405).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from blisko.core.apis.schema import (
    BAD_REQUEST,
    CATEGORY_CODES,
    LANGUAGE_PARAMETER,
    BboxField,
)
from blisko.core.apis.views import PublicApi
from blisko.core.geo import MAX_ZOOM, bbox_parse
from blisko.reports.selectors.categories import category_codes_known
from blisko.territories.apis import FeatureCollectionTypeField, FeatureTypeField
from blisko.threatmap.selectors.map import (
    PUBLIC_STATUSES,
    map_data,
    map_filters_get,
)


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_choices(values: list[str], choices: set[str] | tuple[str, ...]) -> list[str]:
    """Each value must be one of `choices`: DRF's own (translated) "not a valid choice"."""
    for value in values:
        if value not in choices:
            raise serializers.ValidationError(
                serializers.ChoiceField.default_error_messages["invalid_choice"].format(input=value)
            )
    return values


@extend_schema_field({"type": "string", "enum": ["Point"]}, component_name="PointType")
class PointTypeField(serializers.CharField):
    """The `type` of a GeoJSON Point: always "Point"."""


# `category` and `status` are lists written "a,b" (OpenAPI's form style, not exploded): the
# schema says so, with the values each may hold, so that a client knows them up front.
_LIST_PARAMETERS = [
    OpenApiParameter(
        "category",
        {"type": "array", "items": {"type": "string", CATEGORY_CODES: "all"}},
        OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description=gettext_lazy("Category codes, comma-separated; all when missing."),
    ),
    OpenApiParameter(
        "status",
        {"type": "array", "items": {"type": "string", "enum": list(PUBLIC_STATUSES)}},
        OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description=gettext_lazy(
            "Statuses, comma-separated: submitted, in_verification, confirmed, "
            "not_confirmed, resolved, referred; all of them when missing."
        ),
    ),
]


class MapApi(PublicApi):
    """`GET /api/v1/map`: the public map of one viewport."""

    @extend_schema_serializer(component_name="MapInput")
    class InputSerializer(serializers.Serializer):
        bbox = BboxField(
            help_text=gettext_lazy(
                "The viewport: west,south,east,north in WGS 84 degrees (minlon,minlat,maxlon,"
                "maxlat). At zoom 4 and above at most 16 tiles (4,096 pixels) wide and high."
            ),
        )
        zoom = serializers.IntegerField(
            min_value=0,
            max_value=MAX_ZOOM,
            help_text=gettext_lazy("The map's zoom, 0-20 (Web Mercator tiles)."),
        )
        category = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text=gettext_lazy("Category codes, comma-separated; all when missing."),
        )
        status = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text=gettext_lazy(
                "Statuses, comma-separated: submitted, in_verification, confirmed, "
                "not_confirmed, resolved, referred; all of them when missing."
            ),
        )
        from_ = serializers.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            help_text=gettext_lazy("Reports made on this day (YYYY-MM-DD) or later."),
        )
        to = serializers.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            help_text=gettext_lazy("Reports made on this day (YYYY-MM-DD) or earlier."),
        )
        area = serializers.IntegerField(
            required=False,
            min_value=1,
            help_text=gettext_lazy("Reports in this area or in any area inside it."),
        )

        def get_fields(self) -> dict[str, serializers.Field]:
            fields = super().get_fields()
            # "from" cannot be an attribute's name; the order of the query stays as documented.
            return {("from" if name == "from_" else name): field for name, field in fields.items()}

        def validate_category(self, value: str) -> list[str]:
            known = category_codes_known()
            return _check_choices(_codes(value), known)

        def validate_status(self, value: str) -> list[str]:
            return _check_choices(_codes(value), PUBLIC_STATUSES)

    @extend_schema_serializer(component_name="MapAnswer")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="MapLegendItem")
        class LegendSerializer(serializers.Serializer):
            status = serializers.ChoiceField(choices=PUBLIC_STATUSES)
            # Declared fields leave the class, so this does not shadow Field.label at run time.
            label = serializers.CharField(  # type: ignore[assignment]
                help_text=gettext_lazy("In the request's language.")
            )
            colour = serializers.CharField(help_text=gettext_lazy("The status colour, #rrggbb."))
            count = serializers.IntegerField(
                help_text=gettext_lazy("Reports of this status in the answer.")
            )

        @extend_schema_serializer(component_name="MapPoints")
        class PointsSerializer(serializers.Serializer):
            @extend_schema_serializer(component_name="MapPoint")
            class FeatureSerializer(serializers.Serializer):
                @extend_schema_serializer(component_name="MapPointGeometry")
                class GeometrySerializer(serializers.Serializer):
                    type = PointTypeField()
                    coordinates = serializers.ListField(
                        child=serializers.FloatField(),
                        min_length=2,
                        max_length=2,
                        help_text=gettext_lazy(
                            "[lon, lat] of the public location: exact, or the centre of a "
                            "~300 m cell for categories shown less precisely."
                        ),
                    )

                @extend_schema_serializer(component_name="MapPointProperties")
                class PropertiesSerializer(serializers.Serializer):
                    code = serializers.CharField(help_text=gettext_lazy("The tracking code."))
                    status = serializers.ChoiceField(choices=PUBLIC_STATUSES)
                    colour = serializers.CharField()
                    category = serializers.CharField(
                        help_text=gettext_lazy("The category's code (names in `categories`).")
                    )
                    date = serializers.DateField(help_text=gettext_lazy("Day it was reported."))
                    seen = serializers.IntegerField(
                        help_text=gettext_lazy("How many residents have seen it too.")
                    )

                type = FeatureTypeField()
                geometry = GeometrySerializer()
                properties = PropertiesSerializer()

            type = FeatureCollectionTypeField()
            features = FeatureSerializer(many=True)

        @extend_schema_serializer(component_name="MapCell")
        class CellSerializer(serializers.Serializer):
            lat = serializers.FloatField(
                help_text=gettext_lazy(
                    "Mean of the public points in the cell, moved inside the cell just far "
                    "enough for its circle (see `circle`) to fit; the cell's centre when it has "
                    "no public point. Circles of two cells never overlap."
                )
            )
            lon = serializers.FloatField()
            count = serializers.IntegerField()
            counts = serializers.DictField(
                child=serializers.IntegerField(),
                help_text=gettext_lazy("Reports per status (statuses with none are left out)."),
            )

        @extend_schema_serializer(component_name="MapCircle")
        class CircleSerializer(serializers.Serializer):
            min_px = serializers.IntegerField(
                help_text=gettext_lazy("Diameter of a cell's circle for one report, in pixels.")
            )
            max_px = serializers.IntegerField(
                help_text=gettext_lazy("The largest diameter of a cell's circle, in pixels.")
            )
            px_per_decade = serializers.IntegerField(
                help_text=gettext_lazy(
                    "Pixels the diameter grows by for ten times as many reports: "
                    "min_px + px_per_decade * log10(count), rounded, at most max_px."
                )
            )

        zoom = serializers.IntegerField()
        bbox = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4)
        kind = serializers.ChoiceField(
            choices=["points", "cells"],
            help_text=gettext_lazy(
                "“points” zoomed in (13 and above) with at most 500 reports in view; "
                "“cells” otherwise."
            ),
        )
        cell_size = serializers.FloatField(
            allow_null=True,
            help_text=gettext_lazy("Side of a cell in degrees; null for points."),
        )
        hidden_counted = serializers.BooleanField(
            help_text=gettext_lazy(
                "Whether categories never shown as points (such as drug use) are in the "
                "counts: only in cells of at least about 1.6 km (zoom 12 and below)."
            )
        )
        total = serializers.IntegerField()
        legend = LegendSerializer(many=True)
        categories = serializers.DictField(
            child=serializers.CharField(),
            help_text=gettext_lazy("Names of the points' categories, by code."),
        )
        points = PointsSerializer()
        cells = CellSerializer(many=True)
        circle = CircleSerializer(
            help_text=gettext_lazy(
                "How large the page draws a cell's circle; each cell is placed so that its "
                "circle fits inside the cell (64 pixels or more) at the zoom asked for."
            )
        )

    @extend_schema(
        operation_id="map_retrieve",
        summary=gettext_lazy("The public map of threats in a viewport"),
        description=gettext_lazy(
            "Zoomed in (13 and above) with at most 500 reports in view: each report as a "
            "GeoJSON point at its public location. Otherwise reports counted in square cells "
            "(64 pixels or more; at most 1,024 cells), each whole even where the viewport cuts "
            "it, placed so that no two cells' circles overlap. The exact point of a category shown less precisely or hidden never appears; "
            "hidden ones count only in cells of at least about 1.6 km. Duplicates are not "
            "shown, and not-confirmed reports leave the map 30 days after verification."
        ),
        parameters=[InputSerializer, *_LIST_PARAMETERS, LANGUAGE_PARAMETER],
        responses={200: OutputSerializer, 400: BAD_REQUEST},
        tags=["map"],
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        bbox = bbox_parse(value=request.query_params.get("bbox"))
        filters = map_filters_get(
            category_codes=data.get("category") or (),
            statuses=data.get("status") or (),
            date_from=data.get("from"),
            date_to=data.get("to"),
            area_id=data.get("area"),
        )
        return Response(map_data(bbox=bbox, zoom=data["zoom"], filters=filters))
