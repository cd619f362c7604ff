"""The closed list of categories, kept in memory for the submission path.

Why: every submission looks its category up by code, and the list is a few dozen rows that
change a few times a year. `CategoryRegistry` (see `blisko.core.freshness`) keeps them in
this process; its token is the rows' content itself, so any change (a retirement saved with
`update_fields`, which leaves `updated_at` alone, included) is noticed at the next check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from blisko.core.freshness import FreshIndexRegistry
from blisko.reports.models import Category

# Every concrete column: the token compares them all, and the objects are built from them.
_FIELDS = tuple(field.attname for field in Category._meta.concrete_fields)

_Rows = tuple[tuple[Any, ...], ...]


@dataclass(frozen=True, eq=False)
class CategoryList:
    """The categories at one state of the table, by code. The objects are shared: read-only."""

    rows: _Rows
    by_code: dict[str, Category]


def _read_rows() -> _Rows:
    return tuple(Category.objects.order_by("pk").values_list(*_FIELDS))


class CategoryRegistry(FreshIndexRegistry[CategoryList, _Rows]):
    """Holds this process's `CategoryList`; one query of the whole (small) table per check."""

    label = "category list"

    def read_token(self) -> _Rows:
        return _read_rows()

    def token_of(self, value: CategoryList) -> _Rows:
        return value.rows

    def build(self) -> CategoryList:
        rows = _read_rows()
        by_code = {}
        for row in rows:
            category = Category.from_db("default", list(_FIELDS), row)
            by_code[category.code] = category
        return CategoryList(rows=rows, by_code=by_code)


_registry = CategoryRegistry()


def category_by_code(*, code: str) -> Category | None:
    """The category with this code (active or retired), or None. Served from this process's
    list (no query but the throttled check); from the database while the list is rebuilt.
    The object may be shared with other requests: treat it as read-only."""
    current = _registry.current()
    if current is not None:
        return current.by_code.get(code)
    return Category.objects.filter(code=code).first()


def category_list_clear() -> None:
    """Drop this process's category list (tests)."""
    _registry.wait_idle()
    _registry.clear()


def categories_all() -> list[Category]:
    """Every category, the active ones first, each group in the legend's order."""
    return list(Category.objects.order_by("-is_active", "sort_order", "code"))


def category_codes_known() -> set[str]:
    """The codes of every category, retired ones included (a filter may name them)."""
    return set(Category.objects.values_list("code", flat=True))


def category_codes_by_state() -> dict[str, list[str]]:
    """The codes of every category ("all") and of the active ones ("active"), in order."""
    categories = Category.objects.order_by("sort_order", "code")
    return {
        "all": list(categories.values_list("code", flat=True)),
        "active": list(categories.filter(is_active=True).values_list("code", flat=True)),
    }


def categories_changed_at() -> dt.datetime | None:
    """When any category last changed (Open311's changeset), None when there are none."""
    return Category.objects.aggregate(at=Max("updated_at"))["at"]
