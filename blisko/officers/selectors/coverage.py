"""Coverage: per region, the communities with and without a primary officer on a day."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from blisko.core.periods import serving_on, valid_on
from blisko.officers.models import Assignment
from blisko.territories.models import Area, Level

# The most steps from an area up to any ancestor (Django rebuilds `Level.values` at each call).
_DEPTH = len(Level.values)


@dataclass
class RegionCoverage:
    region: Area
    communities: int
    covered: int
    uncovered: list[Area]


def coverage_by_region(
    *, on: dt.date | None = None, regions: Iterable[Area] | None = None
) -> list[RegionCoverage]:
    """Per region, how many of its communities have a primary officer on `on` (today by
    default), and which do not.

    A community counts as covered when a primary officer is assigned on that day to the
    community itself or to any of its service areas. Communities are those current on the
    day. `regions` defaults to every current region (by country and code). Three queries.
    """
    day = on or timezone.localdate()
    rows = Area.objects.filter(valid_on(day)).values_list("pk", "parent_id", "level")
    parent_of = {pk: parent for pk, parent, _level in rows}
    level_of = {pk: level for pk, _parent, level in rows}

    def ancestor_at(pk: int | None, level: str) -> int | None:
        for _step in range(_DEPTH):
            if pk is None or level_of.get(pk) == level:
                return pk
            pk = parent_of.get(pk)
        return None

    covered: set[int] = set()
    for area_id in Assignment.objects.filter(serving_on(day), is_primary=True).values_list(
        "area_id", flat=True
    ):
        community = ancestor_at(area_id, Level.COMMUNITY)
        if community is not None:
            covered.add(community)

    if regions is None:
        region_list = list(
            Area.objects.filter(valid_on(day), level=Level.REGION)
            .defer("boundary")
            .order_by("country", "code")
        )
    else:
        region_list = list(regions)
    communities: dict[int, list[int]] = {r.pk: [] for r in region_list}
    for pk, level in level_of.items():
        if level == Level.COMMUNITY:
            region_id = ancestor_at(parent_of.get(pk), Level.REGION)
            if region_id is not None and region_id in communities:
                communities[region_id].append(pk)
    uncovered_ids = [pk for ids in communities.values() for pk in ids if pk not in covered]
    uncovered = {a.pk: a for a in Area.objects.filter(pk__in=uncovered_ids).defer("boundary")}
    result = []
    for region in region_list:
        ids = communities[region.pk]
        missing = sorted(
            (uncovered[pk] for pk in ids if pk not in covered), key=lambda a: a.name_official
        )
        result.append(
            RegionCoverage(
                region=region,
                communities=len(ids),
                covered=len(ids) - len(missing),
                uncovered=missing,
            )
        )
    return result
