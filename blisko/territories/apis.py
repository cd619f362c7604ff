"""Public JSON API of territories: which areas hold a point, an area, its boundary, places.

Views stay thin: they read the query, call a selector and serialize what it returns. Wired
in `blisko/api/urls.py` under `/api/v1/`.

Why one module of over 400 lines: the territories' endpoints with their OpenAPI declarations
(serializers, parameters, examples), which are most of its length.
"""

import datetime as dt
import json
from typing import Any

from django.utils.translation import gettext as _
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
    LANGUAGE_PARAMETER,
    LAT_PARAMETER,
    LON_PARAMETER,
    NOT_FOUND,
    OptionalBboxField,
)
from blisko.core.apis.views import PublicApi
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.geo import MAX_ZOOM, bbox_parse, parse_lat_lon, viewport_check
from blisko.territories.models import Area, Country, Level, PlaceKind
from blisko.territories.selectors.areas import (
    area_boundary_version,
    area_children,
    area_get,
    areas_for_point,
)
from blisko.territories.selectors.outlines import (
    areas_outline,
    areas_outline_in_view,
    outline_tolerance,
)
from blisko.territories.selectors.places import SEARCH_MAX_LENGTH, place_location, place_search

NULLABLE_STRING = {"type": "string", "nullable": True}
NULLABLE_NUMBER = {"type": "number", "format": "double", "nullable": True}


@extend_schema_serializer(component_name="DateInput")
class DateInputSerializer(serializers.Serializer):
    """The optional `date` a lookup is made for (today when missing)."""

    date = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("The day to ask about, YYYY-MM-DD; today when missing."),
    )


def area_summary(area: Area) -> dict[str, Any]:
    """An area as AreaSummarySerializer describes it, built directly (see its docstring)."""
    return {
        "id": area.pk,
        "level": area.level,
        "code": area.code,
        "name": area.name,
        "name_official": area.name_official,
        "parent": area.parent_id,
    }


@extend_schema_serializer(component_name="AreaSummary")
class AreaSummarySerializer(serializers.Serializer):
    """An area in a list: enough to show it and find its place in the hierarchy.

    The fields describe the shape (and the schema); `to_representation` builds it directly,
    because DRF copies every declared field for each serializer instance, which the hot
    endpoints (locate, find) cannot afford. The schema tests check that both agree.
    """

    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Level.choices)
    code = serializers.CharField(help_text=gettext_lazy("KATOTTH in Ukraine, TERYT in Poland."))
    name = serializers.CharField(help_text=gettext_lazy("Name in the request's language."))
    name_official = serializers.CharField()
    # The serializer's metaclass takes declared fields off the class, so this does not
    # shadow Field.parent at run time; the stubs cannot know that.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        allow_null=True, help_text=gettext_lazy("Id of the parent area.")
    )

    def to_representation(self, instance: Area) -> dict[str, Any]:
        return area_summary(instance)


@extend_schema_field(
    {
        "type": "object",
        "description": "A GeoJSON geometry (RFC 7946), coordinates as [lon, lat] in WGS 84.",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"type": "string", "example": "MultiPolygon"},
            "coordinates": {"type": "array", "items": {}},
        },
    }
)
class GeometryField(serializers.Field):
    """A GEOS geometry written as a GeoJSON geometry object."""

    def to_representation(self, value: Any) -> dict[str, Any]:
        return json.loads(value.geojson)


@extend_schema_field({"type": "string", "enum": ["Feature"]}, component_name="FeatureType")
class FeatureTypeField(serializers.CharField):
    """The `type` of a GeoJSON Feature: always "Feature"."""


@extend_schema_field(
    {"type": "string", "enum": ["FeatureCollection"]}, component_name="FeatureCollectionType"
)
class FeatureCollectionTypeField(serializers.CharField):
    """The `type` of a GeoJSON FeatureCollection: always "FeatureCollection"."""


