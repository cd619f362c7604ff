"""Places (settlements of the KATOTTH codifier and the like): search by name, one place, where it is."""

import re
import unicodedata
from typing import Any

import shapely
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from shapely.ops import polylabel

from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.text import search_key
from blisko.territories.index import current_index
from blisko.territories.models import Place
from blisko.territories.selectors.areas import area_boundary

SEARCH_MAX_LENGTH = 200


SEARCH_MAX_LIMIT = 100


# Letters and digits of any script, spaces, and the punctuation place names use.
_SEARCH_ALLOWED = re.compile(r"(?:[^\W_]|[\s\-'’ʼ.,()])+")


# Where a word starts inside a search key.
_WORD_SEPARATORS = (" ", "-", "(", "'", ".", ",")


def _validate_query(query: str) -> str:
    """The search key of a user's query; ApplicationError when it cannot be one."""
    if not isinstance(query, str) or not query.strip():
        raise ApplicationError(_("Type the name of a place to search for."), {"field": "q"})
    if len(query) > SEARCH_MAX_LENGTH:
        raise ApplicationError(
            _("The search text is longer than %(max)s characters.") % {"max": SEARCH_MAX_LENGTH},
            {"field": "q"},
        )
    # Composed form, so that a letter typed as base + accent counts as a letter.
    query = unicodedata.normalize("NFC", query)
    if not _SEARCH_ALLOWED.fullmatch(query):
        raise ApplicationError(
            _(
                "A place name may hold only letters, digits, spaces and the characters "
                "- ' ’ . , ( )"
            ),
            {"field": "q"},
        )
    key = search_key(query)
    if not any(ch.isalnum() for ch in key):
        raise ApplicationError(_("Type the name of a place to search for."), {"field": "q"})
    return key


def place_search(*, query: str, limit: int = 10) -> list[Place]:
    """Places whose name (in its script or in Latin letters) matches `query`.

    Case, diacritics and the kind of apostrophe do not matter ("vinnytsia", "ВІННИЦЯ",
    "slesin" for Ślesin, "Кам'янка" with any apostrophe). Names starting with the text come
    first, then names with a word starting with it, then names containing it; within each,
    by rank (cities before villages), then name. Each place comes with its area and the
    area's two parents. Raises ApplicationError for an empty text, a text over 200
    characters, characters other than letters, digits, spaces and - ' ’ ʼ . , ( ), or a
    limit outside 1..100.
    """
    key = _validate_query(query)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= SEARCH_MAX_LIMIT:
        raise ApplicationError(
            _("The limit must be a whole number from 1 to %(max)s.") % {"max": SEARCH_MAX_LIMIT},
            {"field": "limit"},
        )
    prefix = Q(search_name__startswith=key) | Q(search_latin__startswith=key)
    word_start = Q()
    for separator in _WORD_SEPARATORS:
        word_start |= Q(search_name__contains=separator + key)
        word_start |= Q(search_latin__contains=separator + key)
    contains = Q(search_name__contains=key) | Q(search_latin__contains=key)
    places = (
        Place.objects.filter(contains)
        .annotate(
            match=Case(
                When(prefix, then=Value(0)),
                When(word_start, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("area", "area__parent", "area__parent__parent")
        .defer("area__boundary", "area__parent__boundary", "area__parent__parent__boundary")
        .order_by("match", "rank", "name", "pk")[:limit]
    )
    return list(places)


def place_get(*, place_id: int) -> Place:
    """The place with this id, with its area and the area's two parents. Raises
    NotFoundError."""
    try:
        return (
            Place.objects.select_related("area", "area__parent", "area__parent__parent")
            .defer("area__boundary", "area__parent__boundary", "area__parent__parent__boundary")
            .get(pk=place_id)
        )
    except (Place.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("There is no place with the number %(id)s.") % {"id": place_id})


def _inside_point(geometry: Any) -> tuple[float, float]:
    """A point well inside the geometry: its centroid when inside, else the pole of
    inaccessibility of its largest part (about 100 m precision)."""
    centroid = geometry.centroid
    if geometry.contains(centroid):
        point = centroid
    else:
        parts = list(getattr(geometry, "geoms", [geometry]))
        largest = max(parts, key=lambda part: part.area)
        point = polylabel(largest, tolerance=0.001)
    return round(point.x, 6), round(point.y, 6)


def place_location(*, place: Place) -> tuple[float, float] | None:
    """A representative (lon, lat) inside the place's area, or None when the area has no
    boundary today. Cached per area with the index; without it, one query."""
    snapshot = current_index()
    if snapshot is not None:
        geometry = snapshot.geometries.get(place.area_id)
        if geometry is None:
            return None
        key = ("location", place.area_id)
        location = snapshot.memo.get(key)
        if location is None:
            location = snapshot.memo[key] = _inside_point(geometry)
        return location
    boundary = area_boundary(area=place.area)
    if boundary is None:
        return None
    return _inside_point(shapely.from_wkb(bytes(boundary.wkb)))
