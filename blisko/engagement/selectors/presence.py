"""Reading officers' presence in their community: one officer's month (its days and totals),
the month's share in the community against the country's target band, a supervisor's officers
with their shares (those below the band flagged, with the main reasons), and the community
head's view (the monthly share only, per officer, for the last six months).

Who may see and record whose presence:

- An **officer** (an active officer linked to the user) sees and records their own days.
- Their **supervisor** (an active officer with a supervisor assignment active today to an area,
  or an area above an area, that the officer serves) sees the officer's months and records
  the days the officer served that area (a primary or a cover assignment, not a supervisor's).
- Analysts and administrators see every officer's presence; they record none.
- The community head sees only the monthly shares of the officers serving their community
  (`presence_share_public`): no days, no hours, no reasons.

The share is hours in the community / (hours in + hours elsewhere) × 100, in Decimal, rounded
half up to one decimal; where it stands against the band (low ≤ share ≤ high is inside) is
judged on that rounded value, the one the pages show. A month without hours has no share.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.clock import country_zone
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.periods import serving_on
from blisko.diagnosis.selectors.access import diagnosis_sees_all
from blisko.engagement.models import AbsenceReason, PresenceDay
from blisko.officers.models import PRIMARY_ROLES, Assignment, Officer, Role
from blisko.plans.selectors.access import officer_of
from blisko.territories.models import Area

# The programme's band when the settings name none for the officer's country (per cent).
DEFAULT_BAND = (80, 90)
# How many months the community head sees.
PUBLIC_MONTHS = 6
# How many reasons a supervisor's row names (the biggest first).
MAIN_REASONS = 3
# How deep the area hierarchy goes below a supervisor's area (region → service area).
_DESCENDANT_DEPTH = 4
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TENTH = Decimal("0.1")
ZERO = Decimal(0)

BELOW, INSIDE, ABOVE = "below", "inside", "above"


# --- months ------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The last day of the month `month` falls in."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_add(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) the month of `month`."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def officer_today(officer: Officer) -> dt.date:
    """Today on the calendar of the officer's country (their unit's)."""
    return timezone.localdate(timezone=country_zone(officer.unit.country))


def month_parse(text: str | None, *, today: dt.date) -> dt.date:
    """The month `YYYY-MM` names (its first day); this month when `text` is empty. Refused
    (400, field "month") when it is not a month, or after this month."""
    if not text:
        return month_start(today)
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ApplicationError(
            _("The month must be written as YYYY-MM, e.g. %(example)s.")
            % {"example": f"{today:%Y-%m}"},
            {"field": "month"},
        )
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if month > month_start(today):
        raise ApplicationError(
            _("%(month)s has not begun yet: presence is recorded for days already worked.")
            % {"month": f"{month:%Y-%m}"},
            {"field": "month"},
        )
    return month


# --- the band and the share --------------------------------------------------------------


def presence_band(*, country: str) -> tuple[Decimal, Decimal]:
    """The target band (low, high, in per cent) of `country` from BLISKO_PRESENCE_TARGET,
    else the programme's 80-90 %."""
    low, high = getattr(settings, "BLISKO_PRESENCE_TARGET", {}).get(country, DEFAULT_BAND)
    return Decimal(str(low)), Decimal(str(high))


def share_of(hours_in: Decimal, hours_out: Decimal) -> Decimal | None:
    """Hours in / all hours, in per cent, rounded half up to one decimal; None without hours."""
    total = hours_in + hours_out
    if total <= 0:
        return None
    return (hours_in * 100 / total).quantize(_TENTH, rounding=ROUND_HALF_UP)


def share_position(share: Decimal | None, band: tuple[Decimal, Decimal]) -> str | None:
    """Where the (rounded) share stands against the band: below, inside or above; None
    without a share."""
    if share is None:
        return None
    low, high = band
    if share < low:
        return BELOW
    return ABOVE if share > high else INSIDE


@dataclass(frozen=True)
class ReasonHours:
    code: str
    hours: Decimal

    @property
    def label(self) -> str:
        return str(AbsenceReason(self.code).label)


@dataclass
class PresenceShare:
    """An officer's month: hours in and out, the share, the band and the main reasons."""

    officer: Officer
    month: dt.date
    hours_in: Decimal
    hours_out: Decimal
    days: int
    share: Decimal | None
    band: tuple[Decimal, Decimal]
    position: str | None
    reasons: list[ReasonHours] = field(default_factory=list)
    # The areas the officer serves that the reader supervises (the supervisor's view only).
    areas: list[Area] = field(default_factory=list)

    @property
    def has_records(self) -> bool:
        return self.days > 0

    @property
    def is_flagged(self) -> bool:
        """Below the band's low end (the supervisor's view flags it)."""
        return self.position == BELOW

    @property
    def band_low(self) -> Decimal:
        return self.band[0]

    @property
    def band_high(self) -> Decimal:
        return self.band[1]

    @property
    def main_reasons(self) -> list[ReasonHours]:
        return self.reasons[:MAIN_REASONS]


