"""Monthly trend charts as data for a server-rendered SVG (templates/diagnosis/_chart.html):
bars per month, a y scale with round ticks. No script is needed to see them, they print, and
each carries its figures as text for screen readers."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

WIDTH, HEIGHT = 360, 140
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 22


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: dt.date
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bottom: float
    right: float
    bars: list[Bar]
    ticks: list[Tick]
    first: dt.date
    last: dt.date
    total: int
    peak: int


def tick_step(peak: int) -> int:
    """A round tick step giving 2-5 ticks up to `peak`."""
    if peak <= 4:
        return 1
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def trend_chart(months: list[dt.date], values: list[int]) -> Chart:
    """The chart of `values` (one per month of `months`)."""
    peak = max(values, default=0)
    step = tick_step(peak)
    top_value = max(step, math.ceil(peak / step) * step)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    bars = []
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        h = plot_h * value / top_value
        bars.append(
            Bar(
                x=round(LEFT + i * slot + slot * 0.15, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(slot * 0.7, 2),
                height=round(h, 2),
                month=month,
                value=value,
            )
        )
    ticks = [
        Tick(y=round(TOP + plot_h - plot_h * v / top_value, 2), value=v)
        for v in range(0, top_value + 1, step)
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        bottom=TOP + plot_h,
        right=WIDTH - RIGHT,
        bars=bars,
        ticks=ticks,
        first=months[0],
        last=months[-1],
        total=sum(values),
        peak=peak,
    )
