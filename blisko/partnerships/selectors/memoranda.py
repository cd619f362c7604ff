"""Reading memoranda: a user's list (filtered by status and text), one memorandum's history,
and how each obligation stands today, with a summary per memorandum.

An obligation's **standing**: for one due once, the latest fulfilment recorded (fulfilled,
partly, not), and with nothing recorded *pending* while not yet due (or without a due date)
and *overdue* once its due day has passed. A recurring one (every month, quarter or year,
counted from its first due date) is kept within each period: it stands as the fulfilment
recorded in the current period; with none yet it is *pending* (due by the period's last day)
when the previous period had one (or this is the first period), and *overdue* when the
previous period ended with nothing recorded (its standing then names that period). A draft's
obligations are all pending; those of a memorandum that ended stand as they did on its last
day (a last period with nothing recorded is overdue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from blisko.core.clock import site_today
from blisko.core.models import AuditEvent
from blisko.partnerships.models import (
    Fulfilment,
    FulfilmentState,
    Memorandum,
    MemorandumArea,
    MemorandumStatus,
    Obligation,
    Partner,
    Recurrence,
)
from blisko.partnerships.selectors.access import memoranda_for_user
from blisko.plans.services.plans import add_months

PENDING, OVERDUE = "pending", "overdue"
FULFILLED, PARTLY, NOT = FulfilmentState.FULFILLED, FulfilmentState.PARTLY, FulfilmentState.NOT
# The standings in the order the summaries count them.
STANDINGS = (FULFILLED, PARTLY, NOT, OVERDUE, PENDING)
STANDING_LABELS = {
    FULFILLED: _("fulfilled"),
    PARTLY: _("partly fulfilled"),
    NOT: _("not fulfilled"),
    OVERDUE: _("overdue"),
    PENDING: _("pending"),
}
_STEP_MONTHS: dict[str, int] = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.YEARLY: 12,
}
# Entities of the memoranda's audit events (blisko.partnerships.services).
MEMORANDUM_ENTITY, OBLIGATION_ENTITY, FULFILMENT_ENTITY = "memorandum", "obligation", "fulfilment"


@dataclass
class Standing:
    """How an obligation stands: `kind` one of STANDINGS; the fulfilment it rests on (if any);
    for a recurring obligation, the current period (first and last day) and the day this
    period's occurrence is due."""

    kind: str
    fulfilment: Fulfilment | None = None
    period: tuple[dt.date, dt.date] | None = None
    due_on: dt.date | None = None

    @property
    def label(self) -> str:
        return str(STANDING_LABELS[self.kind])


def memorandum_list(*, user: Any, status: str = "", query: str = "") -> QuerySet[Memorandum]:
    """The memoranda `user` may see, drafts and the newest signed first, optionally of one
    status and matching a text (title, number, a community's name, a head's or a partner's
    name)."""
    memoranda = memoranda_for_user(user)
    if status:
        memoranda = memoranda.filter(status=status)
    query = (query or "").strip()
    if query:
        parties = MemorandumArea.objects.filter(
            Q(area__name_official__icontains=query)
            | Q(area__name_uk__icontains=query)
            | Q(area__name_pl__icontains=query)
            | Q(area__name_en__icontains=query)
            | Q(area__code__iexact=query)
            | Q(head_name__icontains=query)
        ).values("memorandum_id")
        partners = Partner.objects.filter(name__icontains=query).values("memorandum_id")
        memoranda = memoranda.filter(
            Q(title__icontains=query)
            | Q(number__icontains=query)
            | Q(pk__in=parties)
            | Q(pk__in=partners)
        )
    return memoranda.order_by(F("signed_on").desc(nulls_first=True), "-pk")


def memorandum_history(*, memorandum: Memorandum) -> list[AuditEvent]:
    """The memorandum's audit events and those of its obligations and their fulfilment (also
    of obligations removed since), newest first."""
    pk = memorandum.pk
    # Removed obligations: their last event names the memorandum; their earlier ones follow.
    removed = AuditEvent.objects.filter(
        entity=OBLIGATION_ENTITY, action="removed", before__memorandum=pk
    ).values_list("entity_id", flat=True)
    obligations = [str(o) for o in memorandum.obligations.values_list("pk", flat=True)]
    obligations += list(removed)
    fulfilments = [
        str(f)
        for f in Fulfilment.objects.filter(obligation__memorandum=memorandum).values_list(
            "pk", flat=True
        )
    ]
    return list(
        AuditEvent.objects.filter(
            Q(entity=MEMORANDUM_ENTITY, entity_id=str(pk))
            | Q(entity=OBLIGATION_ENTITY, entity_id__in=obligations)
            | Q(entity=FULFILMENT_ENTITY, entity_id__in=fulfilments)
        )
        .select_related("actor__officer")
        .order_by("-at", "-pk")
    )


