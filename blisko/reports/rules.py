"""Small rules every part of the threat map shares: deadlines, public precision, client keys."""

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import math

from django.conf import settings
from django.contrib.gis.geos import Point
from django.http import HttpRequest
from django.utils import translation

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


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks())


@functools.cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _trusted_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return _networks(tuple(settings.BLISKO_TRUSTED_PROXIES))


def asked_language(request: HttpRequest) -> str:
    """The language the client asked for, by its Accept-Language header or the language
    cookie (as the active language shows it), or "" when it named none: a server-to-server
    client then gets no language it did not ask for, and e-mails follow the report's country.
    """
    if request.headers.get("Accept-Language") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return translation.get_language() or ""
    return ""


def client_ip(request: HttpRequest) -> str | None:
    """The resident's address: REMOTE_ADDR, or, when that is a trusted proxy (a load balancer
    listed in BLISKO_TRUSTED_PROXIES), the nearest address in X-Forwarded-For that is not one.

    Addresses a client wrote into the header itself are never believed: the list is read from
    the right, and only hops added by trusted proxies are skipped.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote
        if not _trusted(hop):
            return hop
    return remote


def client_hash(ip: str | None) -> str:
    """A keyed hash of the client address: the same client gives the same key, the key gives
    back no address. Used for the daily limit and one "seen too" per client."""
    raw = (ip or "unknown").encode()
    return hmac.new(settings.SECRET_KEY.encode(), raw, hashlib.sha256).hexdigest()
