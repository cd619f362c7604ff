"""Public JSON API of officers: "find my officer" for a point, and the offline directory.

`GET /api/v1/officers/find` is the hottest endpoint Blisko has (benchmarked at 1,000 req/s
on two cores), so it renders JSON only, reads no session, paginates nothing and leaves every
query to `officer_find`, which caches per area.
"""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from blisko.core.apis.schema import (
    BAD_REQUEST,
    LANGUAGE_PARAMETER,
    LAT_PARAMETER,
    LON_PARAMETER,
    NOT_FOUND,
)
from blisko.core.apis.views import PublicApi
from blisko.core.geo import parse_lat_lon
from blisko.officers.models import CoverReason, Officer, Role, Unit
from blisko.officers.selectors.directory import directory_since
from blisko.officers.selectors.find import AreaOfficers, OfficerCard, officer_find
from blisko.territories.apis import AreaSummarySerializer, area_summary
from blisko.territories.models import Country, Level

# The largest version a 64-bit key can hold: SQLite refuses to compare a bigger number.
MAX_ID = 2**63 - 1
COVER_REASONS = [("", "—"), *CoverReason.choices]
DELETED_KINDS = ("area", "officer", "unit", "assignment")


def photo_url(officer: Officer, request: Request | None) -> str | None:
    """The absolute URL of the officer's photo (relative without a request), or None."""
    if not officer.photo:
        return None
    url = officer.photo.url
    return request.build_absolute_uri(url) if request is not None else url


def unit_data(unit: Unit) -> dict[str, Any]:
    """A unit as UnitSerializer describes it, built directly (see AreaSummarySerializer)."""
    location = unit.location
    return {
        "id": unit.pk,
        "name": unit.name,
        "address": unit.address,
        "phone": unit.phone,
        "duty_phone": unit.duty_phone,
        "email": unit.email,
        "opening_hours": unit.opening_hours,
        "location": None if location is None else {"lat": location.y, "lon": location.x},
    }


def card_data(card: OfficerCard, request: Request | None) -> dict[str, Any]:
    """A card as OfficerCardSerializer describes it, built directly."""
    officer, covered = card.officer, card.covering_for
    return {
        "id": officer.pk,
        "name": officer.full_name,
        "rank": officer.rank,
        "role": card.role,
        "role_label": str(Role(card.role).label),
        "photo_url": photo_url(officer, request),
        "bio": officer.bio,
        "badge_number": officer.badge_number,
        "unit_id": officer.unit_id,
        "starts_on": card.starts_on.isoformat(),
        "covering_for": None if covered is None else {"id": covered.pk, "name": covered.full_name},
        "cover_reason": card.cover_reason,
        "is_absent": card.is_absent,
    }


@extend_schema_serializer(component_name="Location")
class LocationSerializer(serializers.Serializer):
    lat = serializers.FloatField(source="y")
    lon = serializers.FloatField(source="x")


@extend_schema_serializer(component_name="Unit")
class UnitSerializer(serializers.Serializer):
    """A police unit as residents see it. Built by unit_data (fields: shape and schema)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    duty_phone = serializers.CharField()
    email = serializers.CharField()
    opening_hours = serializers.CharField()
    location = LocationSerializer(allow_null=True)

    def to_representation(self, instance: Unit) -> dict[str, Any]:
        return unit_data(instance)


@extend_schema_field(OpenApiTypes.URI)
class PhotoUrlField(serializers.Field):
    """The absolute URL of an officer's photo, or null without one. Its source is the officer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, officer: Officer) -> str | None:
        return photo_url(officer, self.context.get("request"))


@extend_schema_serializer(component_name="OfficerRef")
class OfficerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="OfficerCard")
class OfficerCardSerializer(serializers.Serializer):
    """One officer serving the area, as a card: who, in which role, since when, cover.

    Built by card_data; the fields describe the shape and the schema.
    """

    id = serializers.IntegerField(help_text=gettext_lazy("The officer's id."))
    name = serializers.CharField()
    rank = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(help_text=gettext_lazy("The role, in words."))
    photo_url = PhotoUrlField()
    bio = serializers.CharField()
    badge_number = serializers.CharField()
    unit_id = serializers.IntegerField()
    starts_on = serializers.DateField(help_text=gettext_lazy("First day of this assignment."))
    covering_for = OfficerRefSerializer(
        allow_null=True, help_text=gettext_lazy("The absent officer this one stands in for.")
    )
    cover_reason = serializers.ChoiceField(choices=COVER_REASONS, allow_blank=True)
    is_absent = serializers.BooleanField(
        help_text=gettext_lazy("Absent now: the cards covering for them come first.")
    )

    def to_representation(self, instance: OfficerCard) -> dict[str, Any]:
        return card_data(instance, self.context.get("request"))