def _cutoff(memorandum: Memorandum, today: dt.date) -> tuple[dt.date, dt.date]:
    """The day the standing is read on (today, or the memorandum's last day if it ended
    earlier) and the first day on which something due is late (today; the day after the end
    for a memorandum that ended)."""
    end = memorandum.valid_until
    if memorandum.terminated_on is not None:
        last = memorandum.terminated_on - dt.timedelta(days=1)
        end = last if end is None else min(end, last)
    if end is not None and end < today:
        return end, end + dt.timedelta(days=1)
    return today, today


def _latest(fulfilments: list[Fulfilment]) -> Fulfilment | None:
    return max(fulfilments, key=lambda f: (f.on, f.pk), default=None)


def _period(due_on: dt.date, months: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period (first and last day) of a recurrence every `months` months from `due_on`
    that holds `day` (on or after `due_on`); counted from `due_on` each time, so a 31st stays
    the month's last day."""
    k = ((day.year - due_on.year) * 12 + day.month - due_on.month) // months
    while k > 0 and add_months(due_on, k * months) > day:
        k -= 1
    while add_months(due_on, (k + 1) * months) <= day:
        k += 1
    start = add_months(due_on, k * months)
    return start, add_months(due_on, (k + 1) * months) - dt.timedelta(days=1)


def obligation_standing(*, obligation: Obligation, today: dt.date | None = None) -> Standing:
    """How the obligation stands on `today` (see the module's text). Reads
    `obligation.fulfilments.all()` and `obligation.memorandum`: prefetch them for many."""
    today = today or site_today()
    memorandum = obligation.memorandum
    if memorandum.status == MemorandumStatus.DRAFT:
        return Standing(PENDING, due_on=obligation.due_on)
    as_of, late_from = _cutoff(memorandum, today)
    fulfilments = [f for f in obligation.fulfilments.all() if f.on <= as_of]
    due_on = obligation.due_on
    months = _STEP_MONTHS.get(obligation.recurrence)
    if months is None or due_on is None:
        latest = _latest(fulfilments)
        if latest is not None:
            return Standing(latest.state, fulfilment=latest, due_on=due_on)
        if due_on is not None and due_on < late_from:
            return Standing(OVERDUE, due_on=due_on)
        return Standing(PENDING, due_on=due_on)
    if as_of < due_on:
        first = (due_on, add_months(due_on, months) - dt.timedelta(days=1))
        return Standing(PENDING, period=first, due_on=due_on)
    start, end = _period(due_on, months, as_of)
    latest = _latest([f for f in fulfilments if start <= f.on <= end])
    if latest is not None:
        return Standing(latest.state, fulfilment=latest, period=(start, end), due_on=end)
    if late_from > as_of:
        # The memorandum ended: its last period went by with nothing recorded.
        return Standing(OVERDUE, period=(start, end), due_on=end)
    if start == due_on:
        return Standing(PENDING, period=(start, end), due_on=end)
    before = _period(due_on, months, start - dt.timedelta(days=1))
    if any(before[0] <= f.on <= before[1] for f in fulfilments):
        return Standing(PENDING, period=(start, end), due_on=end)
    return Standing(OVERDUE, period=before, due_on=before[1])


def standing_counts(standings: list[Standing]) -> dict[str, int]:
    """How many obligations stand each way (every kind of STANDINGS, and "total")."""
    counts = dict.fromkeys(STANDINGS, 0)
    for standing in standings:
        counts[standing.kind] += 1
    counts["total"] = len(standings)
    return counts


def memorandum_obligations(
    *, memorandum: Memorandum, today: dt.date | None = None
) -> list[Obligation]:
    """The memorandum's obligations, each with its party, its fulfilment (newest first) and
    `standing` (see obligation_standing)."""
    today = today or site_today()
    obligations = list(
        memorandum.obligations.select_related("party_area__area", "party_partner")
        .defer("party_area__area__boundary")
        .prefetch_related(
            Prefetch(
                "fulfilments",
                queryset=Fulfilment.objects.select_related("recorded_by__officer").order_by(
                    "-on", "-pk"
                ),
            )
        )
    )
    for obligation in obligations:
        obligation.memorandum = memorandum
        obligation.standing = obligation_standing(obligation=obligation, today=today)  # type: ignore[attr-defined]
    return obligations


def memorandum_summary(*, memorandum: Memorandum, today: dt.date | None = None) -> dict[str, int]:
    """How many of the memorandum's obligations stand each way (see standing_counts)."""
    return standing_counts(
        [o.standing for o in memorandum_obligations(memorandum=memorandum, today=today)]  # type: ignore[attr-defined]
    )


def memoranda_summaries(
    memoranda: list[Memorandum], *, today: dt.date | None = None
) -> list[Memorandum]:
    """The memoranda, each with `summary_counts` (see standing_counts), in a few queries for
    a page of a list or the community's page."""
    today = today or site_today()
    prefetch_related_objects(memoranda, "obligations__fulfilments")
    for memorandum in memoranda:
        standings = []
        for obligation in memorandum.obligations.all():
            obligation.memorandum = memorandum
            standings.append(obligation_standing(obligation=obligation, today=today))
        memorandum.summary_counts = standing_counts(standings)  # type: ignore[attr-defined]
    return memoranda
