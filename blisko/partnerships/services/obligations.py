"""What each party promised and how it keeps it: a memorandum's obligations (added, changed
and removed while it is a draft or in force) and the fulfilment recorded over time.

Each service locks the memorandum (as the signing does, so an obligation never slips in due
before a signature being recorded at the same moment), makes every check before writing, and
writes one audit event ("obligation" or "fulfilment") whose snapshots name the memorandum, so
its history keeps the events of obligations removed since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from blisko.core.checks import refused, text_value
from blisko.core.clock import site_today
from blisko.core.services import Actor, audit_record
from blisko.partnerships.models import (
    Fulfilment,
    FulfilmentState,
    Memorandum,
    MemorandumArea,
    MemorandumStatus,
    Obligation,
    ObligationKind,
    Partner,
    PartyKind,
    Recurrence,
)
from blisko.partnerships.selectors.access import user_may_record_fulfilment
from blisko.partnerships.services.memoranda import memorandum_lock, status_label, writer_check

OBLIGATION, FULFILMENT = "obligation", "fulfilment"
# The memoranda whose obligations may change: being written, or in force (a promise added
# along the way).
OBLIGATIONS_OPEN = (MemorandumStatus.DRAFT, MemorandumStatus.IN_FORCE)
TEXT_MAX = {"description": 2000, "evidence": 500, "note": 2000}


@dataclass
class ObligationInput:
    """What a party promised. `party` is "police", one of the memorandum's community parties
    or partners (the row, or a token "community:<id>" / "partner:<id>" as the form sends)."""

    party: Any
    kind: str
    description: str
    due_on: dt.date | None = None
    recurrence: str = Recurrence.ONCE


def party_token(obligation: Obligation) -> str:
    """The obligation's party as the form names it: "police", "community:<id>", "partner:<id>"."""
    if obligation.party_kind == PartyKind.COMMUNITY:
        return f"community:{obligation.party_area_id}"
    if obligation.party_kind == PartyKind.PARTNER:
        return f"partner:{obligation.party_partner_id}"
    return PartyKind.POLICE


def _party(memorandum: Memorandum, party: Any) -> tuple[str, MemorandumArea | None, Partner | None]:
    if isinstance(party, str) and ":" in party:
        kind, _sep, raw = party.partition(":")
        try:
            pk = int(raw)
        except ValueError:
            pk = 0
        if kind == PartyKind.COMMUNITY:
            party = (
                MemorandumArea.objects.select_related("area")
                .defer("area__boundary")
                .filter(pk=pk)
                .first()
            )
        elif kind == PartyKind.PARTNER:
            party = Partner.objects.filter(pk=pk).first()
        else:
            party = None
    if party == PartyKind.POLICE:
        return PartyKind.POLICE, None, None
    if isinstance(party, MemorandumArea | Partner):
        if party.memorandum_id != memorandum.pk:
            raise refused(
                _("That party belongs to another memorandum: choose one of this one's parties."),
                "party",
            )
        if isinstance(party, MemorandumArea):
            return PartyKind.COMMUNITY, party, None
        return PartyKind.PARTNER, None, party
    raise refused(_("Choose which party promises it."), "party")


def _fields(memorandum: Memorandum, data: ObligationInput) -> dict[str, Any]:
    party_kind, party_area, party_partner = _party(memorandum, data.party)
    if data.kind not in ObligationKind.values:
        raise refused(_("Choose what is promised (an office, a vehicle, fuel...)."), "kind")
    description = text_value(
        data.description,
        field="description",
        label=_("The description"),
        max_length=TEXT_MAX["description"],
    )
    recurrence = data.recurrence or Recurrence.ONCE
    if recurrence not in Recurrence.values:
        raise refused(_("Choose how often it is due."), "recurrence")
    due_on = data.due_on
    if due_on is not None and (not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime)):
        raise refused(_("Give the due date as a date, or leave it empty."), "due_on")
    if recurrence != Recurrence.ONCE and due_on is None:
        raise refused(
            _("A recurring obligation needs its first due date: its periods count from it."),
            "due_on",
        )
    if due_on is not None and memorandum.signed_on is not None and due_on < memorandum.signed_on:
        raise refused(
            _(
                "The obligation cannot be due on %(due)s, before the memorandum was signed (%(day)s)."
            )
            % {"due": due_on.isoformat(), "day": memorandum.signed_on.isoformat()},
            "due_on",
        )
    if (
        due_on is not None
        and memorandum.valid_until is not None
        and due_on > memorandum.valid_until
    ):
        raise refused(
            _("The obligation cannot be due on %(due)s, after the memorandum ends (%(day)s).")
            % {"due": due_on.isoformat(), "day": memorandum.valid_until.isoformat()},
            "due_on",
        )
    return {
        "party_kind": party_kind,
        "party_area": party_area,
        "party_partner": party_partner,
        "kind": data.kind,
        "description": description,
        "due_on": due_on,
        "recurrence": recurrence,
    }


def obligation_snapshot(obligation: Obligation) -> dict[str, Any]:
    """The obligation as JSON, for its audit events (naming its memorandum)."""
    return {
        "memorandum": obligation.memorandum_id,
        "party": party_token(obligation),
        "party_name": obligation.party_name,
        "kind": obligation.kind,
        "description": obligation.description,
        "due_on": obligation.due_on.isoformat() if obligation.due_on else None,
        "recurrence": obligation.recurrence,
    }


def _open_memorandum(memorandum: Memorandum, actor: Actor) -> Memorandum:
    locked = memorandum_lock(memorandum)
    if locked.status not in OBLIGATIONS_OPEN:
        raise refused(
            _("The obligations of a memorandum that is “%(status)s” cannot change.")
            % {"status": status_label(locked.status)},
            "status",
            status=409,
        )
    writer_check(locked, actor)
    return locked


