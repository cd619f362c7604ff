"""Recording officers' presence in their community, a day at a time (its CSV import, by the
same rules, is `blisko.engagement.services.presence_import`). Hours only: no place, no time
of day, nothing outside working time.

The rules of a day (the same for the pages, the import and the demo):

- One row per officer and day: recording a day again replaces it (`update_or_create` under
  the unique constraint, so two submits at once still store one row).
- Hours in the community and hours elsewhere are decimals ("7,5" or "7.5"), in quarters of an
  hour at most (7.25, 7.5, 7.75), each from 0 to 24, together at most 24 and more than 0 (a day
  off is not recorded: delete it). Hours elsewhere need a reason (AbsenceReason); a reason
  without hours elsewhere is refused.
- The day is not in the future (the officer's country's calendar) and not before the
  officer's first assignment serving an area.
- Who: the officer records their own days, at most DAYS_BACK_OWN (62) days back (about two
  months: this month and the last are always open); older days are corrected by their
  supervisor, who records any day (not in the future) on which the officer served an area the
  supervisor supervises today. Analysts and administrators record none. The system (actor
  None: commands, the demo) records any day.

Every change is one transaction and one audit event (entity "presence", the day's id; action
"created", "replaced" or "deleted"; the day before and after). Recording a day with exactly
what is on record changes nothing and writes no event.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from blisko.core.checks import refused, text_value
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.services import Actor, audit_record
from blisko.core.text import search_key
from blisko.engagement.models import AbsenceReason, PresenceDay
from blisko.engagement.selectors.presence import (
    officer_first_day,
    officer_supervised_by,
    officer_today,
)
from blisko.officers.models import Officer
from blisko.plans.selectors.access import officer_of

ENTITY = "presence"
# How far back an officer records their own days (their supervisor: any day).
DAYS_BACK_OWN = 62
MAX_HOURS = Decimal(24)
NOTE_MAX = 300
_QUARTERS = Decimal(4)
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


# --- one value ---------------------------------------------------------------------------


def hours_value(value: Any, *, field: str, label: Any, required: bool = True) -> Decimal:
    """Hours as a Decimal: "7,5", "7.5", 7.5 or Decimal("7.5"); empty is 0 unless required.
    Refused (400, naming `field`): not a number, negative, over 24, finer than a quarter."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise refused(_("%(label)s: give the number of hours.") % {"label": label}, field)
        return Decimal(0)
    text = str(value).strip().replace("−", "-")
    if text.startswith("-") and _NUMBER.match(text[1:]):
        raise refused(_("%(label)s cannot be negative.") % {"label": label}, field)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        try:
            hours = Decimal(str(value))
        except InvalidOperation:
            hours = Decimal("NaN")
        if not hours.is_finite():
            raise refused(
                _("%(label)s must be a number of hours, such as 7.5 or 7,5.") % {"label": label},
                field,
            )
    else:
        if not _NUMBER.match(text):
            raise refused(
                _("%(label)s must be a number of hours, such as 7.5 or 7,5.") % {"label": label},
                field,
            )
        hours = Decimal(text.replace(",", "."))
    if hours < 0:
        raise refused(_("%(label)s cannot be negative.") % {"label": label}, field)
    if hours > MAX_HOURS:
        raise refused(
            _("%(label)s: a day has at most 24 hours, not %(hours)s.")
            % {"label": label, "hours": _hours_text(hours)},
            field,
        )
    if (hours * _QUARTERS) % 1:
        raise refused(
            _("%(label)s are counted in quarters of an hour at most (such as 7.25, 7.5 or 7.75).")
            % {"label": label},
            field,
        )
    return hours.quantize(Decimal("0.01"))


def _hours_text(hours: Decimal) -> str:
    text = f"{hours.normalize():f}"
    return text


