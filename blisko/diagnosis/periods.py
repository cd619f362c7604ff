"""Periods of whole months for the diagnosis: from `from` and `to` (YYYY-MM), the previous
period of the same length, the months in between."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError

DEFAULT_MONTHS = 12
MAX_MONTHS = 60


@dataclass(frozen=True)
class Period:
    """Whole months: `start` is the first day of the first month, `end` the first day after
    the last."""

    start: dt.date
    end: dt.date

    @property
    def months(self) -> list[dt.date]:
        out, month = [], self.start
        while month < self.end:
            out.append(month)
            month = _add_months(month, 1)
        return out

    @property
    def length(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    @property
    def last(self) -> dt.date:
        return _add_months(self.end, -1)

    def previous(self) -> Period:
        return Period(_add_months(self.start, -self.length), self.start)

    def label(self) -> str:
        return f"{self.start:%Y-%m} – {self.last:%Y-%m}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month(text: str, name: str) -> dt.date:
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ApplicationError(
            _("“%(name)s” must be a month as YYYY-MM, not “%(value)s”.")
            % {"name": name, "value": text[:20]},
            {"field": name},
        ) from None


def period_parse(start: str | None, end: str | None) -> Period:
    """The period from `from` and `to` (YYYY-MM, both included). Defaults: the last
    DEFAULT_MONTHS whole months; `to` alone gives the DEFAULT_MONTHS months up to it, `from`
    alone the months from it to the last whole month. ApplicationError (translated) for a
    malformed month, a month in the future, `from` after `to`, or more than MAX_MONTHS."""
    this_month = site_today().replace(day=1)
    last = _month(end, "to") if end else _add_months(this_month, -1)
    first = _month(start, "from") if start else _add_months(last, 1 - DEFAULT_MONTHS)
    if last >= this_month:
        raise ApplicationError(
            _("“to” must be a month that has ended, not %(value)s.") % {"value": f"{last:%Y-%m}"},
            {"field": "to"},
        )
    if first > last:
        raise ApplicationError(_("“from” must not be after “to”."), {"field": "from"})
    period = Period(first, _add_months(last, 1))
    if period.length > MAX_MONTHS:
        raise ApplicationError(
            _("A period can be at most %(months)s months long.") % {"months": MAX_MONTHS},
            {"field": "from"},
        )
    return period
