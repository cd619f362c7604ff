"""Checks of one value of a service's input, each refusal an ApplicationError naming the field
(`{"field": name}`), translated, so a form shows it next to the field and the API returns it."""

import re
from typing import Any

from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError

# Control characters a text field never needs (tab, newline and carriage return stay); NUL
# cannot even be stored by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Markup: a tag (`<b>`, `</p>`, `<img ...>`), a comment or a declaration. A lone "<" as in
# "< 5 minutes" or "<3" is not one.
_MARKUP = re.compile(
    r"<\s*(?:[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?|/\s*[a-zA-Z][a-zA-Z0-9-]*\s*|!--.*?--|![a-zA-Z][^<>]*)>",
    re.S,
)


def refused(message: str, field: str, status: int = 400) -> ApplicationError:
    return ApplicationError(message, {"field": field}, status=status)


def has_markup(text: str) -> bool:
    """Whether `text` holds an HTML or XML tag, comment or declaration."""
    return bool(_MARKUP.search(text))


def text_value(
    value: Any,
    *,
    field: str,
    label: Any,
    max_length: int,
    required: bool = True,
    plain: bool = False,
) -> str:
    """`value` as stripped text without control characters: refused when required and empty,
    longer than `max_length`, or (`plain`) holding markup, which residents' texts shown to the
    public must not (it would be shown as it was typed, tags and all)."""
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    value = _CONTROL.sub("", value).strip()
    if required and not value:
        raise refused(_("%(label)s is required.") % {"label": label}, field)
    if len(value) > max_length:
        raise refused(
            _("%(label)s is longer than %(max)d characters (%(length)d).")
            % {"label": label, "max": max_length, "length": len(value)},
            field,
        )
    if plain and has_markup(value):
        raise refused(
            _("%(label)s must be plain text: remove the HTML tags (such as <b> or <a>).")
            % {"label": label},
            field,
        )
    return value
