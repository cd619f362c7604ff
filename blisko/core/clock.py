"""Local days: each country's own calendar day, for limits that reset at local midnight."""

import datetime as dt
import zoneinfo
from functools import cache

from django.conf import settings
from django.utils import timezone


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def country_zone(country: str) -> dt.tzinfo:
    """The time zone of `country` (an ISO 3166 code) from BLISKO_COUNTRY_TIME_ZONES, else the
    site's TIME_ZONE."""
    name = settings.BLISKO_COUNTRY_TIME_ZONES.get(country)
    return _zone(name) if name else timezone.get_default_timezone()


def site_today() -> dt.date:
    """Today in the site's TIME_ZONE, whatever zone the request activated.

    The per-process caches (the area index, the officers' directory) hold one day for every
    request; keyed on the request's local day they would flip between Kyiv and Warsaw
    requests in the hour the two calendars differ, and be rebuilt on every check.
    """
    return timezone.localdate(timezone=timezone.get_default_timezone())


def local_midnight(now: dt.datetime, *, country: str) -> dt.datetime:
    """The start of the calendar day that `now` (aware) falls on in `country`."""
    zone = country_zone(country)
    day = now.astimezone(zone).date()
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def local_time(moment: dt.datetime, *, country: str) -> dt.datetime:
    """`moment` (aware) as the clock on the wall shows it in `country`."""
    return moment.astimezone(country_zone(country))