class AreaLocateApi(PublicApi):
    """`GET /api/v1/areas/locate?lat=&lon=[&date=]`: every area holding a point."""

    @extend_schema(
        operation_id="areas_locate",
        summary=gettext_lazy("Every area containing a point"),
        description=gettext_lazy(
            "Returns a plain JSON list (not paginated) of every area that contains the point on "
            "the given day, from the coarsest (country) to the finest (service area or community). "
            "A point outside every territory answers 404."
        ),
        parameters=[LAT_PARAMETER, LON_PARAMETER, DateInputSerializer, LANGUAGE_PARAMETER],
        responses={200: AreaSummarySerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
        tags=["areas"],
    )
    def get(self, request: Request) -> Response:
        lon, lat = parse_lat_lon(request.query_params.get("lat"), request.query_params.get("lon"))
        query = DateInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        areas = areas_for_point(lon=lon, lat=lat, on=query.validated_data.get("date"))
        if not areas:
            raise NotFoundError(
                _("This point is outside every territory Blisko covers."),
                {"lat": lat, "lon": lon},
            )
        return Response([area_summary(area) for area in areas])


class AreaDetailApi(PublicApi):
    """`GET /api/v1/areas/{id}`: one area with its parent chain, contact and validity."""

    @extend_schema_serializer(component_name="AreaDetail")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="AreaNames")
        class NamesSerializer(serializers.Serializer):
            uk = serializers.CharField(source="name_uk")
            pl = serializers.CharField(source="name_pl")
            en = serializers.CharField(source="name_en")

        @extend_schema_serializer(component_name="AreaContact")
        class ContactSerializer(serializers.Serializer):
            phone = serializers.CharField(source="contact_phone")
            email = serializers.CharField(source="contact_email")

        id = serializers.IntegerField()
        country = serializers.ChoiceField(choices=Country.choices)
        level = serializers.ChoiceField(choices=Level.choices)
        level_label = serializers.CharField(source="get_level_display")
        code = serializers.CharField()
        name = serializers.CharField()
        name_official = serializers.CharField()
        names = NamesSerializer(source="*")
        parent = AreaSummarySerializer(allow_null=True)
        ancestors = serializers.SerializerMethodField(
            help_text=gettext_lazy("The parent chain, from the country down to the parent.")
        )
        children_count = serializers.SerializerMethodField(
            help_text=gettext_lazy("How many areas in force today lie directly inside this one.")
        )
        contact = ContactSerializer(source="*")
        population = serializers.IntegerField(allow_null=True)
        valid_from = serializers.DateField()
        valid_to = serializers.DateField(allow_null=True)

        @extend_schema_field(AreaSummarySerializer(many=True))
        def get_ancestors(self, area: Area) -> Any:
            return [area_summary(ancestor) for ancestor in reversed(area.ancestors())]

        def get_children_count(self, area: Area) -> int:
            return self.context["children_count"]

    @extend_schema(
        operation_id="areas_retrieve",
        summary=gettext_lazy("One area"),
        description=gettext_lazy(
            "An area with its names, parent chain (country first), number of children, its "
            "own phone and e-mail, population and validity. 404 for an unknown id."
        ),
        parameters=[LANGUAGE_PARAMETER],
        responses={200: OutputSerializer, 404: NOT_FOUND},
        tags=["areas"],
    )
    def get(self, request: Request, area_id: int) -> Response:
        area = area_get(area_id=area_id)
        count = len(area_children(area=area))
        return Response(self.OutputSerializer(area, context={"children_count": count}).data)