def _reasons(pairs: dict[str, Decimal]) -> list[ReasonHours]:
    """The reasons by hours, the most first (equal hours: in the reasons' order)."""
    order = list(AbsenceReason.values)
    found = [ReasonHours(code, hours) for code, hours in pairs.items() if code and hours > 0]
    return sorted(
        found, key=lambda r: (-r.hours, order.index(r.code) if r.code in order else len(order))
    )


def _share(
    officer: Officer,
    month: dt.date,
    hours_in: Decimal | None,
    hours_out: Decimal | None,
    days: int,
    reasons: dict[str, Decimal],
) -> PresenceShare:
    hours_in = hours_in or ZERO
    hours_out = hours_out or ZERO
    share = share_of(hours_in, hours_out)
    band = presence_band(country=officer.unit.country)
    return PresenceShare(
        officer=officer,
        month=month,
        hours_in=hours_in,
        hours_out=hours_out,
        days=days,
        share=share,
        band=band,
        position=share_position(share, band),
        reasons=_reasons(reasons),
    )


def presence_share(*, officer: Officer, month: dt.date) -> PresenceShare:
    """The officer's share in the community in the month of `month`, against their country's
    band, with the reasons of the hours elsewhere by hours (two queries)."""
    first = month_start(month)
    days = PresenceDay.objects.filter(officer=officer, day__range=(first, month_end(first)))
    totals = days.aggregate(hours_in=Sum("hours_in"), hours_out=Sum("hours_out"), days=Count("id"))
    reasons = dict(
        days.exclude(reason_out="")
        .values("reason_out")
        .annotate(hours=Sum("hours_out"))
        .values_list("reason_out", "hours")
    )
    return _share(
        officer, first, totals["hours_in"], totals["hours_out"], totals["days"] or 0, reasons
    )


# --- one officer's month -----------------------------------------------------------------


@dataclass
class PresenceMonthDay:
    day: dt.date
    record: PresenceDay | None
    is_weekend: bool
    is_future: bool


@dataclass
class PresenceMonth:
    officer: Officer
    month: dt.date
    days: list[PresenceMonthDay]
    records: list[PresenceDay]
    share: PresenceShare
    previous: dt.date
    next: dt.date | None

    @property
    def hours_in(self) -> Decimal:
        return self.share.hours_in

    @property
    def hours_out(self) -> Decimal:
        return self.share.hours_out


def presence_month(*, officer: Officer, month: dt.date) -> PresenceMonth:
    """The officer's month: its working days (Monday to Friday, and any other day with a
    record), each with its record or none, the totals and the share (one query)."""
    first = month_start(month)
    last = month_end(first)
    records = list(
        PresenceDay.objects.filter(officer=officer, day__range=(first, last))
        .select_related("recorded_by__officer")
        .order_by("day")
    )
    by_day = {r.day: r for r in records}
    today = officer_today(officer)
    days = []
    for number in range(1, last.day + 1):
        day = first.replace(day=number)
        weekend = day.weekday() >= 5
        if weekend and day not in by_day:
            continue
        days.append(PresenceMonthDay(day, by_day.get(day), weekend, day > today))
    reasons: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in records:
        if r.reason_out:
            reasons[r.reason_out] += r.hours_out
    share = _share(
        officer,
        first,
        sum((r.hours_in for r in records), ZERO),
        sum((r.hours_out for r in records), ZERO),
        len(records),
        reasons,
    )
    following = month_add(first, 1)
    return PresenceMonth(
        officer=officer,
        month=first,
        days=days,
        records=records,
        share=share,
        previous=month_add(first, -1),
        next=following if following <= month_start(today) else None,
    )


# --- who may see and record --------------------------------------------------------------


def _under(area_ids: list[int], prefix: str = "area") -> Q:
    """Rows whose area is one of `area_ids` or below one of them."""
    condition = Q(**{f"{prefix}_id__in": area_ids})
    for depth in range(1, _DESCENDANT_DEPTH + 1):
        condition |= Q(**{"__".join([prefix] + ["parent"] * depth) + "_id__in": area_ids})
    return condition


def supervised_area_ids(*, officer: Officer, on: dt.date | None = None) -> list[int]:
    """The areas the officer holds a supervisor assignment to on that day (default today)."""
    on = on or timezone.localdate()
    return list(
        Assignment.objects.filter(
            serving_on(on), officer=officer, role=Role.SUPERVISOR
        ).values_list("area_id", flat=True)
    )


