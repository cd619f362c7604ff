"""The ranking's figures against statsmodels (exact Poisson intervals, the exact conditional
test of two rates, Clopper-Pearson), and the rule that names the biggest threat."""

import math

import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson
from statsmodels.stats.rates import test_poisson_2indep as poisson_rates_test

from blisko.diagnosis import ranking


@pytest.mark.parametrize("count, population", [(0, 5000), (1, 5000), (7, 1000), (250, 120_000)])
def test_a_rate_s_interval_is_the_exact_poisson_one(count, population):
    figure = ranking.rate(count, population)
    low, high = confint_poisson(count, population, method="exact-c")
    assert figure is not None
    assert figure.value == pytest.approx(count / population * 1000)
    assert figure.low == pytest.approx(low * 1000, abs=1e-12)
    assert figure.high == pytest.approx(high * 1000)


@pytest.mark.parametrize("population", [None, 0])
def test_without_a_population_there_is_no_rate_rather_than_zero(population):
    assert ranking.rate(12, population) is None


@pytest.mark.parametrize(
    "count1, exposure1, count2, exposure2",
    [(10, 1000, 200, 50_000), (3, 2000, 40, 30_000), (0, 1500, 25, 20_000), (30, 10, 12, 10)],
)
def test_a_rate_ratio_is_exact_conditional_as_statsmodels_tests_it(
    count1, exposure1, count2, exposure2
):
    result = ranking.rate_ratio(count1, exposure1, count2, exposure2)
    reference = poisson_rates_test(
        count1, exposure1, count2, exposure2, method="exact-cond", compare="ratio"
    )
    assert result is not None
    assert result.ratio == pytest.approx((count1 / exposure1) / (count2 / exposure2))
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    # The interval is Clopper-Pearson's for the first group's share of the events.
    low_share, high_share = proportion_confint(count1, count1 + count2, method="beta")
    scale = exposure2 / exposure1
    assert result.low == pytest.approx(low_share / (1 - low_share) * scale, abs=1e-12)
    assert result.high == pytest.approx(high_share / (1 - high_share) * scale)
    assert result.low <= result.ratio <= result.high


def test_no_events_on_either_side_compare_to_nothing():
    assert ranking.rate_ratio(0, 100, 0, 100) is None
    assert ranking.rate_ratio(3, 0, 4, 100) is None


def test_events_only_now_rise_without_bound():
    result = ranking.rate_ratio(6, 1, 0, 1)
    assert result is not None and math.isinf(result.ratio) and math.isinf(result.high)
    assert result.low > 1


def _threat(code, count, region, previous=0, population=10_000, region_population=200_000, order=0):
    return ranking.threat_figures(
        code=code,
        order=order,
        count=count,
        previous_count=previous,
        region_count=region,
        population=population,
        region_population=region_population,
    )


def test_the_area_is_compared_with_the_rest_of_its_region():
    threat = _threat("speeding", 30, 330)  # 3.0 per 1,000 here, 1.58 in the rest of the region
    assert threat.vs_region is not None
    assert threat.vs_region.ratio == pytest.approx((30 / 10_000) / (300 / 190_000))
    assert threat.region_rate is not None and threat.region_rate.value == pytest.approx(1.65)


def test_the_biggest_threat_is_the_one_most_clearly_above_the_region_not_the_commonest():
    common = _threat("improper-parking", 120, 2400, order=1)  # as common as everywhere
    above = _threat("public-drinking", 25, 150, order=2)  # far above the region
    tiny = _threat("vandalism", 4, 5, order=3)  # a high ratio on four events
    result = ranking.rank([common, above, tiny])
    assert result.biggest is above
    assert [t.code for t in result.threats] == ["public-drinking", "improper-parking", "vandalism"]
    assert tiny.too_few and not result.by_count


def test_ties_go_to_the_larger_count_then_the_rising_trend_then_the_order():
    first = _threat("a", 10, 210, previous=10, order=2)
    same_but_rising = _threat("b", 10, 210, previous=2, order=3)
    result = ranking.rank([first, same_but_rising])
    assert result.biggest is same_but_rising
    steady = _threat("c", 10, 210, previous=10, order=1)
    assert ranking.rank([first, steady]).biggest is steady


def test_with_fewer_than_five_events_everywhere_no_threat_is_named():
    result = ranking.rank([_threat("a", 4, 10), _threat("b", 1, 50)])
    assert result.biggest is None
    assert [t.code for t in result.threats] == ["a", "b"]


def test_without_population_the_rule_falls_back_to_the_count_and_says_so():
    threats = [
        _threat("a", 8, 100, population=None, region_population=None),
        _threat("b", 20, 100, population=None, region_population=None),
    ]
    result = ranking.rank(threats)
    assert result.by_count and result.biggest is threats[1]
    assert threats[0].rate is None and threats[0].vs_region is None


def test_the_trend_is_this_period_against_the_one_before():
    threat = _threat("speeding", 30, 330, previous=15)
    assert threat.trend is not None and threat.trend.ratio == pytest.approx(2.0)
    reference = poisson_rates_test(30, 1, 15, 1, method="exact-cond", compare="ratio")
    assert threat.trend.p_value == pytest.approx(reference.pvalue, rel=1e-9)
