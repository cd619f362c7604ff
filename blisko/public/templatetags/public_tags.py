"""Template filters for the resident-facing pages."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from blisko.officers.models import CoverReason, Role

register = template.Library()

_NOT_DIALLABLE = re.compile(r"[^0-9+]")


@register.filter
def tel_href(phone: str) -> str:
    """The number as a `tel:` link wants it: digits and a leading plus, nothing else."""
    phone = (phone or "").strip()
    digits = _NOT_DIALLABLE.sub("", phone)
    return ("+" + digits.replace("+", "")) if digits.startswith("+") else digits.replace("+", "")


@register.filter
def role_label(role: str) -> str:
    """The translated name of an assignment role ("district_officer" -> "district officer")."""
    try:
        return capfirst(str(Role(role).label))
    except ValueError:
        return role


@register.filter
def cover_reason_label(reason: str) -> str:
    """The translated name of a cover or absence reason."""
    try:
        return str(CoverReason(reason).label)
    except ValueError:
        return reason


@register.filter
def breakable_email(email: str) -> str:
    """The address with a line-break opportunity before "@", for narrow screens."""
    escaped = conditional_escape(email or "")
    return mark_safe(escaped.replace("@", "<wbr>@"))  # noqa: S308