def serving_assignments(
    *, area_ids: list[int] | None, start: dt.date, end: dt.date
) -> QuerySet[Assignment]:
    """Community and district officers' assignments, primary and cover (never a supervisor's
    or a traffic officer's: the presence target is theirs), overlapping start..end, to the
    areas `area_ids` or below them (every area when None), with their officers."""
    found = Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start),
        starts_on__lte=end,
        officer__is_active=True,
        role__in=PRIMARY_ROLES,
    )
    if area_ids is not None:
        found = found.filter(_under(area_ids))
    return found


def officer_first_day(*, officer: Officer) -> dt.date | None:
    """The first day of the officer's first assignment serving an area (not as supervisor)."""
    return (
        Assignment.objects.filter(officer=officer)
        .exclude(role=Role.SUPERVISOR)
        .aggregate(first=Min("starts_on"))["first"]
    )


def first_days(*, officer_ids: list[int]) -> dict[int, dt.date]:
    """`officer_first_day` of many officers in one query."""
    return dict(
        Assignment.objects.filter(officer_id__in=officer_ids)
        .exclude(role=Role.SUPERVISOR)
        .values("officer_id")
        .annotate(first=Min("starts_on"))
        .values_list("officer_id", "first")
    )


def officer_supervised_by(
    *, supervisor: Officer, officer: Officer, day: dt.date | None = None
) -> bool:
    """Whether `supervisor` supervises today an area `officer` served on `day` (a primary or
    cover assignment including that day); with no `day`, on any day until today."""
    if supervisor.pk == officer.pk or not supervisor.is_active:
        return False
    areas = supervised_area_ids(officer=supervisor)
    if not areas:
        return False
    start, end = (dt.date.min, timezone.localdate()) if day is None else (day, day)
    return (
        serving_assignments(area_ids=areas, start=start, end=end).filter(officer=officer).exists()
    )


def presence_may_record(*, user: Any, officer: Officer, day: dt.date) -> bool:
    """Whether `user` may record the officer's `day`: it is their own day, or they supervise
    an area the officer served that day. (The service adds how far back an officer may record
    their own days.)"""
    own = officer_of(user)
    if own is None:
        return False
    return own.pk == officer.pk or officer_supervised_by(supervisor=own, officer=officer, day=day)


def user_sees_team(*, user: Any) -> bool:
    """Whether the user has a supervisor's view of presence: an active officer supervising
    areas today, an analyst or an administrator."""
    if diagnosis_sees_all(user=user):
        return True
    own = officer_of(user)
    return own is not None and bool(supervised_area_ids(officer=own))


def user_records_for_team(*, user: Any) -> bool:
    """Whether the user records presence for other officers (a supervisor; analysts and
    administrators only read)."""
    own = officer_of(user)
    return own is not None and bool(supervised_area_ids(officer=own))


def presence_officer_get(*, user: Any, officer_id: int, month: dt.date) -> Officer:
    """The officer whose presence `user` may see from `month` on: themselves; an officer who
    served an area the user supervises at any time from that month until today; any officer
    for analysts and administrators. NotFoundError otherwise (out of reach answers as missing)."""
    officer = Officer.objects.select_related("unit", "user").filter(pk=officer_id).first()
    missing = NotFoundError(_("There is no such officer among yours."))
    if officer is None:
        raise missing
    own = officer_of(user)
    if own is not None and own.pk == officer.pk:
        return officer
    if diagnosis_sees_all(user=user):
        return officer
    if own is None:
        raise missing
    areas = supervised_area_ids(officer=own)
    if not areas:
        raise missing
    if (
        serving_assignments(area_ids=areas, start=month_start(month), end=timezone.localdate())
        .filter(officer=officer)
        .exists()
    ):
        return officer
    raise missing


# --- the supervisor's view ---------------------------------------------------------------


