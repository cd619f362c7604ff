"""Recording officers' presence in their community, a day at a time, and importing it from a
CSV. Hours only: no place, no time of day, nothing outside working time.

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

The import (`presence_import`) checks every row first and writes nothing if any row has an
error; with `commit` and no errors it writes every row in one transaction, with **one audit
event per row written** (as a day recorded on the page has; note "CSV import <sha256>"). Rows
identical to what is on record are counted as unchanged and not written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from blisko.core.checks import refused, text_value
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.core.models import AuditEvent
from blisko.core.services import Actor, audit_record
from blisko.core.text import search_key
from blisko.engagement.models import AbsenceReason, PresenceDay
from blisko.engagement.selectors.presence import (
    first_days,
    officer_first_day,
    officer_supervised_by,
    officer_today,
    serving_assignments,
    supervised_area_ids,
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


# --- the import --------------------------------------------------------------------------

COLUMNS = ("date", "badge_number", "hours_in", "hours_out", "reason")
OPTIONAL_COLUMNS = ("note",)
PROGRESS_EVERY = 1000
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class PresenceImportResult:
    """What an import read and did (or, in a dry run, would do)."""

    rows: int = 0
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    committed: bool = False
    sha256: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    officer: Officer
    day: dt.date
    hours_in: Decimal
    hours_out: Decimal
    reason_out: str
    note: str


def _text_of(rows: bytes | str | Iterable[str] | Iterable[bytes]) -> tuple[str, str]:
    """The file's text (a BOM dropped) and the SHA-256 of its bytes."""
    if isinstance(rows, str):
        data = rows.encode("utf-8")
    elif isinstance(rows, bytes | bytearray | memoryview):
        data = bytes(rows)
    else:
        data = b"".join(
            line if isinstance(line, bytes) else str(line).encode("utf-8") for line in rows
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise refused(
            _("The file is not UTF-8 text (line %(line)s). Save it as CSV UTF-8.") % {"line": line},
            "file",
        ) from None
    return text, hashlib.sha256(data).hexdigest()


def _delimiter(header: str) -> str:
    """The header's delimiter: a semicolon or a comma, whichever csv's sniffer finds (the more
    frequent one when it cannot tell)."""
    try:
        return csv.Sniffer().sniff(header, delimiters=";,").delimiter
    except csv.Error:
        return ";" if header.count(";") > header.count(",") else ","


def day_value(text: str) -> dt.date | None:
    """A day written as YYYY-MM-DD or DD.MM.YYYY; None when it is neither or no such day."""
    text = text.strip()
    match = _ISO_DAY.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DOTTED_DAY.match(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


class _Permission:
    """Whose days the import's actor may record: the system any; an officer their own (62 days
    back) and those of the officers they supervise on the days those served their areas."""

    def __init__(self, actor: Actor, officers: list[Officer]):
        self.system = actor is None
        self.own_id: int | None = None
        self.periods: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        if self.system:
            return
        own = officer_of(actor)
        if own is None:
            raise _not_yours()
        self.own_id = own.pk
        areas = supervised_area_ids(officer=own)
        if areas and officers:
            for officer_id, starts_on, ends_on in (
                # Every term in the supervisor's areas until today, as `officer_supervised_by`.
                serving_assignments(area_ids=areas, start=dt.date.min, end=timezone.localdate())
                .filter(officer_id__in=[o.pk for o in officers])
                .exclude(officer_id=own.pk)
                .values_list("officer_id", "starts_on", "ends_on")
            ):
                self.periods[officer_id].append((starts_on, ends_on))

    def reaches(self, officer: Officer) -> bool:
        return self.system or officer.pk == self.own_id or officer.pk in self.periods

    def check(self, officer: Officer, day: dt.date, today: dt.date) -> None:
        if self.system:
            return
        if officer.pk == self.own_id:
            _too_old_for_self(day, today)
            return
        if not any(s <= day and (e is None or e >= day) for s, e in self.periods[officer.pk]):
            raise refused(
                _("On %(day)s the officer did not serve an area you supervise.")
                % {"day": day.isoformat()},
                "day",
                status=403,
            )


def presence_import(
    *,
    rows: bytes | str | Iterable[str] | Iterable[bytes],
    actor: Actor = None,
    commit: bool = False,
    progress: Progress | None = None,
) -> PresenceImportResult:
    """Check the CSV's every row and, with `commit` and no error, record them all in one
    transaction (each created or replaced; see the module's text). With any error, or
    without `commit`, nothing is written; the result counts what would be created, replaced
    or left unchanged, and lists each error with its line.

    The file: UTF-8 (with or without BOM), a header row naming the columns date,
    badge_number, hours_in, hours_out and reason (any order and case; an optional note),
    fields separated by `;` or `,` (sniffed from the header). Dates as YYYY-MM-DD or
    DD.MM.YYYY; hours as for a day on the page ("7,5" needs quotes with commas between
    fields, or semicolons); hours_out empty means 0; the reason as a code (hq_duty, training,
    court, leave, other) or the reason's name in Ukrainian, Polish or English, in any case.

    Raises ApplicationError (400, field "file") for a file that cannot be read as a whole (not
    UTF-8, no header, a column missing, no rows) and 403 for an actor who records for no one.
    `progress(stage, done, total)` is called every PROGRESS_EVERY rows ("checked", "written").
    """
    text, sha256 = _text_of(rows)
    result = PresenceImportResult(sha256=sha256)
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise refused(_("The file is empty: its first line must be the header."), "file")
    delimiter = _delimiter(lines[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as error:
        raise refused(_("The header cannot be read: %(error)s") % {"error": error}, "file")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise refused(
            _(
                "The header has no column %(missing)s. The first line must name the columns "
                "date, badge_number, hours_in, hours_out and reason, separated by semicolons "
                "or commas."
            )
            % {"missing": ", ".join(missing)},
            "file",
        )
    at = {name: header.index(name) for name in COLUMNS + OPTIONAL_COLUMNS if name in header}
    raw: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            raw.append(
                (
                    reader.line_num,
                    {n: (cells[i].strip() if i < len(cells) else "") for n, i in at.items()},
                )
            )
    except csv.Error as error:
        raise refused(
            _("Line %(line)s cannot be read: %(error)s")
            % {"line": reader.line_num, "error": error},
            "file",
        )
    if not raw:
        raise refused(_("The file has a header but no rows."), "file")
    result.rows = len(raw)
    good = _check_rows(raw, actor, result, progress)
    if result.errors:
        return result
    with transaction.atomic():
        existing = _existing(good, lock=commit)
        for row in good:
            before = existing.get((row.officer.pk, row.day))
            if before is None:
                result.created += 1
            elif _same(before, _values(row)):
                result.unchanged += 1
            else:
                result.replaced += 1
        if commit:
            _write(good, existing, actor, result, progress)
    result.committed = commit
    return result


def _values(row: _Row) -> dict[str, Any]:
    return {
        "hours_in": row.hours_in,
        "hours_out": row.hours_out,
        "reason_out": row.reason_out,
        "note": row.note,
    }


def _check_rows(
    raw: list[tuple[int, dict[str, str]]],
    actor: Actor,
    result: PresenceImportResult,
    progress: Progress | None,
) -> list[_Row]:
    """Every row's errors into `result`, in the file's order; the rows without any."""
    badges = {cells["badge_number"] for _line, cells in raw if cells["badge_number"]}
    officers = {
        o.badge_number: o
        for o in Officer.objects.select_related("unit").filter(badge_number__in=badges)
    }
    permission = _Permission(actor, list(officers.values()))
    firsts = first_days(officer_ids=[o.pk for o in officers.values()])
    todays: dict[str, dt.date] = {}
    words = reason_codes()
    labels = _labels()
    seen: dict[tuple[int, dt.date], int] = {}
    good: list[_Row] = []
    total = len(raw)

    for index, (line, cells) in enumerate(raw, start=1):
        problems: list[str] = []
        day = day_value(cells["date"])
        if day is None:
            problems.append(
                _("the date must be YYYY-MM-DD or DD.MM.YYYY, not “%(value)s”.")
                % {"value": cells["date"][:20]}
            )
        badge = cells["badge_number"]
        officer = officers.get(badge)
        if officer is None or not permission.reaches(officer):
            officer = None
            if not badge:
                problems.append(_("the badge number is missing."))
            elif permission.system:
                problems.append(
                    _("no officer has the badge number “%(badge)s”.") % {"badge": badge[:32]}
                )
            else:
                problems.append(
                    _("no officer you may record for has the badge number “%(badge)s”.")
                    % {"badge": badge[:32]}
                )
        value_in = _try(
            problems, hours_value, cells["hours_in"], field="hours_in", label=labels["hours_in"]
        )
        value_out = _try(
            problems,
            hours_value,
            cells["hours_out"],
            field="hours_out",
            label=labels["hours_out"],
            required=False,
        )
        reason = _try(problems, reason_value, cells["reason"], words=words)
        if value_in is not None and value_out is not None and reason is not None:
            _try(problems, _pair, value_in, value_out, reason)
        note = _try(
            problems,
            text_value,
            cells.get("note", ""),
            field="note",
            label=_("The note"),
            max_length=NOTE_MAX,
            required=False,
        )
        if officer is not None and day is not None:
            country = officer.unit.country
            if country not in todays:
                todays[country] = officer_today(officer)
            today = todays[country]
            if day > today:
                _try(problems, _not_future, day, today)
            else:
                _try(problems, _not_before_first, day, firsts.get(officer.pk))
                _try(problems, permission.check, officer, day, today)
            key = (officer.pk, day)
            if key in seen:
                problems.append(
                    _("the same badge number and date as line %(first)s.") % {"first": seen[key]}
                )
            else:
                seen[key] = line
        result.errors.extend(ImportProblem(line, message) for message in problems)
        if not problems and officer is not None and day is not None:
            good.append(_Row(line, officer, day, value_in, value_out, reason or "", note or ""))
        if progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
            progress("checked", index, total)
    return good


def _try(problems: list[str], step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`step(*args, **kwargs)`, or None with its refusal's message added to `problems`."""
    try:
        return step(*args, **kwargs)
    except ApplicationError as error:
        problems.append(error.message)
        return None


def _existing(good: list[_Row], *, lock: bool) -> dict[tuple[int, dt.date], PresenceDay]:
    """The days on record for the rows' officers and days (locked for the write)."""
    if not good:
        return {}
    keys = {(r.officer.pk, r.day) for r in good}
    found = PresenceDay.objects.filter(
        officer_id__in={k[0] for k in keys},
        day__range=(min(k[1] for k in keys), max(k[1] for k in keys)),
    )
    if lock:
        found = found.select_for_update()
    return {(r.officer_id, r.day): r for r in found if (r.officer_id, r.day) in keys}


def _write(
    good: list[_Row],
    existing: dict[tuple[int, dt.date], PresenceDay],
    actor: Actor,
    result: PresenceImportResult,
    progress: Progress | None,
) -> None:
    """Create the new days and replace the changed ones, each with its audit event. Call in
    the import's transaction, with `existing` read under lock."""
    recorder: Any = (
        actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    )
    now = timezone.now()
    new: list[PresenceDay] = []
    changed: list[tuple[PresenceDay, dict[str, Any] | None]] = []
    for row in good:
        values = _values(row)
        on_record = existing.get((row.officer.pk, row.day))
        if on_record is None:
            new.append(
                PresenceDay(officer=row.officer, day=row.day, recorded_by=recorder, **values)
            )
        elif not _same(on_record, values):
            before = _snapshot(on_record)
            for name, value in values.items():
                setattr(on_record, name, value)
            on_record.recorded_by = recorder
            on_record.updated_at = now
            changed.append((on_record, before))
    fields = ["hours_in", "hours_out", "reason_out", "note", "recorded_by", "updated_at"]
    # A day another request recorded since the lock was taken is replaced, not duplicated.
    PresenceDay.objects.bulk_create(
        new,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["officer", "day"],
        update_fields=fields,
    )
    PresenceDay.objects.bulk_update([r for r, _b in changed], fields, batch_size=500)
    if new:
        ids = {
            (officer_id, day): pk
            for officer_id, day, pk in PresenceDay.objects.filter(
                officer_id__in={r.officer_id for r in new},
                day__range=(min(r.day for r in new), max(r.day for r in new)),
            ).values_list("officer_id", "day", "pk")
        }
        for created in new:
            created.pk = ids[(created.officer_id, created.day)]
    user: Any = recorder
    note = f"CSV import {result.sha256[:12]}"
    events = [
        AuditEvent(
            actor=user,
            entity=ENTITY,
            entity_id=str(r.pk),
            action="created",
            before=None,
            after=_snapshot(r),
            note=note,
        )
        for r in new
    ] + [
        AuditEvent(
            actor=user,
            entity=ENTITY,
            entity_id=str(r.pk),
            action="replaced",
            before=before,
            after=_snapshot(r),
            note=note,
        )
        for r, before in changed
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    if progress is not None:
        progress("written", len(new) + len(changed), len(new) + len(changed))
