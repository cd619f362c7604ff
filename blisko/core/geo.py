"""Geometry helpers shared by every app: one SRID, one way to read a point from a request."""

import math
import re
from typing import Any

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError

GEO_SRID = 4326
MAX_ZOOM = 20
# A viewport may be at most this many 256-pixel tiles wide or high at its zoom (4096 px).
MAX_VIEWPORT_TILES = 16
# Zooms at which any viewport is allowed (the whole world fits in 16 tiles).
ANY_BBOX_ZOOM = 4

Bbox = tuple[float, float, float, float]
# A box as the API takes it: four decimal numbers as JavaScript writes them, spaces around
# them allowed (the API's schema states it as the `pattern` of `bbox`); no "nan" or "inf".
_NUMBER = r"\s*-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*"
BBOX_PATTERN = rf"^{_NUMBER}(,{_NUMBER}){{3}}$"


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


def _bbox_error(message: str, name: str = "bbox") -> ApplicationError:
    return ApplicationError(message, {"field": name})


def _four_numbers(name: str) -> str:
    # The map's own `bbox` keeps the message (and the translations) it has always had.
    if name == "bbox":
        return _("“bbox” must be four numbers: west, south, east, north.")
    return _("“%(name)s” must be four numbers: west, south, east, north.") % {"name": name}


def _edges_in_order(name: str) -> str:
    if name == "bbox":
        return _(
            "In “bbox” the west edge must be less than the east one, and the south "
            "less than the north."
        )
    return _(
        "In “%(name)s” the west edge must be less than the east one, and the south "
        "less than the north."
    ) % {"name": name}


def bbox_parse(*, value: str | None, name: str = "bbox") -> Bbox:
    """(west, south, east, north) from "minlon,minlat,maxlon,maxlat"; ApplicationError
    (translated, extra {"field": name}) when it is not four finite numbers in range with
    west < east and south < north. `name` is the parameter's name, for the messages."""
    if value is None or not str(value).strip():
        raise _bbox_error(_("“%(name)s” is required.") % {"name": name}, name)
    parts = str(value).split(",")
    if len(parts) != 4 or not re.fullmatch(BBOX_PATTERN, str(value)):
        raise _bbox_error(_four_numbers(name), name)
    numbers = []
    for part, (low, high) in zip(parts, ((-180, 180), (-90, 90)) * 2, strict=True):
        try:
            numbers.append(parse_coordinate(part, name=name, low=low, high=high))
        except ApplicationError as error:
            raise _bbox_error(error.message, name) from error
    west, south, east, north = numbers
    if not (west < east and south < north):
        raise _bbox_error(_edges_in_order(name), name)
    return west, south, east, north


def viewport_check(*, bbox: Bbox, zoom: int) -> None:
    """ApplicationError (translated, extra {"field": "zoom"} or {"field": "bbox"}) unless
    `zoom` is 0-MAX_ZOOM and `bbox` a proper box at most MAX_VIEWPORT_TILES tiles wide and
    high at that zoom (any box below ANY_BBOX_ZOOM): what a map may ask for one view."""
    if isinstance(zoom, bool) or not isinstance(zoom, int) or not 0 <= zoom <= MAX_ZOOM:
        raise ApplicationError(
            _("“%(name)s” must be between %(low)s and %(high)s.")
            % {"name": "zoom", "low": 0, "high": MAX_ZOOM},
            {"field": "zoom"},
        )
    west, south, east, north = bbox
    if not all(math.isfinite(v) for v in bbox) or not (
        -180 <= west < east <= 180 and -90 <= south < north <= 90
    ):
        raise _bbox_error(_edges_in_order("bbox"))
    if zoom >= ANY_BBOX_ZOOM:
        span = MAX_VIEWPORT_TILES * 360.0 / (1 << zoom)
        if east - west > span or north - south > span:
            raise _bbox_error(
                _("“bbox” is too large for zoom %(zoom)s: zoom in, or ask with a lower zoom.")
                % {"zoom": zoom}
            )
