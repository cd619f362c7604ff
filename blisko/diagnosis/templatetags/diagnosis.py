"""Filters of the diagnosis pages: figures with a fixed number of digits (∞ for an unbounded
interval), and a trend in words."""

import math
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from blisko.diagnosis.ranking import trend_kind

register = template.Library()


@register.filter
def dg(value: Any, digits: int = 2) -> str:
    """The number with `digits` decimals in the active language's format; ∞ for infinity."""
    if value is None:
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return number_format(value, decimal_pos=int(digits))


@register.filter
def trend_word(trend: Any) -> str:
    return trend_kind(trend)


@register.filter
def trend_label(trend: Any) -> str:
    return {
        "rising": _("rising"),
        "falling": _("falling"),
        "steady": _("no clear change"),
    }[trend_kind(trend)]


@register.filter
def percent(value: Any) -> str:
    """A share (0-1) as a whole percentage in the active language's format."""
    if value is None:
        return "—"
    return f"{number_format(float(value) * 100, decimal_pos=0)} %"
