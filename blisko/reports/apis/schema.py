"""The API schema's enums of category codes: data, read from the database when served."""

from typing import Any

from django.db import DatabaseError

from blisko.core.apis.schema import CATEGORY_CODES
from blisko.reports.selectors.categories import category_codes_by_state


def category_codes_hook(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: fill the enums marked with CATEGORY_CODES."""
    codes: dict[str, list[str]] | None
    try:
        codes = category_codes_by_state()
    except DatabaseError:
        # `manage.py spectacular` without a database: the codes stay a plain string.
        codes = None

    def fill(node: Any) -> None:
        if isinstance(node, dict):
            which = node.pop(CATEGORY_CODES, None)
            if which is not None and codes is not None:
                node["enum"] = codes[which]
            for value in node.values():
                fill(value)
        elif isinstance(node, list):
            for value in node:
                fill(value)

    fill(result)
    return result
