"""Geometry helpers shared by every app: one SRID, one way to read a point from a request."""

import math
from typing import Any

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError

GEO_SRID = 4326


def parse_coordinate(value: Any, *, name: str, low: float, high: float) -> float:
    """Read one coordinate; raises ApplicationError naming the field when it is unusable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(_("“%(name)s” is required.") % {"name": name}, {"field": name})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApplicationError(_("“%(name)s” must be a number.") % {"name": name}, {"field": name})
    if not math.isfinite(number):
        raise ApplicationError(
            _("“%(name)s” must be a finite number.") % {"name": name}, {"field": name}
        )
    if not low <= number <= high:
        raise ApplicationError(
            _("“%(name)s” must be between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high},
            {"field": name},
        )
    return number


def parse_lat_lon(lat: Any, lon: Any) -> tuple[float, float]:
    """Return (lon, lat) as floats from raw request values, validated for WGS 84."""
    latitude = parse_coordinate(lat, name="lat", low=-90.0, high=90.0)
    longitude = parse_coordinate(lon, name="lon", low=-180.0, high=180.0)
    return longitude, latitude


def make_point(lon: float, lat: float) -> Point:
    return Point(lon, lat, srid=GEO_SRID)
