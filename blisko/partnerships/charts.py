"""The rollout charts as data for server-rendered SVG (templates/partnerships/_coverage_chart.html):
one small chart per measure (officers assigned, communities covered, regions covered), the
actual figures month by month as solid lines and the target as a dashed one, on a y scale with
round ticks. No script is needed to see them and they print; the page repeats their figures
in a table for screen readers."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from blisko.diagnosis.charts import tick_step
from blisko.partnerships.selectors.coverage import RolloutSeries

WIDTH, HEIGHT = 360, 160
LEFT, RIGHT, TOP, BOTTOM = 36, 10, 10, 22


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    month: dt.date
    value: int


@dataclass(frozen=True)
class Line:
    key: str  # "officers", "target", "memoranda"...
    label: str
    dashed: bool
    segments: list[str]  # SVG polyline points, one string per run of months with a value
    dots: list[Dot]


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class LineChart:
    key: str
    title: str
    width: int
    height: int
    left: int
    right: float
    bottom: float
    ticks: list[Tick]
    lines: list[Line]
    first: dt.date
    last: dt.date


def line_chart(
    *,
    key: str,
    title: str,
    months: list[dt.date],
    lines: list[tuple[str, str, bool, list[int | None]]],
) -> LineChart:
    """A chart of `lines` — (key, label, dashed, one value per month or None where it has
    none) — over `months` (at least one), all on one scale from 0."""
    peak = max((v for _k, _l, _d, values in lines for v in values if v is not None), default=0)
    step = tick_step(peak)
    top_value = max(step, math.ceil(peak / step) * step)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    n = len(months)

    def x_of(i: int) -> float:
        return round(LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 2)

    def y_of(value: int) -> float:
        return round(TOP + plot_h - plot_h * value / top_value, 2)

    drawn = []
    for line_key, label, dashed, values in lines:
        segments: list[str] = []
        run: list[str] = []
        dots = []
        for i, (month, value) in enumerate(zip(months, values, strict=True)):
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            x, y = x_of(i), y_of(value)
            run.append(f"{x},{y}")
            dots.append(Dot(x=x, y=y, month=month, value=value))
        if run:
            segments.append(" ".join(run))
        drawn.append(Line(line_key, label, dashed, segments, dots))
    ticks = [Tick(y=y_of(v), value=v) for v in range(0, top_value + 1, step)]
    return LineChart(
        key=key,
        title=title,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=TOP + plot_h,
        ticks=ticks,
        lines=drawn,
        first=months[0],
        last=months[-1],
    )


def rollout_charts(series: RolloutSeries) -> list[LineChart]:
    """The three rollout charts of `series` (none when it has no month): officers assigned,
    communities covered (and with a memorandum in force), regions covered; each against its
    target when the country has targets."""
    if not series.months:
        return []
    months = [m.month for m in series.months]
    target = _("target")

    def targets(measure: str) -> list[int | None]:
        return [getattr(m.target, measure) if m.target else None for m in series.months]

    charts = []
    for measure, title, actual in (
        ("officers", _("Officers assigned"), _("officers assigned")),
        ("communities", _("Communities covered"), _("communities with an officer")),
        ("regions", _("Regions covered"), _("regions covered")),
    ):
        lines: list[tuple[str, str, bool, list[int | None]]] = [
            (measure, actual, False, [getattr(m, measure) for m in series.months])
        ]
        if measure == "communities":
            lines.append(
                (
                    "memoranda",
                    _("communities with a memorandum in force"),
                    False,
                    [m.memoranda for m in series.months],
                )
            )
        if series.has_targets:
            lines.append(("target", target, True, targets(measure)))
        charts.append(line_chart(key=measure, title=title, months=months, lines=lines))
    return charts
