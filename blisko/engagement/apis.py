"""The engagement API.

- `GET /api/v1/areas/{id}/events` (public): the area's meetings to come (planned, not yet
  ended; see `area_scope` for the areas they may be in), in the shape police.uk gives a
  neighbourhood's events (`title`, `type`, `description`, `address`, `contact_details`,
  `start_date` as `YYYY-MM-DDTHH:MM:SS` in the area's local time), so the police.uk-compatible
  API can serve it as it is; Blisko adds `end_date`, `status`, `url` and the iCalendar `uid`.
  Cancelled meetings are left out (the calendar feed keeps them, as STATUS:CANCELLED).
  404 for an unknown area.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from blisko.core.apis.schema import LANGUAGE_PARAMETER, NOT_FOUND
from blisko.core.apis.views import PublicApi
from blisko.engagement.models import MeetingStatus
from blisko.engagement.selectors.meetings import MeetingCard, area_meetings
from blisko.territories.selectors.areas import area_get

EVENTS_MAX = 50


def _local(card: MeetingCard, which: str) -> str:
    return f"{getattr(card, which).astimezone(card.zone):%Y-%m-%dT%H:%M:%S}"


def event_item(card: MeetingCard) -> dict[str, Any]:
    """One meeting as police.uk writes a neighbourhood event (plus Blisko's fields)."""
    path = reverse("public:meeting", kwargs={"uid": card.uid})
    return {
        "title": card.title,
        "type": card.kind,
        "description": card.kind_label,
        "address": card.address,
        "contact_details": {},
        "start_date": _local(card, "starts_at"),
        "end_date": _local(card, "ends_at"),
        "status": card.status,
        "url": f"{settings.BLISKO_SITE_URL}{path}",
        "uid": str(card.uid),
    }


class AreaEventsApi(PublicApi):
    """`GET /api/v1/areas/{id}/events`."""

    @extend_schema_serializer(component_name="Event")
    class OutputSerializer(serializers.Serializer):
        title = serializers.CharField()
        type = serializers.CharField(
            help_text=gettext_lazy("debate, residents, office_hours, patrol_walk or school_visit.")
        )
        description = serializers.CharField(help_text=gettext_lazy("The kind of meeting."))
        address = serializers.CharField(help_text=gettext_lazy("The place, or empty if online."))
        contact_details = serializers.DictField(
            help_text=gettext_lazy("Always empty: the area's contacts are in /officers/find.")
        )
        start_date = serializers.CharField(
            help_text=gettext_lazy("Local time of the area: YYYY-MM-DDTHH:MM:SS.")
        )
        end_date = serializers.CharField(
            help_text=gettext_lazy("Local time of the area: YYYY-MM-DDTHH:MM:SS.")
        )
        status = serializers.CharField(
            help_text=gettext_lazy("planned (cancelled ones are left out).")
        )
        url = serializers.URLField(help_text=gettext_lazy("The meeting's public page."))
        uid = serializers.UUIDField(help_text=gettext_lazy("The meeting's iCalendar UID."))

    @extend_schema(
        operation_id="areas_events",
        summary=gettext_lazy("An area's meetings with residents to come"),
        description=gettext_lazy(
            "The planned meetings of the area (and its service areas), soonest first, in the "
            "shape police.uk gives a neighbourhood's events. The calendar feed is at "
            "/calendar/{code}.ics. 404 for an unknown area."
        ),
        parameters=[LANGUAGE_PARAMETER],
        responses={200: OutputSerializer(many=True), 404: NOT_FOUND},
        tags=["areas"],
    )
    def get(self, request: Request, area_id: int) -> Response:
        area = area_get(area_id=area_id)
        cards = area_meetings(area=area, upcoming=EVENTS_MAX, past=0)["upcoming"]
        return Response(
            [event_item(card) for card in cards if card.status == MeetingStatus.PLANNED]
        )
