"""The memorandum's workflow: its status moves along ALLOWED_TRANSITIONS only.

draft → in force (signed, on a day no later than today) → expired (past its last day, by the
`partnerships_expire` command) or terminated (on a day, with a reason).

Each move is one public service over one private `_transition`, which locks the memorandum's
police unit and the memorandum (`memorandum_lock`: so two memoranda of one unit are never
signed at once, the second sees the first), checks that its status is still the one the caller
read (else 409: someone moved it meanwhile), that the table allows the move and that the actor
may make it (whoever may write the memorandum; the expiry is the system's), and writes an audit
event "memorandum" (who, when, from, to, note). A document given with the signature is stored
only once every check has passed, and deleted again if the transaction fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from blisko.core.checks import refused, text_value
from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record
from blisko.partnerships.models import Memorandum, MemorandumStatus
from blisko.partnerships.selectors.access import is_administrator
from blisko.partnerships.services.memoranda import (
    ENTITY,
    TEXT_MAX,
    document_check,
    document_store,
    file_delete,
    file_delete_after_commit,
    memorandum_lock,
    memorandum_moved_meanwhile,
    memorandum_snapshot,
    status_label,
    writer_check,
)

S = MemorandumStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_FORCE}),
    S.IN_FORCE: frozenset({S.EXPIRED, S.TERMINATED}),
    S.EXPIRED: frozenset(),
    S.TERMINATED: frozenset(),
}
# Who makes each move: whoever may write the memorandum, or the system (the expiry command).
WRITER, SYSTEM = "writer", "system"
MOVER: dict[str, str] = {S.IN_FORCE: WRITER, S.TERMINATED: WRITER, S.EXPIRED: SYSTEM}


def _check_mover(memorandum: Memorandum, actor: Actor, to: str) -> None:
    if actor is None:
        return  # the system: the expiry command, the demo
    if MOVER[to] == SYSTEM and not is_administrator(actor):
        raise refused(_("A memorandum expires by itself after its last day."), "status", 403)
    if MOVER[to] == WRITER:
        writer_check(memorandum, actor)


def _transition(
    memorandum: Memorandum,
    actor: Actor,
    to: str,
    *,
    note: str = "",
    prepare: Callable[[Memorandum, list[str]], None] | None = None,
    **fields: Any,
) -> Memorandum:
    """Move `memorandum` to `to`; the one way a memorandum's status changes (see the module's
    text). `memorandum.status` is the status the caller read; `prepare(locked, stored)` makes
    the move's own checks (and stores the document, its name in `stored`) while the locks are
    held."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = memorandum_lock(memorandum)
            from_status = locked.status
            if from_status != memorandum.status:
                raise memorandum_moved_meanwhile(from_status)
            if to not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
                raise ApplicationError(
                    _("A memorandum that is “%(from)s” cannot become “%(to)s”.")
                    % {"from": status_label(from_status), "to": status_label(to)},
                    {"from": from_status, "to": to, "field": "status"},
                    status=409,
                )
            _check_mover(locked, actor, to)
            before = memorandum_snapshot(locked)
            for name, value in fields.items():
                setattr(locked, name, value)
            previous = locked.document.name or ""
            if prepare is not None:
                prepare(locked, stored)
            locked.status = to
            locked.save(
                update_fields=["status", *fields, "document", "document_sha256", "updated_at"]
            )
            after = memorandum_snapshot(locked)
            audit_record(
                actor=actor,
                entity=ENTITY,
                entity_id=locked.pk,
                action=to,
                before={k: v for k, v in before.items() if before[k] != after[k]},
                after={k: v for k, v in after.items() if before[k] != after[k]},
                note=note,
            )
            file_delete_after_commit(previous, locked.document.name or "")
    except IntegrityError:
        for name in stored:
            file_delete(name)
        raise refused(_("The memorandum's dates do not fit together."), "signed_on") from None
    except BaseException:
        for name in stored:
            file_delete(name)
        raise
    return locked


def _date(value: Any, field_name: str, what: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise refused(what, field_name)
    return value


def _overlapping(locked: Memorandum, signed_on: dt.date) -> Memorandum | None:
    """Another memorandum in force of the same unit with one of the same communities whose
    period meets this one's (an open end reaches forever)."""
    others = Memorandum.objects.filter(
        status=S.IN_FORCE,
        unit_id=locked.unit_id,
        parties__area__in=locked.parties.values("area_id"),
    ).exclude(pk=locked.pk)
    others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=signed_on))
    if locked.valid_until is not None:
        others = others.filter(signed_on__lte=locked.valid_until)
    return others.order_by("signed_on", "pk").first()


