"""The plans' API.

- `GET /api/v1/areas/{id}/priorities` (public): the area's priorities, its plans in force, in
  the shape police.uk gives a neighbourhood's priorities (`issue`, `issue-date`, `action`,
  `action-date`; the texts as HTML paragraphs, the dates as `YYYY-MM-DDTHH:MM:SS`), so the
  police.uk-compatible API can serve it as it is. 404 for an unknown area.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from blisko.core.apis.schema import LANGUAGE_PARAMETER, NOT_FOUND
from blisko.core.apis.views import PublicApi
from blisko.plans.selectors.plans import area_priorities
from blisko.territories.selectors.areas import area_get


def _stamp(day: dt.date | None) -> str | None:
    return f"{day:%Y-%m-%d}T00:00:00" if day else None


def priority_item(priority: dict[str, Any]) -> dict[str, Any]:
    """One priority as police.uk writes it."""
    threat = priority["threat"].name
    issue = f"<p>{escape(priority['title'])}</p><p>{escape(threat)}</p>"
    actions = "".join(
        f"<p>{escape(action.get_kind_display())}: {escape(action.description)}</p>"
        for action in priority["actions"]
    )
    until = "<p>" + escape(_("Until %(day)s.") % {"day": priority["ends_on"].isoformat()}) + "</p>"
    return {
        "issue": issue,
        "issue-date": _stamp(priority["issue_date"]),
        "action": actions + until,
        "action-date": _stamp(priority["action_date"]),
    }


class AreaPrioritiesApi(PublicApi):
    """`GET /api/v1/areas/{id}/priorities`."""

    @extend_schema_serializer(component_name="Priority")
    class OutputSerializer(serializers.Serializer):
        issue = serializers.CharField(
            help_text=gettext_lazy("The priority and its threat, as HTML paragraphs.")
        )
        action = serializers.CharField(
            help_text=gettext_lazy("The actions planned and done, and the end date, as HTML.")
        )

        def get_fields(self) -> dict[str, Any]:
            fields = super().get_fields()
            fields["issue-date"] = serializers.CharField(
                help_text=gettext_lazy("When the priority was set (approved): YYYY-MM-DDTHH:MM:SS.")
            )
            fields["action-date"] = serializers.CharField(
                allow_null=True,
                help_text=gettext_lazy("The day of the latest action done, or null."),
            )
            return fields

    @extend_schema(
        operation_id="areas_priorities",
        summary=gettext_lazy("An area's priorities"),
        description=gettext_lazy(
            "The plans in force for the area (active, or approved and about to start), in the "
            "shape police.uk gives a neighbourhood's priorities. Never a person or a place finer "
            "than the area. 404 for an unknown area."
        ),
        parameters=[LANGUAGE_PARAMETER],
        responses={200: OutputSerializer(many=True), 404: NOT_FOUND},
        tags=["areas"],
    )
    def get(self, request: Request, area_id: int) -> Response:
        area = area_get(area_id=area_id)
        return Response([priority_item(p) for p in area_priorities(area=area)])