class AreaBoundaryApi(PublicApi):
    """`GET /api/v1/areas/{id}/boundary[?date=]`: the area's boundary as a GeoJSON Feature."""

    @extend_schema_serializer(component_name="AreaBoundaryFeature")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="AreaBoundaryProperties")
        class PropertiesSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            code = serializers.CharField()
            name = serializers.CharField()
            level = serializers.ChoiceField(choices=Level.choices)
            valid_from = serializers.DateField(
                help_text=gettext_lazy("First day of this boundary version.")
            )
            valid_to = serializers.DateField(
                allow_null=True,
                help_text=gettext_lazy("Day this version ended (exclusive); null while in force."),
            )

        type = FeatureTypeField()
        id = serializers.IntegerField()
        geometry = GeometryField()
        properties = PropertiesSerializer()

    @extend_schema(
        operation_id="areas_boundary",
        summary=gettext_lazy("The boundary of an area as GeoJSON"),
        description=gettext_lazy(
            "A GeoJSON Feature with the boundary version in force on the given day (today when "
            "missing). 404 when the area has no boundary on that day."
        ),
        parameters=[DateInputSerializer, LANGUAGE_PARAMETER],
        responses={200: OutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        tags=["areas"],
    )
    def get(self, request: Request, area_id: int) -> Response:
        query = DateInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on: dt.date | None = query.validated_data.get("date")
        area = area_get(area_id=area_id)
        version = area_boundary_version(area=area, on=on)
        if version is None:
            raise NotFoundError(_("This area has no boundary on that day."), {"id": area.pk})
        feature = {
            "type": "Feature",
            "id": area.pk,
            "geometry": version.boundary,
            "properties": {
                "id": area.pk,
                "code": area.code,
                "name": area.name,
                "level": area.level,
                "valid_from": version.valid_from,
                "valid_to": version.valid_to,
            },
        }
        return Response(self.OutputSerializer(feature).data)


class AreaOutlinesApi(PublicApi):
    """`GET /api/v1/areas/outlines?level=[&country=][&bbox=&zoom=[&known=]]`: simplified
    outlines for the maps, of every area of a level or of those in a map's view."""

    @extend_schema_serializer(component_name="AreaOutlinesInput")
    class InputSerializer(serializers.Serializer):
        level = serializers.ChoiceField(choices=Level.choices)
        country = serializers.ChoiceField(choices=Country.choices, required=False)
        bbox = OptionalBboxField(
            help_text=gettext_lazy(
                "Only the areas meeting this box: west,south,east,north in WGS 84 degrees, as "
                "for the threat map (at zoom 4 and above at most 16 tiles wide and high). "
                "Needs `zoom`."
            ),
        )
        zoom = serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=MAX_ZOOM,
            help_text=gettext_lazy(
                "The map's zoom, 0-20: outlines are simplified to about half a pixel at it."
            ),
        )
        known = OptionalBboxField(
            help_text=gettext_lazy(
                "With `bbox`: a box (west,south,east,north) whose outlines the map already "
                "holds at this zoom; the areas meeting it are left out."
            ),
        )

    @extend_schema_serializer(component_name="AreaOutlines")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="AreaOutline")
        class FeatureSerializer(serializers.Serializer):
            @extend_schema_serializer(component_name="AreaOutlineProperties")
            class PropertiesSerializer(serializers.Serializer):
                id = serializers.IntegerField()
                code = serializers.CharField()
                name = serializers.CharField()
                level = serializers.ChoiceField(choices=Level.choices)

            type = FeatureTypeField()
            id = serializers.IntegerField()
            geometry = GeometryField()
            properties = PropertiesSerializer()

        type = FeatureCollectionTypeField()
        features = FeatureSerializer(many=True)

    @extend_schema(
        operation_id="areas_outlines",
        summary=gettext_lazy("Simplified outlines of the areas of one level"),
        description=gettext_lazy(
            "A GeoJSON FeatureCollection of simplified boundaries, for the maps' background. "
            "Without `bbox`, every area of the level (simplified by about 200 m, or for "
            "`zoom` when given). With `bbox` and `zoom`, only the areas meeting the box and "
            "not `known`, each whole and simplified to about half a pixel at that zoom, so a "
            "map fetches the outlines of its view and, when panned, only the new ones. "
            "Not paginated."
        ),
        parameters=[InputSerializer, LANGUAGE_PARAMETER],
        responses={200: OutputSerializer, 400: BAD_REQUEST},
        tags=["areas"],
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        level, country, zoom = data["level"], data.get("country"), data.get("zoom")
        # The selectors already build plain GeoJSON (and cache it): no serializer round trip.
        if "bbox" not in data and "known" not in data:
            if zoom is None:
                return Response(areas_outline(level=level, country=country))
            tolerance = outline_tolerance(zoom=zoom)
            return Response(areas_outline(level=level, country=country, tolerance=tolerance))
        # The threat map's parser and limits, so both answer a bad view alike.
        bbox = bbox_parse(value=data.get("bbox"))
        if zoom is None:
            raise ApplicationError(
                _("“%(name)s” is required.") % {"name": "zoom"}, {"field": "zoom"}
            )
        viewport_check(bbox=bbox, zoom=zoom)
        known = bbox_parse(value=data["known"], name="known") if "known" in data else None
        outline = areas_outline_in_view(
            level=level, country=country, bbox=bbox, zoom=zoom, known=known
        )
        return Response(outline)


# What place_search accepts, as the schema says it: the characters of its _SEARCH_ALLOWED,
# at least one letter or digit among them, 1 to SEARCH_MAX_LENGTH of them.
_PLACE_QUERY = OpenApiParameter(
    "q",
    {
        "type": "string",
        "minLength": 1,
        "maxLength": SEARCH_MAX_LENGTH,
        "pattern": r"^[\p{L}\p{N}\s\-'’ʼ.,()]*[\p{L}\p{N}][\p{L}\p{N}\s\-'’ʼ.,()]*$",
    },
    OpenApiParameter.QUERY,
    required=True,
    description=gettext_lazy(
        "Part of a place name in Ukrainian, Polish or Latin letters; 1 to 200 "
        "characters, no HTML or SQL characters. Case and diacritics do not matter."
    ),
)


class PlaceSearchApi(PublicApi):
    """`GET /api/v1/places/search?q=`: up to 10 places whose names match, best first."""

    @extend_schema_serializer(component_name="PlaceSearchInput")
    class InputSerializer(serializers.Serializer):
        # No length or character rules here: place_search() checks them, with the same
        # messages the pages show.
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            trim_whitespace=False,
            help_text=gettext_lazy(
                "Part of a place name in Ukrainian, Polish or Latin letters; 1 to 200 "
                "characters, no HTML or SQL characters. Case and diacritics do not matter."
            ),
        )

    @extend_schema_serializer(component_name="Place")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="PlaceArea")
        class AreaSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()
            level = serializers.ChoiceField(choices=Level.choices)

        id = serializers.IntegerField()
        name = serializers.CharField()
        kind = serializers.ChoiceField(choices=PlaceKind.choices)
        kind_label = serializers.CharField(source="get_kind_display")
        area = AreaSerializer()
        community = serializers.SerializerMethodField()
        district = serializers.SerializerMethodField()
        region = serializers.SerializerMethodField()
        lat = serializers.SerializerMethodField()
        lon = serializers.SerializerMethodField()

        def _name_at(self, place: Any, level: str) -> str | None:
            node = place.area
            while node is not None:
                if node.level == level:
                    return node.name
                node = node.parent
            return None

        @extend_schema_field(NULLABLE_STRING)
        def get_community(self, place: Any) -> str | None:
            return self._name_at(place, Level.COMMUNITY)

        @extend_schema_field(NULLABLE_STRING)
        def get_district(self, place: Any) -> str | None:
            return self._name_at(place, Level.DISTRICT)

        @extend_schema_field(NULLABLE_STRING)
        def get_region(self, place: Any) -> str | None:
            return self._name_at(place, Level.REGION)

        @extend_schema_field(NULLABLE_NUMBER)
        def get_lat(self, place: Any) -> float | None:
            location = place_location(place=place)
            return location[1] if location else None

        @extend_schema_field(NULLABLE_NUMBER)
        def get_lon(self, place: Any) -> float | None:
            location = place_location(place=place)
            return location[0] if location else None

    @extend_schema(
        operation_id="places_search",
        summary=gettext_lazy("Places by name, for suggestions"),
        description=gettext_lazy(
            "Up to 10 places whose names start with or contain the query, best first, as a plain "
            "JSON list. Community, district and region names tell apart places of one name."
        ),
        parameters=[InputSerializer, _PLACE_QUERY, LANGUAGE_PARAMETER],
        responses={200: OutputSerializer(many=True), 400: BAD_REQUEST},
        tags=["places"],
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        places = place_search(query=query.validated_data["q"], limit=10)
        return Response(self.OutputSerializer(places, many=True).data)
