"""The diagnosis API (police only: a signed-in session, the same areas as the pages).

- `GET /api/v1/areas/{id}/diagnosis?from=YYYY-MM&to=YYYY-MM`: the threat table, the biggest
  threat and the sources, as JSON;
- `GET /api/v1/areas/{id}/hotspots?from=&to=&resolution=&permutations=&threat=`: the Gi* cells
  as a GeoJSON FeatureCollection of H3 hexagons.

An area out of the user's reach answers 404, as a missing one; without a session, 403.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blisko.core.apis.schema import BAD_REQUEST, LANGUAGE_PARAMETER, ErrorSerializer
from blisko.diagnosis.hotspots import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_RESOLUTION,
    MAX_PERMUTATIONS,
    MAX_RESOLUTION,
    MIN_RESOLUTION,
)
from blisko.diagnosis.models import StatisticCategory
from blisko.diagnosis.periods import period_parse
from blisko.diagnosis.ranking import MIN_EVENTS, Interval, RateRatio, trend_kind
from blisko.diagnosis.selectors.access import diagnosis_area_get, threat_get
from blisko.diagnosis.selectors.diagnosis import Diagnosis, diagnosis_for_area
from blisko.diagnosis.selectors.hotspots import area_hotspots, hotspots_geojson
from blisko.territories.models import Area


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def _interval(value: Interval | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"value": _finite(value.value), "low": _finite(value.low), "high": _finite(value.high)}


def _ratio(value: RateRatio | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "ratio": _finite(value.ratio),
        "low": _finite(value.low),
        "high": _finite(value.high),
        "p_value": _finite(value.p_value),
    }


def _area(area: Area | None) -> dict[str, Any] | None:
    if area is None:
        return None
    return {
        "id": area.pk,
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "population": area.population,
    }


def diagnosis_json(d: Diagnosis) -> dict[str, Any]:
    return {
        "area": _area(d.area),
        "region": _area(d.region),
        "period": {"from": f"{d.period.start:%Y-%m}", "to": f"{d.period.last:%Y-%m}"},
        "previous": {"from": f"{d.previous.start:%Y-%m}", "to": f"{d.previous.last:%Y-%m}"},
        "police_source": d.police_kind,
        "min_events": MIN_EVENTS,
        "biggest": d.biggest.code if d.biggest else None,
        "tied": [row.code for row in d.tied],
        "by_count": d.ranking.by_count,
        "threats": [
            {
                "rank": row.rank,
                "code": row.code,
                "name": row.category.name,
                "count": row.figures.count,
                "police": row.police,
                "reports": row.reports,
                "too_few": row.figures.too_few,
                "rate": _interval(row.figures.rate),
                "region_count": row.figures.region_count,
                "region_rate": _interval(row.figures.region_rate),
                "vs_region": _ratio(row.figures.vs_region),
                "previous_count": row.figures.previous_count,
                "trend": _ratio(row.figures.trend),
                "trend_kind": trend_kind(row.figures.trend),
                "monthly": [
                    {"month": f"{month:%Y-%m}", "count": count}
                    for month, count in zip(d.months, row.monthly, strict=True)
                ],
            }
            for row in d.rows
        ],
        "sources": [
            {
                "source": s["source"],
                "events": s["events"],
                "first": f"{s['first']:%Y-%m}" if s["first"] else None,
                "last": f"{s['last']:%Y-%m}" if s["last"] else None,
            }
            for s in d.sources
        ],
    }


class PeriodSerializer(serializers.Serializer):
    from_ = serializers.CharField(
        required=False,
        max_length=7,
        help_text=gettext_lazy("First month, YYYY-MM (default: 12 months before `to`)."),
    )
    to = serializers.CharField(
        required=False,
        max_length=7,
        help_text=gettext_lazy("Last month, YYYY-MM, one that has ended (default: last month)."),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {("from" if name == "from_" else name): field for name, field in fields.items()}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["period"] = period_parse(attrs.get("from"), attrs.get("to"))
        return attrs


# --- the schema of the answers (documentation: the views write the same keys) -------------


class _IntervalSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True, help_text="null: unbounded")


class _RatioSerializer(serializers.Serializer):
    ratio = serializers.FloatField(
        allow_null=True, help_text="null: infinite (no events to compare with)"
    )
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True, help_text="null: unbounded")
    p_value = serializers.FloatField(allow_null=True)


class _AreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)


class _MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    count = serializers.IntegerField()


class _ThreatSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text=gettext_lazy("Police data plus residents' reports."))
    police = serializers.IntegerField()
    reports = serializers.IntegerField()
    too_few = serializers.BooleanField(help_text=gettext_lazy("Fewer than min_events events."))
    rate = _IntervalSerializer(
        allow_null=True, help_text=gettext_lazy("Per 1,000 residents; null without population.")
    )
    region_count = serializers.IntegerField()
    region_rate = _IntervalSerializer(allow_null=True)
    vs_region = _RatioSerializer(
        allow_null=True, help_text=gettext_lazy("Rate ratio to the rest of the region.")
    )
    previous_count = serializers.IntegerField()
    trend = _RatioSerializer(
        allow_null=True, help_text=gettext_lazy("Rate ratio to the previous period.")
    )
    trend_kind = serializers.ChoiceField(choices=["rising", "falling", "steady"])
    monthly = _MonthSerializer(many=True)


class _PeriodOutSerializer(serializers.Serializer):
    from_ = serializers.CharField(help_text="YYYY-MM")
    to = serializers.CharField(help_text="YYYY-MM")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {("from" if name == "from_" else name): field for name, field in fields.items()}


class _SourceSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["statistics", "incidents", "reports"])  # type: ignore[assignment]  # the key is "source"
    events = serializers.IntegerField()
    first = serializers.CharField(allow_null=True)
    last = serializers.CharField(allow_null=True)


@extend_schema_serializer(component_name="AreaDiagnosis")
class DiagnosisOutputSerializer(serializers.Serializer):
    area = _AreaSerializer()
    region = _AreaSerializer(allow_null=True)
    period = _PeriodOutSerializer()
    previous = _PeriodOutSerializer()
    police_source = serializers.ChoiceField(choices=["statistics", "incidents"], allow_null=True)
    min_events = serializers.IntegerField()
    biggest = serializers.CharField(allow_null=True)
    tied = serializers.ListField(child=serializers.CharField())
    by_count = serializers.BooleanField()
    threats = _ThreatSerializer(many=True)
    sources = _SourceSerializer(many=True)


class _CellPropertiesSerializer(serializers.Serializer):
    h3 = serializers.CharField()
    count = serializers.IntegerField()
    gi_z = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    p_sim = serializers.FloatField(allow_null=True)
    q_value = serializers.FloatField(allow_null=True)
    class_ = serializers.ChoiceField(choices=["hot", "cold", "none"])

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {("class" if name == "class_" else name): field for name, field in fields.items()}


class _PolygonSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Polygon"])
    coordinates = serializers.ListField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    )


class _CellSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = _PolygonSerializer()
    properties = _CellPropertiesSerializer()


@extend_schema_serializer(component_name="AreaHotspots")
class HotspotsOutputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = _CellSerializer(many=True)
    resolution = serializers.IntegerField()
    permutations = serializers.IntegerField()
    events = serializers.IntegerField()
    period = _PeriodOutSerializer()


_REFUSALS = {
    400: BAD_REQUEST,
    403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Not signed in.")),
    404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("No such area among yours.")),
}


class PoliceApi(APIView):
    """A police read: a signed-in session; GET only."""

    authentication_classes = (SessionAuthentication,)
    permission_classes = (IsAuthenticated,)


_PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.STR,
        description=gettext_lazy("First month, YYYY-MM (default: 12 months before `to`)."),
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.STR,
        description=gettext_lazy("Last month, YYYY-MM, one that has ended (default: last month)."),
    ),
    LANGUAGE_PARAMETER,
]


class AreaDiagnosisApi(PoliceApi):
    """`GET /api/v1/areas/{id}/diagnosis`: each threat's count, rate, ratio to the region and
    trend, ranked; the biggest threat and how it was chosen (see the README)."""

    @extend_schema(
        operation_id="areas_diagnosis",
        parameters=_PERIOD_PARAMETERS,
        responses={200: DiagnosisOutputSerializer, **_REFUSALS},
        tags=["diagnosis"],
    )
    def get(self, request: Request, area_id: int) -> Response:
        area = diagnosis_area_get(user=request.user, area_id=area_id)
        query = PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            diagnosis_json(diagnosis_for_area(area=area, period=query.validated_data["period"]))
        )


class HotspotsSerializer(PeriodSerializer):
    resolution = serializers.IntegerField(
        required=False,
        default=DEFAULT_RESOLUTION,
        min_value=MIN_RESOLUTION,
        max_value=MAX_RESOLUTION,
        help_text=gettext_lazy("H3 resolution of the cells, 5-12 (default 9)."),
    )
    permutations = serializers.IntegerField(
        required=False,
        default=DEFAULT_PERMUTATIONS,
        min_value=0,
        max_value=MAX_PERMUTATIONS,
        help_text=gettext_lazy("Permutations for p_sim, 0-99,999 (default 999; 0 skips p_sim)."),
    )
    threat = serializers.CharField(
        required=False,
        max_length=64,
        help_text=gettext_lazy("Only the events of this threat (a statistic category code)."),
    )

    def validate_threat(self, value: str) -> StatisticCategory:
        found = threat_get(code=value)
        if found is None:
            raise serializers.ValidationError(
                serializers.ChoiceField.default_error_messages["invalid_choice"].format(
                    input=value[:64]
                )
            )
        return found


class AreaHotspotsApi(PoliceApi):
    """`GET /api/v1/areas/{id}/hotspots`: Gi* hotspots of the area's exact event points (police
    incidents and the residents' reports that count) as H3 hexagons with `h3`, `count`, `gi_z`,
    `p_value`, `p_sim`, `q_value` and `class` (hot / cold / none). The study area's empty ring
    cells of no class are left out."""

    @extend_schema(
        operation_id="areas_hotspots",
        parameters=[
            *_PERIOD_PARAMETERS,
            OpenApiParameter("resolution", OpenApiTypes.INT, description="5-12, default 9"),
            OpenApiParameter("permutations", OpenApiTypes.INT, description="0-99999, default 999"),
            OpenApiParameter("threat", OpenApiTypes.STR, description="a statistic category code"),
        ],
        responses={200: HotspotsOutputSerializer, **_REFUSALS},
        tags=["diagnosis"],
    )
    def get(self, request: Request, area_id: int) -> Response:
        area = diagnosis_area_get(user=request.user, area_id=area_id)
        query = HotspotsSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = area_hotspots(
            area=area,
            period=data["period"],
            resolution=data["resolution"],
            permutations=data["permutations"],
            threat=data.get("threat"),
        )
        body = hotspots_geojson(result)
        body["resolution"] = data["resolution"]
        body["permutations"] = data["permutations"]
        body["events"] = result.events if result is not None else 0
        body["period"] = {
            "from": f"{data['period'].start:%Y-%m}",
            "to": f"{data['period'].last:%Y-%m}",
        }
        return Response(body)
