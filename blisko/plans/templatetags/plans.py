"""Template filters of the plan pages."""

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def named(row: dict[str, Any]) -> str:
    """A frozen threat's name in the page's language (the evidence keeps all three)."""
    language = (get_language() or "en")[:2]
    return str(row.get(f"name_{language}") or row.get("name_en") or row.get("code", ""))


@register.filter
def change(ratio: float | None) -> str:
    """A rate ratio as a change in per cent: 0.8 → "−20 %"."""
    if not isinstance(ratio, int | float):
        return "—"
    return f"{(ratio - 1) * 100:+.0f} %".replace("-", "−")
