"""The evaluation's figures against cases worked out by hand."""

import math

import pytest

from blisko.plans import evaluation as e
from blisko.plans.evaluation import Counts, did_ratio, judge, wdq


def counts(a1=20, a0=40, ay=30, b1=10, b0=10, c1=300, c0=300, cy=280, days=100) -> Counts:
    return Counts(a1, a0, ay, b1, b0, c1, c0, cy, days)


def test_the_difference_in_differences_ratio_and_its_interval_by_hand():
    # (20/40) / (300/300) = 0.5; se = sqrt(1/20 + 1/40 + 1/300 + 1/300) = 0.285774;
    # 95%: 0.5 * exp(∓1.959964 * 0.285774) = 0.285574 … 0.875429; z = ln 2 / se = 2.42551.
    did = did_ratio(20, 40, 300, 300)

    assert did.ratio == pytest.approx(0.5)
    assert did.low == pytest.approx(0.28557, abs=1e-5)
    assert did.high == pytest.approx(0.875429, abs=1e-5)
    assert did.p_value == pytest.approx(0.015287, abs=1e-5)


def test_the_difference_in_differences_needs_every_count():
    assert did_ratio(0, 40, 300, 300) is None
    assert did_ratio(20, 40, 300, 0) is None


@pytest.mark.parametrize(
    ("b1", "b0", "value", "kind"),
    [
        # success = 20/300 - 40/300 = -1/15; the ring's change / success:
        (5, 10, 0.25, e.WDQ_DIFFUSION),  # -5/300 / -1/15
        (0, 30, 1.5, e.WDQ_DIFFUSION_BEYOND),  # -30/300 / -1/15
        (10, 10, 0.0, e.WDQ_NEITHER),
        (20, 10, -0.5, e.WDQ_DISPLACEMENT),  # +10/300 / -1/15
        (40, 10, -1.5, e.WDQ_DISPLACEMENT_BEYOND),
    ],
)
def test_the_weighted_displacement_quotient_by_hand(b1, b0, value, kind):
    got, got_kind = wdq(counts(b1=b1, b0=b0))

    assert got == pytest.approx(value)
    assert got_kind == kind


def test_the_quotient_is_not_read_without_a_gain_against_the_control():
    assert wdq(counts(a1=40, a0=40)) == (None, e.WDQ_NOT_READ)  # no change against C
    assert wdq(counts(a1=60, a0=40)) == (None, e.WDQ_NOT_READ)
    assert wdq(counts(c1=0)) == (None, e.WDQ_NOT_READ)


@pytest.mark.parametrize(
    ("a1", "a0", "goal", "kind"),
    [
        (20, 40, -20, e.GOAL_MET),  # -50 %, clearly below 1, beyond -20 %
        (20, 40, -60, e.IMPROVED),  # clearly down, short of -60 %
        (38, 40, -20, e.NO_CLEAR_CHANGE),
        (70, 40, -20, e.WORSE),
        (70, 40, 50, e.GOAL_MET),  # a goal of more events (more reporting): +75 %
        (20, 40, 50, e.WORSE),
        (9, 40, -20, e.TOO_FEW),  # under 10 in either period
        (20, 9, -20, e.TOO_FEW),
    ],
)
def test_the_verdict(a1, a0, goal, kind):
    verdict = judge(counts(a1=a1, a0=a0), goal_percent=goal)

    assert verdict.kind == kind


def test_the_change_is_the_rate_ratio_during_against_before():
    verdict = judge(counts(a1=20, a0=40, ay=25), goal_percent=-20)

    assert verdict.change_percent == pytest.approx(-50)
    assert verdict.change.ratio == pytest.approx(0.5)
    assert verdict.change_year.ratio == pytest.approx(0.8)
    assert verdict.control_change.ratio == pytest.approx(1.0)
    # The exact conditional test of 20 of 60 events at an expected share of 1/2, as
    # statsmodels test_poisson_2indep(20, 100, 40, 100, method="exact-cond") gives it.
    assert verdict.change.p_value == pytest.approx(0.013489, abs=1e-6)


def test_the_displacement_is_read_from_its_own_counts_when_given():
    on_points = counts(b1=40, b0=10)
    verdict = judge(counts(b1=0, b0=0), goal_percent=-20, displacement=on_points)

    assert verdict.wdq_kind == e.WDQ_DISPLACEMENT_BEYOND
    assert verdict.as_dict()["displacement"]["b_during"] == 40


def test_the_frozen_form_has_no_infinity():
    verdict = judge(counts(a1=20, a0=0), goal_percent=-20)
    frozen = verdict.as_dict()

    assert verdict.change.ratio == math.inf
    assert frozen["change"]["ratio"] is None
    assert frozen["kind"] == e.TOO_FEW