class OfficerFindApi(PublicApi):
    """`GET /api/v1/officers/find?lat=&lon=`: who serves the point, and where to go."""

    renderer_classes = (JSONRenderer,)

    @extend_schema_serializer(component_name="OfficerFind")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="UnitDistance")
        class UnitDistanceSerializer(serializers.Serializer):
            unit = UnitSerializer()
            distance_km = serializers.FloatField()

        @extend_schema_serializer(component_name="AreaContactPoint")
        class ContactSerializer(serializers.Serializer):
            phone = serializers.CharField()
            email = serializers.CharField()

        area = AreaSummarySerializer(
            help_text=gettext_lazy("The finest area holding the point (the service area).")
        )
        areas = AreaSummarySerializer(
            many=True, help_text=gettext_lazy("Every area holding the point, coarse to fine.")
        )
        officers = OfficerCardSerializer(
            many=True, help_text=gettext_lazy("Community or district officers, covers included.")
        )
        traffic_officers = OfficerCardSerializer(many=True)
        supervisors = OfficerCardSerializer(many=True)
        unit = UnitSerializer(allow_null=True)
        nearest_units = UnitDistanceSerializer(many=True)
        contact = ContactSerializer(
            help_text=gettext_lazy("The area's own phone and e-mail (else its parent's).")
        )

        def to_representation(self, instance: AreaOfficers) -> dict[str, Any]:
            # Built directly: this is the hottest answer Blisko gives (see the module docstring).
            request = self.context.get("request")
            return {
                "area": area_summary(instance.area),
                "areas": [area_summary(area) for area in instance.areas],
                "officers": [card_data(card, request) for card in instance.officers],
                "traffic_officers": [
                    card_data(card, request) for card in instance.traffic_officers
                ],
                "supervisors": [card_data(card, request) for card in instance.supervisors],
                "unit": None if instance.unit is None else unit_data(instance.unit),
                "nearest_units": [
                    {"unit": unit_data(near.unit), "distance_km": near.distance_km}
                    for near in instance.nearest_units
                ],
                "contact": {"phone": instance.phone, "email": instance.email},
            }

    @extend_schema(
        operation_id="officers_find",
        summary=gettext_lazy("Find the officer serving a point"),
        description=gettext_lazy(
            "The service area holding the point, its officers (with cover during absence), "
            "traffic officers, supervisors, the police unit and the nearest units. "
            "A point outside every territory answers 404."
        ),
        parameters=[LAT_PARAMETER, LON_PARAMETER, LANGUAGE_PARAMETER],
        responses={200: OutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        tags=["officers"],
    )
    def get(self, request: Request) -> Response:
        lon, lat = parse_lat_lon(request.query_params.get("lat"), request.query_params.get("lon"))
        found = officer_find(lon=lon, lat=lat)
        return Response(self.OutputSerializer(found, context={"request": request}).data)


@extend_schema_serializer(component_name="DirectoryArea")
class DirectoryAreaSerializer(serializers.Serializer):
    """An area as an offline app stores it: every name, so it can switch language offline."""

    id = serializers.IntegerField()
    country = serializers.ChoiceField(choices=Country.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    code = serializers.CharField()
    name_official = serializers.CharField()
    name_uk = serializers.CharField()
    name_pl = serializers.CharField()
    name_en = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    population = serializers.IntegerField(allow_null=True)
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="DirectoryOfficer")
class DirectoryOfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    name = serializers.CharField(source="full_name")
    rank = serializers.CharField()
    badge_number = serializers.CharField()
    photo_url = PhotoUrlField(source="*")
    bio = serializers.CharField()
    unit_id = serializers.IntegerField()
    is_active = serializers.BooleanField()


@extend_schema_serializer(component_name="DirectoryAssignment")
class DirectoryAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    officer_id = serializers.IntegerField()
    area_id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_primary = serializers.BooleanField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    covers_id = serializers.IntegerField(allow_null=True)
    cover_reason = serializers.ChoiceField(choices=COVER_REASONS, allow_blank=True)


@extend_schema_serializer(component_name="DirectoryDeleted")
class DirectoryDeletedSerializer(serializers.Serializer):
    area = serializers.ListField(child=serializers.IntegerField())
    officer = serializers.ListField(child=serializers.IntegerField())
    unit = serializers.ListField(child=serializers.IntegerField())
    assignment = serializers.ListField(child=serializers.IntegerField())


class DirectoryApi(PublicApi):
    """`GET /api/v1/directory?since=`: what changed in the directory since a version."""

    @extend_schema_serializer(component_name="DirectoryInput")
    class InputSerializer(serializers.Serializer):
        since = serializers.IntegerField(
            required=False,
            default=0,
            min_value=0,
            max_value=MAX_ID,
            help_text=gettext_lazy(
                "The version the app already has (the `version` of its last download); "
                "0 or missing downloads everything."
            ),
        )

    @extend_schema_serializer(component_name="Directory")
    class OutputSerializer(serializers.Serializer):
        version = serializers.IntegerField(
            help_text=gettext_lazy("Pass it as `since` next time to get only what changed.")
        )
        since = serializers.IntegerField()
        areas = DirectoryAreaSerializer(many=True)
        officers = DirectoryOfficerSerializer(many=True)
        units = UnitSerializer(many=True)
        assignments = DirectoryAssignmentSerializer(many=True)
        deleted = DirectoryDeletedSerializer(
            help_text=gettext_lazy("Ids removed since that version, per kind of record.")
        )

    @extend_schema(
        operation_id="directory",
        summary=gettext_lazy("Directory changes for offline apps"),
        description=gettext_lazy(
            "The areas, officers, police units and assignments changed after version `since`, "
            "the ids deleted since then, and the new version. Not paginated."
        ),
        parameters=[InputSerializer, LANGUAGE_PARAMETER],
        responses={200: OutputSerializer, 400: BAD_REQUEST},
        tags=["directory"],
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since = query.validated_data["since"]
        delta = directory_since(since=since)
        deleted: dict[str, list[int]] = {kind: [] for kind in DELETED_KINDS}
        deleted.update(delta.deleted)
        data = {
            "version": delta.version,
            "since": since,
            "areas": delta.areas,
            "officers": delta.officers,
            "units": delta.units,
            "assignments": delta.assignments,
            "deleted": deleted,
        }
        return Response(self.OutputSerializer(data, context={"request": request}).data)