def obligation_add(*, actor: Actor, memorandum: Memorandum, data: ObligationInput) -> Obligation:
    """Add an obligation of one party to the memorandum.

    Preconditions: the memorandum is a draft or in force; the actor may write it; the party is
    the police or one of this memorandum's community parties or partners; the kind is one of
    ObligationKind with a description; a recurring obligation has its first due date; the
    due date is not before the signature nor after the memorandum's last day. Effects: the
    obligation and an audit event "obligation created"."""
    with transaction.atomic():
        locked = _open_memorandum(memorandum, actor)
        obligation = Obligation.objects.create(memorandum=locked, **_fields(locked, data))
        audit_record(
            actor=actor,
            entity=OBLIGATION,
            entity_id=obligation.pk,
            action="created",
            after=obligation_snapshot(obligation),
        )
    return obligation


def obligation_update(*, actor: Actor, obligation: Obligation, data: ObligationInput) -> Obligation:
    """Change an obligation (its party, kind, description, due date, recurrence).

    Preconditions: as obligation_add. Effects: the fields saved (its fulfilment stays); an
    audit event "changed" with before and after."""
    with transaction.atomic():
        locked = _open_memorandum(obligation.memorandum, actor)
        row = Obligation.objects.select_for_update().get(pk=obligation.pk)
        fields = _fields(locked, data)
        before = obligation_snapshot(row)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            entity=OBLIGATION,
            entity_id=row.pk,
            action="changed",
            before=before,
            after=obligation_snapshot(row),
        )
    return row


def obligation_remove(*, actor: Actor, obligation: Obligation) -> None:
    """Remove an obligation that has no fulfilment recorded (what was recorded stays: its
    history is the memorandum's).

    Preconditions: the memorandum is a draft or in force; the actor may write it. Effects: the
    obligation deleted; an audit event "removed" with what it was."""
    with transaction.atomic():
        _open_memorandum(obligation.memorandum, actor)
        row = Obligation.objects.select_for_update().filter(pk=obligation.pk).first()
        if row is None:
            raise refused(_("The obligation is already removed."), "obligation", status=409)
        if row.fulfilments.exists():
            raise refused(
                _("Its fulfilment is on record, so the obligation stays: change it instead."),
                "obligation",
                status=409,
            )
        before = obligation_snapshot(row)
        pk = row.pk
        row.delete()
        audit_record(actor=actor, entity=OBLIGATION, entity_id=pk, action="removed", before=before)


def fulfilment_snapshot(fulfilment: Fulfilment) -> dict[str, Any]:
    """The fulfilment as JSON, for its audit event (naming its obligation and memorandum)."""
    return {
        "memorandum": fulfilment.obligation.memorandum_id,
        "obligation": fulfilment.obligation_id,
        "on": fulfilment.on.isoformat(),
        "state": fulfilment.state,
        "evidence": fulfilment.evidence,
        "note": fulfilment.note,
    }


def fulfilment_record(
    *,
    actor: Actor,
    obligation: Obligation,
    on: dt.date,
    state: str,
    evidence: str = "",
    note: str = "",
) -> Fulfilment:
    """Record how an obligation was kept on a day: fulfilled, partly or not, with the evidence.

    Preconditions: the memorandum is in force; the actor may record it (whoever may write it,
    or an officer serving one of its communities); `on` is between the signature and today;
    the state is one of FulfilmentState; the texts within their lengths. Effects: the
    fulfilment (recorded by the actor) and an audit event "fulfilment recorded"."""
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise refused(_("Give the day it was checked."), "on")
    if state not in FulfilmentState.values:
        raise refused(_("Choose whether it was fulfilled, partly or not."), "state")
    evidence = text_value(
        evidence,
        field="evidence",
        label=_("The evidence"),
        max_length=TEXT_MAX["evidence"],
        required=False,
    )
    note = text_value(
        note, field="note", label=_("The note"), max_length=TEXT_MAX["note"], required=False
    )
    if on > site_today():
        raise refused(_("The day it was checked cannot be in the future."), "on")
    with transaction.atomic():
        locked = memorandum_lock(obligation.memorandum)
        if locked.status != MemorandumStatus.IN_FORCE:
            raise refused(
                _("Fulfilment is recorded while the memorandum is in force; it is “%(status)s”.")
                % {"status": status_label(locked.status)},
                "status",
                status=409,
            )
        if actor is not None and not user_may_record_fulfilment(user=actor, memorandum=locked):
            raise refused(
                _("Only the police of its communities can record the fulfilment."),
                "status",
                status=403,
            )
        if not Obligation.objects.filter(pk=obligation.pk, memorandum=locked).exists():
            raise refused(_("The obligation is no longer there."), "obligation", status=409)
        if locked.signed_on is not None and on < locked.signed_on:
            raise refused(
                _("The day cannot be before the memorandum was signed (%(day)s).")
                % {"day": locked.signed_on.isoformat()},
                "on",
            )
        if locked.valid_until is not None and on > locked.valid_until:
            raise refused(
                _("The day cannot be after the memorandum's last day (%(day)s).")
                % {"day": locked.valid_until.isoformat()},
                "on",
            )
        fulfilment = Fulfilment.objects.create(
            obligation=obligation,
            on=on,
            state=state,
            evidence=evidence,
            note=note,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,  # type: ignore[misc]
        )
        audit_record(
            actor=actor,
            entity=FULFILMENT,
            entity_id=fulfilment.pk,
            action="recorded",
            after=fulfilment_snapshot(fulfilment),
            note=note,
        )
    return fulfilment