def memorandum_sign(
    *, actor: Actor, memorandum: Memorandum, signed_on: dt.date, document: Any = None
) -> Memorandum:
    """Record the memorandum as signed, optionally with the signed document: draft → in force.

    Preconditions: the actor may write it; `signed_on` is no later than today and no later
    than its last day (valid_until); no obligation is due before `signed_on`; no other
    memorandum of the same unit with one of its communities is in force over any part of its
    period (open ends reaching forever); a document passes `document_check`. Effects: status,
    signed_on, the document; an audit event "in_force". Of two overlapping memoranda signed at
    once one wins; the other is refused (409): the unit's row is locked while signing."""
    signed_on = _date(signed_on, "signed_on", _("Give the day the memorandum was signed."))
    if signed_on > site_today():
        raise refused(_("The day of signing cannot be in the future."), "signed_on")
    sha = document_check(document) if document is not None else ""

    def prepare(locked: Memorandum, stored: list[str]) -> None:
        if locked.valid_until is not None and locked.valid_until < signed_on:
            raise refused(
                _(
                    "The memorandum is valid until %(until)s, before the day of signing "
                    "(%(day)s): change its last day first."
                )
                % {"until": locked.valid_until.isoformat(), "day": signed_on.isoformat()},
                "valid_until",
            )
        early = locked.obligations.filter(due_on__lt=signed_on).order_by("due_on", "pk").first()
        if early is not None:
            raise refused(
                _(
                    "An obligation (“%(what)s”) is due on %(due)s, before the day of signing: "
                    "change its due date first."
                )
                % {"what": early.description[:80], "due": early.due_on.isoformat()},  # type: ignore[union-attr]
                "signed_on",
            )
        other = _overlapping(locked, signed_on)
        if other is not None:
            raise refused(
                _(
                    "“%(title)s” (signed on %(day)s, %(until)s) is already in force for the "
                    "same community and police unit over this period."
                )
                % {
                    "title": other.title,
                    "day": other.signed_on.isoformat() if other.signed_on else "—",
                    "until": (
                        _("until %(day)s") % {"day": other.valid_until.isoformat()}
                        if other.valid_until
                        else _("open-ended")
                    ),
                },
                "signed_on",
                status=409,
            )
        if document is not None:
            document_store(locked, document, sha, stored)

    return _transition(memorandum, actor, S.IN_FORCE, prepare=prepare, signed_on=signed_on)


def memorandum_terminate(
    *, actor: Actor, memorandum: Memorandum, terminated_on: dt.date, reason: str
) -> Memorandum:
    """End a memorandum in force before its time, saying why: in force → terminated.

    Preconditions: the actor may write it; `terminated_on` is between the day of signing and
    today (and not after its last day: then it expires); a reason. Effects: status,
    terminated_on, termination_reason; an audit event "terminated" with the reason."""
    terminated_on = _date(terminated_on, "terminated_on", _("Give the day it ends."))
    reason = text_value(
        reason,
        field="termination_reason",
        label=_("The reason for termination"),
        max_length=TEXT_MAX["termination_reason"],
    )
    if terminated_on > site_today():
        raise refused(_("The day of termination cannot be in the future."), "terminated_on")

    def prepare(locked: Memorandum, stored: list[str]) -> None:
        if locked.signed_on is not None and terminated_on < locked.signed_on:
            raise refused(
                _("The memorandum was signed on %(day)s: it cannot end before that.")
                % {"day": locked.signed_on.isoformat()},
                "terminated_on",
            )
        if locked.valid_until is not None and terminated_on > locked.valid_until:
            raise refused(
                _("The memorandum ended on %(day)s already: it expires, it is not terminated.")
                % {"day": locked.valid_until.isoformat()},
                "terminated_on",
            )

    return _transition(
        memorandum,
        actor,
        S.TERMINATED,
        note=reason,
        prepare=prepare,
        terminated_on=terminated_on,
        termination_reason=reason,
    )


def memoranda_to_expire(*, today: dt.date | None = None) -> list[Memorandum]:
    """The memoranda in force whose last day (valid_until) is before `today`."""
    today = today or site_today()
    return list(
        Memorandum.objects.filter(status=S.IN_FORCE, valid_until__lt=today)
        .select_related("unit")
        .order_by("valid_until", "pk")
    )


def memoranda_expire(
    *,
    today: dt.date | None = None,
    progress: Callable[[Memorandum, str], None] | None = None,
) -> list[Memorandum]:
    """Record every memorandum in force past its last day as expired (the system's move, one
    transaction and audit event "expired" each). One changed meanwhile (terminated) is left as
    it is. `progress(memorandum, outcome)` hears of each ("expired" or the refusal). Returns
    the memoranda expired."""
    done = []
    for memorandum in memoranda_to_expire(today=today):
        try:
            done.append(_transition(memorandum, None, S.EXPIRED))
        except ApplicationError as error:
            if progress is not None:
                progress(memorandum, error.message)
            continue
        if progress is not None:
            progress(memorandum, "expired")
    return done
