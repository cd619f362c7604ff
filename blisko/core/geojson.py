"""Reading a GeoJSON FeatureCollection from a file, for every importer: one set of checks,
one set of (translated) messages."""

import json
from typing import Any

from django.utils.translation import gettext as _

# The names a GeoJSON `crs` member may give to longitude/latitude on WGS 84.
WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "CRS84",
}


class GeoJsonError(ValueError):
    """The text is not a usable FeatureCollection; str() is the translated reason."""


def feature_collection_parse(text: str, *, require_features: bool = True) -> dict[str, Any]:
    """The FeatureCollection in `text`, with at least one feature (unless `require_features`
    is false: then call `feature_collection_features` after any check of your own);
    GeoJsonError otherwise (invalid JSON with its line and column, another kind of JSON, no
    features)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeoJsonError(
            _(
                "The file is not valid JSON (truncated or damaged?) at line %(line)s, column %(col)s."
            )
            % {"line": exc.lineno, "col": exc.colno}
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoJsonError(_("The file is JSON but not a GeoJSON FeatureCollection."))
    if require_features:
        feature_collection_features(data)
    return data


def feature_collection_features(data: dict[str, Any]) -> list[Any]:
    """The collection's features; GeoJsonError when there are none."""
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise GeoJsonError(_("The FeatureCollection has no features."))
    return features


def crs_name(data: dict[str, Any]) -> str | None:
    """The name the collection's `crs` member gives, stripped; None when it has none."""
    crs = data.get("crs")
    if not crs:
        return None
    properties = (crs.get("properties") or {}) if isinstance(crs, dict) else {}
    return str(properties.get("name") or "").strip()
