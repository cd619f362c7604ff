"""The public summary of an area's diagnosis, for the find-officer page: its top threats over
the last 12 whole months and their trends, in plain words. Counts only (never a point or a
cell), and only threats with at least BLISKO_DIAGNOSIS_PUBLIC_MIN_EVENTS events, so a few
events cannot point at a household. Kept in the cache for an hour per area and language."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from blisko.core.clock import site_today
from blisko.diagnosis.periods import period_parse
from blisko.diagnosis.ranking import trend_kind
from blisko.diagnosis.selectors.diagnosis import diagnosis_for_area
from blisko.territories.models import Area

SHOWN = 3


@dataclass(frozen=True)
class PublicThreat:
    code: str
    name: str
    count: int
    trend: str  # "rising", "falling", "steady"
    above_region: bool


@dataclass(frozen=True)
class PublicSummary:
    area_name: str
    period: str
    threats: list[PublicThreat]
    min_events: int


def public_summary(*, area: Area) -> PublicSummary:
    """The summary of `area` (see the module's text); `threats` empty when none qualifies."""
    key = f"diagnosis.public:{area.pk}:{get_language()}:{site_today():%Y-%m}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    minimum = settings.BLISKO_DIAGNOSIS_PUBLIC_MIN_EVENTS
    period = period_parse(None, None)
    d = diagnosis_for_area(area=area, period=period)
    threats = [
        PublicThreat(
            code=row.code,
            name=row.category.name,
            count=row.figures.count,
            trend=trend_kind(row.figures.trend),
            above_region=bool(row.figures.vs_region and row.figures.vs_region.low > 1),
        )
        for row in d.rows
        if row.figures.count >= minimum
    ][:SHOWN]
    summary = PublicSummary(area.name, period.label(), threats, minimum)
    cache.set(key, summary, settings.BLISKO_DIAGNOSIS_PUBLIC_CACHE_SECONDS)
    return summary
