"""Template filters of the meeting pages: times on the clock of the meeting's area (its
country's time zone), whatever zone the request shows."""

import datetime as dt

from django import template
from django.templatetags.tz import do_timezone

register = template.Library()


@register.filter
def zone_time(moment: dt.datetime | None, zone: dt.tzinfo | None) -> dt.datetime | None:
    """`moment` on the clock of `zone`."""
    if moment is None or zone is None:
        return moment
    return do_timezone(moment, zone)
