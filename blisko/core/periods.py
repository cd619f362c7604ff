"""Rows in force on a day: the two kinds of validity period the apps keep.

- Versions (`valid_from`, `valid_to`): half-open, valid_from <= day < valid_to, an open end
  when valid_to is null. Boundary versions, area memberships, category versions.
- Terms of service (`starts_on`, `ends_on`): both days included, an open end when ends_on is
  null. Officers' assignments.
"""

import datetime as dt

from django.db.models import Q


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """Versions in force on `day`: valid_from <= day < valid_to (or no valid_to). `prefix`
    reaches a related row's period (e.g. "area__")."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def serving_on(day: dt.date, prefix: str = "") -> Q:
    """Terms that include `day`: starts_on <= day <= ends_on (or no ends_on)."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )
