"""A plan's place as geometry: H3 cells (resolution 9, the diagnosis' default) as a
multipolygon, a drawn polygon checked, and the k=1 ring of cells around any place."""

from __future__ import annotations

import json
from typing import Any

import h3
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID

RESOLUTION = 9
MAX_CELLS = 500  # chosen cells of one place
MAX_VERTICES = 2000  # of a drawn polygon


def _refusal(message: str) -> ApplicationError:
    return ApplicationError(message, {"field": "place"})


def cells_check(cells: Any) -> list[str]:
    """The chosen cells as sorted H3 strings of RESOLUTION; refuses anything else."""
    if not isinstance(cells, list) or not cells:
        raise _refusal(_("Choose at least one cell of the map."))
    if len(cells) > MAX_CELLS:
        raise _refusal(_("A place has at most %(max)d cells.") % {"max": MAX_CELLS})
    out = set()
    for cell in cells:
        if not isinstance(cell, str) or not h3.is_valid_cell(cell):
            raise _refusal(_("“%(cell)s” is not an H3 cell.") % {"cell": str(cell)[:20]})
        if h3.get_resolution(cell) != RESOLUTION:
            raise _refusal(
                _("The cells must be of resolution %(resolution)d.") % {"resolution": RESOLUTION}
            )
        out.add(cell)
    return sorted(out)


def cells_shape(cells: list[str] | set[str]) -> GEOSGeometry | None:
    """The union of the cells as a multipolygon (lon/lat), None for no cells."""
    if not cells:
        return None
    shape = h3.cells_to_geo(list(cells))
    geometry = GEOSGeometry(json.dumps(shape), srid=GEO_SRID)
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon(geometry, srid=GEO_SRID)
    return geometry


def polygon_check(text: Any, *, within: GEOSGeometry) -> GEOSGeometry:
    """A drawn polygon (GeoJSON Polygon or MultiPolygon text) that is valid and lies inside
    `within` (the area's boundary); refuses anything else."""
    if isinstance(text, dict):
        text = json.dumps(text)
    if not isinstance(text, str) or not text.strip():
        raise _refusal(_("Draw the place on the map."))
    if len(text) > 200_000:
        raise _refusal(_("The drawn place is too large a text."))
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError
        geometry = GEOSGeometry(json.dumps(data), srid=GEO_SRID)
    except (ValueError, TypeError, GEOSException):
        raise _refusal(_("The place must be a GeoJSON polygon.")) from None
    if geometry.num_coords > MAX_VERTICES:
        raise _refusal(_("The place has more than %(max)d points.") % {"max": MAX_VERTICES})
    if geometry.empty or not geometry.valid:
        raise _refusal(
            _("The drawn place is not a valid polygon (its edges cross or it has no area).")
        )
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon(geometry, srid=GEO_SRID)
    # A hair of tolerance for a vertex drawn on the boundary itself.
    if not within.buffer(1e-6).contains(geometry):
        raise _refusal(_("The place must lie inside the area."))
    return geometry


def cells_inside(cells: list[str], *, within: GEOSGeometry) -> None:
    """Refuses cells whose centre lies outside `within` (the area's boundary)."""
    prepared = within.prepared
    for cell in cells:
        lat, lng = h3.cell_to_latlng(cell)
        if not prepared.covers(GEOSGeometry(f"POINT({lng} {lat})", srid=GEO_SRID)):
            raise _refusal(_("The cell %(cell)s is outside the area.") % {"cell": cell})


def cells_of_shape(geometry: GEOSGeometry) -> set[str]:
    """The cells whose centres lie in the geometry; at least the cell of its centre."""
    shape = h3.geo_to_h3shape(json.loads(geometry.json))
    cells = set(h3.h3shape_to_cells(shape, RESOLUTION))
    if not cells:
        point = geometry.point_on_surface
        cells = {h3.latlng_to_cell(point.y, point.x, RESOLUTION)}
    return cells


def ring_of(cells: set[str]) -> set[str]:
    """The k=1 ring around the cells: every neighbour of one of them that is not one of them."""
    ring: set[str] = set()
    for cell in cells:
        ring.update(h3.grid_disk(cell, 1))
    return ring - cells