def reason_codes() -> dict[str, str]:
    """Every word accepted for a reason, as a search key (case and diacritics ignored) → its
    code: the codes (hq_duty, training, court, leave, other) and the reasons' names in each of
    the site's languages (uk, pl, en)."""
    words: dict[str, str] = {}
    for code, label in AbsenceReason.choices:
        words[search_key(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                words.setdefault(search_key(str(label)), code)
    return words


def reason_value(value: Any, *, words: dict[str, str] | None = None) -> str:
    """The reason's code from a code or a reason's name in uk/pl/en (any case); "" for none.
    Refused (400, field reason_out) when it is neither."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    code = (words if words is not None else reason_codes()).get(search_key(text))
    if code is None:
        raise refused(
            _("“%(value)s” is not a reason: use HQ duty, training, court, leave or other.")
            % {"value": text[:40]},
            "reason_out",
        )
    return code


def _labels() -> dict[str, str]:
    return {
        "hours_in": _("Hours in the community"),
        "hours_out": _("Hours elsewhere"),
    }


def _pair(hours_in: Decimal, hours_out: Decimal, reason_out: str) -> None:
    """The rules of a day's two numbers together and its reason."""
    total = hours_in + hours_out
    if total > MAX_HOURS:
        raise refused(
            _(
                "Hours in the community and elsewhere add up to %(total)s: a day has at most "
                "24 hours."
            )
            % {"total": _hours_text(total)},
            "hours_out",
        )
    if total == 0:
        raise refused(
            _("A working day has some hours: both are 0. To remove a recorded day, delete it."),
            "hours_in",
        )
    if hours_out > 0 and not reason_out:
        raise refused(
            _("Say why the hours were spent elsewhere: HQ duty, training, court, leave or other."),
            "reason_out",
        )
    if hours_out == 0 and reason_out:
        raise refused(
            _("A reason is given only for hours elsewhere, and there are none."), "reason_out"
        )


def _not_future(day: dt.date, today: dt.date) -> None:
    if day > today:
        raise refused(
            _("%(day)s is in the future: record a day once it is worked.")
            % {"day": day.isoformat()},
            "day",
        )


def _not_before_first(day: dt.date, first: dt.date | None) -> None:
    if first is None:
        raise refused(
            _(
                "The officer has no assignment to an area: presence is recorded for the days "
                "they serve a community."
            ),
            "day",
        )
    if day < first:
        raise refused(
            _("%(day)s is before the officer's first assignment (%(first)s).")
            % {"day": day.isoformat(), "first": first.isoformat()},
            "day",
        )


def _too_old_for_self(day: dt.date, today: dt.date) -> None:
    if day < today - dt.timedelta(days=DAYS_BACK_OWN):
        raise refused(
            _(
                "You record your own days up to %(days)s days back; ask your supervisor to "
                "record %(day)s."
            )
            % {"days": DAYS_BACK_OWN, "day": day.isoformat()},
            "day",
            status=403,
        )


def _not_yours() -> ApplicationError:
    return refused(
        _("You may record presence only for yourself or the officers you supervise."),
        "officer",
        status=403,
    )


def _check_recorder(actor: Actor, officer: Officer, day: dt.date, today: dt.date) -> bool:
    """Refuse (403) an actor who may not record the officer's day; True when the actor records
    their own day. Call after the day is known not to be in the future."""
    if actor is None:
        return False
    own = officer_of(actor)
    if own is None:
        raise _not_yours()
    if own.pk == officer.pk:
        _too_old_for_self(day, today)
        return True
    if not officer_supervised_by(supervisor=own, officer=officer):
        raise _not_yours()
    return False


def _check_supervised_day(actor: Actor, officer: Officer, day: dt.date, is_own: bool) -> None:
    if actor is None or is_own:
        return
    own = officer_of(actor)
    if own is None or not officer_supervised_by(supervisor=own, officer=officer, day=day):
        raise refused(
            _("On %(day)s the officer did not serve an area you supervise.")
            % {"day": day.isoformat()},
            "day",
            status=403,
        )


def _snapshot(row: PresenceDay | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "officer": row.officer_id,
        "day": row.day.isoformat(),
        "hours_in": f"{Decimal(row.hours_in):.2f}",
        "hours_out": f"{Decimal(row.hours_out):.2f}",
        "reason_out": row.reason_out,
        "note": row.note,
    }


def _same(row: PresenceDay, values: dict[str, Any]) -> bool:
    return (
        Decimal(row.hours_in) == values["hours_in"]
        and Decimal(row.hours_out) == values["hours_out"]
        and row.reason_out == values["reason_out"]
        and row.note == values["note"]
    )


def _clean_fields(row: PresenceDay) -> None:
    """The row's own fields (choices, digits, lengths); uniqueness is the upsert's."""
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        fields = getattr(error, "message_dict", {"__all__": error.messages})
        raise ApplicationError(" ".join(error.messages), {"fields": fields}) from error


# --- one day -----------------------------------------------------------------------------


def presence_record(
    *,
    actor: Actor,
    officer: Officer,
    day: dt.date,
    hours_in: Any,
    hours_out: Any = 0,
    reason_out: str = "",
    note: str = "",
) -> PresenceDay:
    """Record (create or replace) the officer's day; see the module's text for the rules.

    Refusals: 400 for bad hours, reason, day or note; 403 when the actor may not record the
    day (not their own nor an officer they supervise that day; their own day too far back).
    Writes one audit event unless the day was already recorded exactly so."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise refused(_("Give the day as a date."), "day")
    today = officer_today(officer)
    _not_future(day, today)
    is_own = _check_recorder(actor, officer, day, today)
    _not_before_first(day, officer_first_day(officer=officer))
    _check_supervised_day(actor, officer, day, is_own)
    labels = _labels()
    value_in = hours_value(hours_in, field="hours_in", label=labels["hours_in"])
    value_out = hours_value(hours_out, field="hours_out", label=labels["hours_out"], required=False)
    if reason_out and reason_out not in AbsenceReason.values:
        reason_out = reason_value(reason_out)
    _pair(value_in, value_out, reason_out)
    text = text_value(note, field="note", label=_("The note"), max_length=NOTE_MAX, required=False)
    values = {"hours_in": value_in, "hours_out": value_out, "reason_out": reason_out, "note": text}
    recorder: Any = (
        actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    )
    _clean_fields(PresenceDay(officer=officer, day=day, recorded_by=recorder, **values))
    with transaction.atomic():
        existing = PresenceDay.objects.select_for_update().filter(officer=officer, day=day).first()
        if existing is not None and _same(existing, values):
            return existing
        before = _snapshot(existing)
        try:
            row, created = PresenceDay.objects.update_or_create(
                officer=officer, day=day, defaults={**values, "recorded_by": recorder}
            )
        except IntegrityError as error:  # the database's own check, should a rule slip
            raise refused(_("The hours of this day cannot be stored."), "hours_in") from error
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=row.pk,
            action="created" if created else "replaced",
            before=None if created else before,
            after=_snapshot(row),
        )
    return row


def presence_delete(*, actor: Actor, officer: Officer, day: dt.date) -> None:
    """Delete the officer's recorded day (who may: as for recording it). 404 when the day is
    not recorded; one audit event."""
    today = officer_today(officer)
    is_own = _check_recorder(actor, officer, day, today)
    _check_supervised_day(actor, officer, day, is_own)
    with transaction.atomic():
        row = PresenceDay.objects.select_for_update().filter(officer=officer, day=day).first()
        if row is None:
            raise NotFoundError(
                _("%(day)s is not recorded.") % {"day": day.isoformat()}, {"field": "day"}
            )
        before = _snapshot(row)
        pk = row.pk
        row.delete()
        audit_record(
            actor=actor, entity=ENTITY, entity_id=pk, action="deleted", before=before, after=None
        )
