"""The figures of the per-area ranking of threats, and the rule that names the biggest one.

For one area and one period, each threat (a category counted from any source) gets:

- its **count** and its **rate per 1,000 residents** (None when the area has no population
  on record: a rate is unavailable then, never zero), with the exact (Garwood) 95% interval;
- the same for the parent region, and the **ratio area / region** with its exact 95%
  interval. The area's events are part of the region's, so the interval compares the area
  with *the rest of the region* (independent counts): conditional on the total, the area's
  count is binomial, and the Clopper-Pearson interval of that proportion, mapped to a rate
  ratio, is the exact conditional interval (Breslow & Day); its p-value is the exact
  binomial test, as statsmodels' `test_poisson_2indep(method="exact-cond")` computes it;
- the **trend**: the rate ratio of this period to the previous period of the same length,
  exact in the same way (the population is the same in both, so it cancels).

**The biggest threat** is the threat most clearly above the region's level: the largest
*lower bound* of the area/region ratio's interval, among the threats with at least
`MIN_EVENTS` (5) events in the period. A lower bound rewards both a high ratio and enough
events to trust it, where the raw count would always name the commonest offence and the
bare ratio a category with two events. Ties go to the larger count, then to the steeper
rising trend, then to the category's order. Without population figures (no rates, no
ratios) the rule falls back to the largest count, and says so. With no threat reaching
`MIN_EVENTS`, there is no biggest threat: too few events to name one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

MIN_EVENTS = 5
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class RateRatio:
    """`ratio` of two rates with its exact interval and the exact two-sided p-value of
    "the rates are equal"."""

    ratio: float
    low: float
    high: float
    p_value: float


def rate(count: int, population: int | None, *, per: int = 1000) -> Interval | None:
    """Events per `per` residents with the exact Poisson (Garwood) interval; None without a
    population."""
    if not population or population <= 0:
        return None
    alpha = 1 - CONFIDENCE
    low = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * (count + 1)) / 2
    scale = per / population
    return Interval(count * scale, low * scale, high * scale)


def rate_ratio(count1: int, exposure1: float, count2: int, exposure2: float) -> RateRatio | None:
    """(count1 / exposure1) / (count2 / exposure2), exact conditional; None when there is
    nothing to compare (no events at all, or an exposure missing)."""
    if exposure1 <= 0 or exposure2 <= 0:
        return None
    total = count1 + count2
    if total == 0:
        return None
    alpha = 1 - CONFIDENCE
    # Clopper-Pearson for the share of the events that fell in the first group.
    low_share = 0.0 if count1 == 0 else stats.beta.ppf(alpha / 2, count1, total - count1 + 1)
    high_share = (
        1.0 if count1 == total else stats.beta.ppf(1 - alpha / 2, count1 + 1, total - count1)
    )
    scale = exposure2 / exposure1

    def to_ratio(share: float) -> float:
        return math.inf if share >= 1 else share / (1 - share) * scale

    ratio = math.inf if count2 == 0 else (count1 / exposure1) / (count2 / exposure2)
    expected_share = exposure1 / (exposure1 + exposure2)
    p_value = stats.binomtest(count1, total, expected_share).pvalue
    return RateRatio(ratio, to_ratio(low_share), to_ratio(high_share), float(p_value))


@dataclass(frozen=True)
class ThreatFigures:
    """What the diagnosis shows for one threat in one area and period."""

    code: str
    order: int
    count: int
    rate: Interval | None
    region_count: int
    region_rate: Interval | None
    vs_region: RateRatio | None
    previous_count: int
    trend: RateRatio | None

    @property
    def too_few(self) -> bool:
        return self.count < MIN_EVENTS


def threat_figures(
    *,
    code: str,
    order: int,
    count: int,
    previous_count: int,
    region_count: int,
    population: int | None,
    region_population: int | None,
) -> ThreatFigures:
    """The figures of one threat (see the module's text). `region_count` and
    `region_population` include the area's own."""
    rest_count = region_count - count
    rest_population = (region_population or 0) - (population or 0)
    vs_region = (
        rate_ratio(count, population, rest_count, rest_population)
        if population and region_population and rest_population > 0
        else None
    )
    return ThreatFigures(
        code=code,
        order=order,
        count=count,
        rate=rate(count, population),
        region_count=region_count,
        region_rate=rate(region_count, region_population),
        vs_region=vs_region,
        previous_count=previous_count,
        trend=rate_ratio(count, 1.0, previous_count, 1.0),
    )


@dataclass(frozen=True)
class Ranking:
    threats: list[ThreatFigures]  # in the rule's order
    biggest: ThreatFigures | None
    by_count: bool  # the fallback without population figures


def rank(threats: list[ThreatFigures]) -> Ranking:
    """The threats in the order of the rule, and the biggest one (see the module's text)."""
    by_count = not any(t.vs_region is not None for t in threats)

    def rising(t: ThreatFigures) -> float:
        return -(t.trend.ratio if t.trend is not None and math.isfinite(t.trend.ratio) else 0.0)

    def key(t: ThreatFigures) -> tuple:
        eligible = 0 if not t.too_few else 1
        strength = 0.0 if by_count or t.vs_region is None else -t.vs_region.low
        return (eligible, strength, -t.count, rising(t), t.order, t.code)

    ordered = sorted(threats, key=key)
    biggest = ordered[0] if ordered and not ordered[0].too_few else None
    return Ranking(threats=ordered, biggest=biggest, by_count=by_count)


def trend_kind(trend: RateRatio | None) -> str:
    """ "rising" / "falling" when the 95% interval of the trend's rate ratio lies above / below
    1, else "steady" (no clear change, or nothing to compare)."""
    if trend is None:
        return "steady"
    if trend.low > 1:
        return "rising"
    if trend.high < 1:
        return "falling"
    return "steady"