def presence_shares_for_supervisor(*, user: Any, month: dt.date) -> list[PresenceShare]:
    """Every officer serving (a primary or cover assignment overlapping the month) an area the
    user supervises today or an area below it, never the user nor a supervisor's assignment,
    each with their month's share and main reasons; officers without records in the month are
    listed with none (`has_records` false). Analysts and administrators get every officer.
    Sorted by name. A fixed number of queries, whatever the number of officers."""
    first = month_start(month)
    last = month_end(first)
    area_ids: list[int] | None
    own = officer_of(user)
    if own is not None and (areas := supervised_area_ids(officer=own)):
        area_ids = areas
    elif diagnosis_sees_all(user=user):
        area_ids = None
    else:
        return []
    assignments = (
        serving_assignments(area_ids=area_ids, start=first, end=last)
        .select_related("officer__unit", "area")
        .defer("area__boundary", "officer__unit__location")
        .order_by("area__code", "starts_on")
    )
    if own is not None:
        assignments = assignments.exclude(officer=own)
    officers: dict[int, Officer] = {}
    areas_of: dict[int, list[Area]] = defaultdict(list)
    for assignment in assignments:
        officers.setdefault(assignment.officer_id, assignment.officer)
        if all(a.pk != assignment.area_id for a in areas_of[assignment.officer_id]):
            areas_of[assignment.officer_id].append(assignment.area)
    if not officers:
        return []
    days = PresenceDay.objects.filter(officer_id__in=list(officers), day__range=(first, last))
    totals: dict[int, dict[str, Any]] = {
        row["officer_id"]: dict(row)
        for row in days.values("officer_id").annotate(
            hours_in=Sum("hours_in"), hours_out=Sum("hours_out"), days=Count("id")
        )
    }
    reasons: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for officer_id, code, hours in (
        days.exclude(reason_out="")
        .values("officer_id", "reason_out")
        .annotate(hours=Sum("hours_out"))
        .values_list("officer_id", "reason_out", "hours")
    ):
        reasons[officer_id][code] = hours
    rows = []
    for officer_id, officer in officers.items():
        total = totals.get(officer_id, {})
        row = _share(
            officer,
            first,
            total.get("hours_in"),
            total.get("hours_out"),
            total.get("days", 0),
            reasons.get(officer_id, {}),
        )
        row.areas = areas_of[officer_id]
        rows.append(row)
    rows.sort(key=lambda r: (r.officer.last_name, r.officer.first_name, r.officer.pk))
    return rows


# How the supervisor's table may be sorted: the parameter → the key and whether reversed.
# Officers without a share come last either way.
SORTS = {"name", "share", "-share"}


def presence_shares_sorted(rows: list[PresenceShare], sort: str) -> list[PresenceShare]:
    """The rows by name (as given), or by share (lowest first, or highest with "-share");
    rows without a share last."""
    if sort not in ("share", "-share"):
        return rows
    with_share = [r for r in rows if r.share is not None]
    without = [r for r in rows if r.share is None]
    with_share.sort(key=lambda r: r.share or ZERO, reverse=sort == "-share")
    return with_share + without


# --- the community head's view -----------------------------------------------------------


@dataclass(frozen=True)
class PublicShare:
    officer_id: int
    name: str
    share: Decimal | None


@dataclass
class PublicMonth:
    month: dt.date
    officers: list[PublicShare]


def presence_share_public(*, area: Area, month: dt.date | None = None) -> list[PublicMonth]:
    """For the community head: the last six months up to `month` (default this month), the
    newest first, each with the officers serving the community (or an area in it) that month
    and their share in per cent (None without records). Nothing else: no days, no hours, no
    reasons. Three queries."""
    last_month = month_start(month or timezone.localdate())
    first_month = month_add(last_month, -(PUBLIC_MONTHS - 1))
    end = month_end(last_month)
    assignments = list(
        serving_assignments(area_ids=[area.pk], start=first_month, end=end).select_related(
            "officer"
        )
    )
    officer_ids = {a.officer_id for a in assignments}
    sums: dict[tuple[int, dt.date], tuple[Decimal, Decimal]] = {}
    if officer_ids:
        for officer_id, when, hours_in, hours_out in (
            PresenceDay.objects.filter(officer_id__in=officer_ids, day__range=(first_month, end))
            .annotate(month=TruncMonth("day"))
            .values("officer_id", "month")
            .annotate(hours_in=Sum("hours_in"), hours_out=Sum("hours_out"))
            .values_list("officer_id", "month", "hours_in", "hours_out")
        ):
            when = when.date() if isinstance(when, dt.datetime) else when
            sums[(officer_id, when)] = (hours_in or ZERO, hours_out or ZERO)
    months = []
    for back in range(PUBLIC_MONTHS):
        first = month_add(last_month, -back)
        last = month_end(first)
        names: dict[int, str] = {}
        for a in assignments:
            if a.starts_on <= last and (a.ends_on is None or a.ends_on >= first):
                names.setdefault(a.officer_id, a.officer.full_name)
        officers = []
        for officer_id, name in names.items():
            hours = sums.get((officer_id, first))
            officers.append(PublicShare(officer_id, name, share_of(*hours) if hours else None))
        officers.sort(key=lambda o: o.name)
        months.append(PublicMonth(first, officers))
    return months
