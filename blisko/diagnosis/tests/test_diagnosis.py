"""The diagnosis of an area: each threat counted from every source, rates, ratio to the region,
trend, the biggest threat, and the periods."""

import datetime as dt

import pytest
import time_machine
from statsmodels.stats import rates as sm_rates

from blisko.core.exceptions import ApplicationError
from blisko.diagnosis.periods import period_parse
from blisko.diagnosis.selectors.diagnosis import diagnosis_for_area
from blisko.diagnosis.tests.diagnosis_data import figure, incident, moment, report, world
from blisko.reports.models import Status

pytestmark = pytest.mark.django_db

YEAR = period_parse("2025-01", "2025-12")


def _row(d, code):
    return next(row for row in d.rows if row.code == code)


def test_statistics_give_counts_rates_the_ratio_to_the_rest_of_the_region_and_the_biggest():
    w = world()
    for month in ("2025-02", "2025-05"):
        figure(w.area, month, "theft", 25)  # 50 in the area: 0.5 per 1,000
        figure(w.other, month, "theft", 25)  # 50 in the rest: 0.25 per 1,000
        figure(w.area, month, "burglary", 5)
        figure(w.other, month, "burglary", 40)
    d = diagnosis_for_area(area=w.area, period=YEAR)
    theft = _row(d, "theft")
    assert d.police_kind == "statistics"
    assert (theft.figures.count, theft.police, theft.reports) == (50, 50, 0)
    assert theft.figures.rate.value == pytest.approx(0.5)
    assert theft.figures.region_count == 100
    assert theft.figures.region_rate.value == pytest.approx(100 / 300)
    assert theft.figures.vs_region.ratio == pytest.approx(2.0)
    expected = sm_rates.test_poisson_2indep(50, 100_000, 50, 200_000, method="exact-cond")
    assert theft.figures.vs_region.p_value == pytest.approx(expected.pvalue, rel=1e-6)
    assert d.biggest is theft and d.rows[0] is theft
    assert theft.monthly[1] == 25 and theft.monthly[4] == 25 and sum(theft.monthly) == 50
    burglary = _row(d, "burglary")
    assert burglary.figures.vs_region.ratio == pytest.approx((10 / 100_000) / (80 / 200_000))


def test_the_commonest_offence_is_not_the_biggest_threat_when_it_is_at_the_regions_level():
    w = world()
    figure(w.area, "2025-03", "theft", 100)  # the region's level
    figure(w.other, "2025-03", "theft", 200)
    figure(w.area, "2025-03", "drugs", 30)  # three times the region's level
    figure(w.other, "2025-03", "drugs", 20)
    d = diagnosis_for_area(area=w.area, period=YEAR)
    assert d.biggest.code == "drugs"


def test_an_areas_own_figures_are_used_never_added_to_those_below_it():
    w = world()
    figure(w.area, "2025-03", "theft", 10)
    figure(w.other, "2025-03", "theft", 20)
    figure(w.region, "2025-03", "theft", 100)  # the region's own total, not 30 + 100
    d = diagnosis_for_area(area=w.region, period=YEAR)
    assert _row(d, "theft").figures.count == 100
    d = diagnosis_for_area(area=w.area, period=YEAR)
    assert _row(d, "theft").figures.region_count == 100


def test_incidents_count_where_there_are_no_statistics_and_reports_are_added():
    w = world()
    for day in range(1, 8):
        incident(w.area, moment("2025-06", day), "property-damage", 24.0, 48.2)
    report(w.area, moment("2025-06"), "vandalism", 24.0, 48.2)  # counts towards property damage
    report(w.area, moment("2025-06"), "vandalism", 24.0, 48.2, status=Status.NOT_CONFIRMED)
    report(w.area, moment("2025-06"), "vandalism", 24.0, 48.2, status=Status.DUPLICATE)
    incident(w.area, moment("2024-06"), "property-damage", 24.0, 48.2)  # the previous year
    d = diagnosis_for_area(area=w.area, period=YEAR)
    row = _row(d, "property-damage")
    assert d.police_kind == "incidents"
    assert (row.police, row.reports, row.figures.count, row.figures.previous_count) == (7, 1, 8, 1)
    assert row.figures.trend.ratio == pytest.approx(8.0)
    assert [s["source"] for s in d.sources] == ["incidents", "reports"]


def test_statistics_win_over_incidents_so_the_same_events_are_not_counted_twice():
    w = world()
    figure(w.area, "2025-03", "theft", 9)
    incident(w.area, moment("2025-03"), "theft", 24.0, 48.2)
    d = diagnosis_for_area(area=w.area, period=YEAR)
    assert d.police_kind == "statistics" and _row(d, "theft").figures.count == 9


def test_a_threat_with_fewer_than_5_events_is_never_the_biggest():
    w = world()
    figure(w.area, "2025-03", "fraud", 4)
    figure(w.other, "2025-03", "fraud", 0)
    d = diagnosis_for_area(area=w.area, period=YEAR)
    assert d.biggest is None and _row(d, "fraud").figures.too_few
    assert d.total == 4


def test_without_population_rates_are_unavailable_and_the_biggest_is_the_commonest():
    w = world(populations=False)
    figure(w.area, "2025-03", "theft", 30)
    figure(w.area, "2025-03", "drugs", 12)
    d = diagnosis_for_area(area=w.area, period=YEAR)
    theft = _row(d, "theft")
    assert theft.figures.rate is None and theft.figures.vs_region is None
    assert d.ranking.by_count and d.biggest is theft


def test_an_area_with_no_events_has_no_biggest_threat():
    w = world()
    d = diagnosis_for_area(area=w.area, period=YEAR)
    assert d.total == 0 and d.biggest is None and d.police_kind is None


def test_ties_are_shown():
    w = world()
    for code in ("theft", "fraud"):
        figure(w.area, "2025-03", code, 20)
        figure(w.other, "2025-03", code, 20)
    d = diagnosis_for_area(area=w.area, period=YEAR)
    assert d.biggest.code in ("theft", "fraud")
    assert [row.code for row in d.tied] == [({"theft", "fraud"} - {d.biggest.code}).pop()]


@time_machine.travel(dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC), tick=False)
def test_periods_default_to_the_last_12_whole_months_and_refuse_bad_months():
    period = period_parse(None, None)
    assert (period.start, period.end, period.length) == (
        dt.date(2025, 3, 1),
        dt.date(2026, 3, 1),
        12,
    )
    assert period.previous().start == dt.date(2024, 3, 1)
    assert period_parse("2025-10", None).length == 5
    for start, end, message in [
        ("2025/10", None, "must be a month as YYYY-MM"),
        ("2025-13", None, "must be a month as YYYY-MM"),
        (None, "2026-03", "must be a month that has ended"),
        ("2025-06", "2025-01", "must not be after"),
        ("2010-01", "2025-01", "at most 60 months"),
    ]:
        with pytest.raises(ApplicationError, match=message):
            period_parse(start, end)
