"""Small rules every part of the threat map shares: deadlines, public precision, client keys."""

import datetime as dt
import hashlib
import hmac
import math

from django.conf import settings
from django.contrib.gis.geos import Point
from django.http import HttpRequest

from blisko.core.geo import GEO_SRID
from blisko.reports.models import Precision


def deadlines_for(created_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(take up due, verification due) for a report submitted at `created_at`."""
    return (
        created_at + dt.timedelta(days=settings.BLISKO_REPORT_TAKE_UP_DAYS),
        created_at + dt.timedelta(days=settings.BLISKO_REPORT_VERIFY_DAYS),
    )


def public_location_for(location: Point, precision: str) -> Point | None:
    """Where the public may see a report: exact, snapped to a coarse grid, or nowhere.

    The reduced point is the centre of the grid cell, so it tells the neighbourhood but never
    the house; it depends only on the cell, so averaging many reports reveals nothing more.
    """
    if precision == Precision.HIDDEN:
        return None
    if precision == Precision.EXACT:
        return Point(location.x, location.y, srid=GEO_SRID)
    step = settings.BLISKO_REPORT_REDUCED_GRID_DEG
    x = (math.floor(location.x / step) + 0.5) * step
    y = (math.floor(location.y / step) + 0.5) * step
    return Point(round(x, 6), round(y, 6), srid=GEO_SRID)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (put a trusted proxy's header in REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


def client_hash(ip: str | None) -> str:
    """A keyed hash of the client address: the same client gives the same key, the key gives
    back no address. Used for the daily limit and one "seen too" per client."""
    raw = (ip or "unknown").encode()
    return hmac.new(settings.SECRET_KEY.encode(), raw, hashlib.sha256).hexdigest()
