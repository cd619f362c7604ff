"""The evaluation's charts as data for server-rendered SVG (templates/plans/_chart.html): for
the place, its ring and the control, the events a year before, before and during the plan,
each zone on its own scale (the control is far larger than the place)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from blisko.diagnosis.charts import tick_step

WIDTH, HEIGHT = 220, 130
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 10, 22


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    kind: str  # "year", "before", "during"


@dataclass(frozen=True)
class ZoneChart:
    zone: str
    title: str
    width: int
    height: int
    left: int
    bottom: float
    right: float
    bars: list[Bar]
    ticks: list[tuple[float, int]]


def _chart(zone: str, title: str, values: list[tuple[str, str, int]]) -> ZoneChart:
    peak = max((v for _k, _l, v in values), default=0)
    step = tick_step(peak)
    top_value = max(step, math.ceil(peak / step) * step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(values)
    bars = []
    for i, (kind, label, value) in enumerate(values):
        h = plot_h * value / top_value
        bars.append(
            Bar(
                x=round(LEFT + i * slot + slot * 0.2, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(slot * 0.6, 2),
                height=round(h, 2),
                label=label,
                value=value,
                kind=kind,
            )
        )
    ticks = [
        (round(TOP + plot_h - plot_h * v / top_value, 2), v) for v in range(0, top_value + 1, step)
    ]
    return ZoneChart(zone, title, WIDTH, HEIGHT, LEFT, TOP + plot_h, WIDTH - RIGHT, bars, ticks)


def evaluation_charts(evaluation: dict[str, Any]) -> list[ZoneChart]:
    counts = evaluation["verdict"]["counts"]
    shifted = evaluation["verdict"]["displacement"]
    year = pgettext("evaluation period", "a year before")
    before = pgettext("evaluation period", "before")
    during = pgettext("evaluation period", "during")
    charts = [
        _chart(
            "place",
            _("The place"),
            [
                ("year", year, counts["a_year"]),
                ("before", before, counts["a_before"]),
                ("during", during, counts["a_during"]),
            ],
        ),
        _chart(
            "ring",
            _("The ring around it"),
            [("before", before, shifted["b_before"]), ("during", during, shifted["b_during"])],
        ),
    ]
    if evaluation.get("control_area"):
        charts.append(
            _chart(
                "control",
                _("The control: the rest of %(area)s") % {"area": evaluation["control_area"]},
                [
                    ("year", year, counts["c_year"]),
                    ("before", before, counts["c_before"]),
                    ("during", during, counts["c_during"]),
                ],
            )
        )
    return charts
