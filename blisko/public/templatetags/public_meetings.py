"""The public calendar of an area as a panel (templates/public/_meetings.html): its next and
its last meetings, each linking to its page, and the links to subscribe to its iCalendar feed.
A tag, so that every page showing an area (the area's page, the find-officer result) includes
the same panel with one line."""

from typing import Any

from django import template
from django.urls import reverse

from blisko.engagement.selectors.meetings import area_meetings
from blisko.territories.models import Level

register = template.Library()

# The levels whose page always shows the panel, with an empty state when there is no meeting;
# above them it shows only when the area has meetings of its own.
_ALWAYS = (Level.COMMUNITY, Level.SERVICE_AREA)


@register.inclusion_tag("public/_meetings.html", takes_context=True)
def area_meetings_panel(context: Any, area: Any) -> dict[str, Any]:
    """The panel of `area`'s meetings: the next 5 and the last 5."""
    if area is None:
        return {"show": False}
    found = area_meetings(area=area, upcoming=5, past=5)
    calendar_path = reverse("calendar:area", kwargs={"code": area.code})
    request = context.get("request")
    host = request.get_host() if request is not None else ""
    return {
        "show": area.level in _ALWAYS or bool(found["upcoming"] or found["past"]),
        "area": area,
        "upcoming": found["upcoming"],
        "past": found["past"],
        "zone": found["zone"],
        "zone_name": str(found["zone"]),
        "calendar_path": calendar_path,
        "webcal_url": f"webcal://{host}{calendar_path}" if host else "",
    }
