"""Importing officers' presence from a CSV (see `presence_import`): every row checked first by
the rules of a day (`blisko.engagement.services.presence`), nothing written if any row has an
error; with `commit` and no errors every row written in one transaction, with one audit event
per row written (note "CSV import <sha256>"). Rows identical to what is on record are counted
as unchanged and not written."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.checks import refused, text_value
from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.core.services import Actor
from blisko.engagement.models import PresenceDay
from blisko.engagement.selectors.presence import (
    first_days,
    officer_today,
    serving_assignments,
    supervised_area_ids,
)
from blisko.engagement.services.presence import (
    ENTITY,
    NOTE_MAX,
    _labels,
    _not_before_first,
    _not_future,
    _not_yours,
    _pair,
    _same,
    _snapshot,
    _too_old_for_self,
    hours_value,
    reason_codes,
    reason_value,
)
from blisko.officers.models import Officer
from blisko.plans.selectors.access import officer_of

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
