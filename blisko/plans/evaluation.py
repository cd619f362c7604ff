"""The figures that judge a plan, from counts of the threat's events (no database here).

Zones: **A** the plan's place; **B** its k=1 ring of H3 cells (the cells around A, outside
it), where crime pushed out of A would show; **C** the control, the rest of the parent area
outside A and B, which carries the general trend. Periods: **during** the plan (so far, or
all of it), **before** (the same length just before it) and **a year before** (the same dates
a year earlier).

- Change in A: the rate ratio during / before (and during / a year before), exact conditional
  interval and p-value (`blisko.diagnosis.ranking.rate_ratio`; rates per day, so a plan
  evaluated half-way compares like with like).
- Local effect: the **difference-in-differences ratio** (A during / A before) / (C during /
  C before): below 1, A fell more (or rose less) than its surroundings; its 95% interval and
  p-value on the log scale (Wald: se² = 1/a₁ + 1/a₀ + 1/c₁ + 1/c₀), the usual test for a
  ratio of two rate ratios.
- Displacement: the **Weighted Displacement Quotient** of Bowers & Johnson (2003),
  WDQ = (B₁/C₁ − B₀/C₀) / (A₁/C₁ − A₀/C₀). It is read only when the place improved against
  the control (the denominator, their "success measure", is negative): WDQ > 1 the ring gained
  more than the place (diffusion of benefits beyond the direct effect); 0 < WDQ ≤ 1 diffusion
  of benefits; WDQ = 0 neither; −1 ≤ WDQ < 0 displacement, smaller than the gain in the place;
  WDQ < −1 displacement larger than the gain (worse overall).
- The verdict: with fewer than MIN_EVENTS (10) events in the place during or before the plan,
  "too few events to judge". Else the change in % against the goal: "goal met" (the change
  reached the goal and the interval excludes no change), "improved" (a clear change in the
  goal's direction, short of the goal), "no clear change" (the interval holds 1), "worse" (a
  clear change against the goal's direction).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats

from blisko.diagnosis.ranking import CONFIDENCE, RateRatio, rate_ratio

MIN_EVENTS = 10

TOO_FEW = "too_few"
GOAL_MET = "goal_met"
IMPROVED = "improved"
NO_CLEAR_CHANGE = "no_clear_change"
WORSE = "worse"

WDQ_NOT_READ = "not_read"  # the place did not improve against the control
WDQ_DIFFUSION_BEYOND = "diffusion_beyond"
WDQ_DIFFUSION = "diffusion"
WDQ_NEITHER = "neither"
WDQ_DISPLACEMENT = "displacement"
WDQ_DISPLACEMENT_BEYOND = "displacement_beyond"


@dataclass(frozen=True)
class Counts:
    """Events of the threat per zone and period, and each period's length in days."""

    a_during: int
    a_before: int
    a_year: int
    b_during: int
    b_before: int
    c_during: int
    c_before: int
    c_year: int
    days: int  # every period is as long as the part of the plan evaluated


@dataclass(frozen=True)
class Verdict:
    counts: Counts
    displacement: Counts  # the counts the WDQ is measured on (events with a place)
    change: RateRatio | None  # during / before in the place
    change_year: RateRatio | None  # during / a year before
    control_change: RateRatio | None
    did: RateRatio | None
    wdq: float | None
    wdq_kind: str
    kind: str
    change_percent: float | None
    goal_percent: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (infinities as None), for the frozen evaluation."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value

        return clean(asdict(self))


def did_ratio(a1: int, a0: int, c1: int, c0: int) -> RateRatio | None:
    """(a1 / a0) / (c1 / c0) with its 95% Wald interval and p-value on the log scale; None
    when any count is 0 (the log ratio is then unbounded)."""
    if min(a1, a0, c1, c0) <= 0:
        return None
    log_ratio = math.log(a1 / a0) - math.log(c1 / c0)
    se = math.sqrt(1 / a1 + 1 / a0 + 1 / c1 + 1 / c0)
    z = stats.norm.ppf(1 - (1 - CONFIDENCE) / 2)
    p_value = 2 * stats.norm.sf(abs(log_ratio) / se)
    return RateRatio(
        math.exp(log_ratio), math.exp(log_ratio - z * se), math.exp(log_ratio + z * se), p_value
    )


def wdq(counts: Counts) -> tuple[float | None, str]:
    """The Weighted Displacement Quotient and how it reads (see the module's text)."""
    n = counts
    if n.c_during <= 0 or n.c_before <= 0:
        return None, WDQ_NOT_READ
    success = n.a_during / n.c_during - n.a_before / n.c_before
    if success >= 0:
        return None, WDQ_NOT_READ
    value = (n.b_during / n.c_during - n.b_before / n.c_before) / success
    if value > 1:
        kind = WDQ_DIFFUSION_BEYOND
    elif value > 0:
        kind = WDQ_DIFFUSION
    elif value == 0:
        kind = WDQ_NEITHER
    elif value >= -1:
        kind = WDQ_DISPLACEMENT
    else:
        kind = WDQ_DISPLACEMENT_BEYOND
    return value, kind


def judge(counts: Counts, *, goal_percent: float, displacement: Counts | None = None) -> Verdict:
    """Every figure of the evaluation and the verdict, from `counts` and the plan's goal;
    the WDQ from `displacement` when given (the events with a place), else from `counts`."""
    days = counts.days
    change = rate_ratio(counts.a_during, days, counts.a_before, days)
    change_year = rate_ratio(counts.a_during, days, counts.a_year, days)
    control = rate_ratio(counts.c_during, days, counts.c_before, days)
    did = did_ratio(counts.a_during, counts.a_before, counts.c_during, counts.c_before)
    displacement = displacement or counts
    value, wdq_kind = wdq(displacement)
    change_percent = (
        (change.ratio - 1) * 100 if change is not None and math.isfinite(change.ratio) else None
    )
    if counts.a_during < MIN_EVENTS or counts.a_before < MIN_EVENTS or change is None:
        kind = TOO_FEW
    else:
        down = goal_percent <= 0  # the goal's direction: fewer events, or (above 0) more
        clear_down, clear_up = change.high < 1, change.low > 1
        reached = change_percent is not None and (
            change_percent <= goal_percent if down else change_percent >= goal_percent
        )
        if (clear_down if down else clear_up) and reached:
            kind = GOAL_MET
        elif clear_down if down else clear_up:
            kind = IMPROVED
        elif clear_up if down else clear_down:
            kind = WORSE
        else:
            kind = NO_CLEAR_CHANGE
    return Verdict(
        counts=counts,
        displacement=displacement,
        change=change,
        change_year=change_year,
        control_change=control,
        did=did,
        wdq=value,
        wdq_kind=wdq_kind,
        kind=kind,
        change_percent=change_percent,
        goal_percent=goal_percent,
    )
