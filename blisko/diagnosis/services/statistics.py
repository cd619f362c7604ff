"""Importing police statistics: figures per area, month and statistic category.

`statistics_import_file(path=, commit=)` reads the whole file first and refuses it with every
problem listed (line-numbered, the first SHOWN) before anything is written: a failed import
changes nothing. Then, in one transaction (rolled back unless `commit`, so a dry run counts
exactly what the import would do): new figures are created, a figure
already on record for the same area, month and category is replaced (never added to), and
every replaced figure that changed gets an audit event with its count before and after, as
does the import itself.

The file: CSV, UTF-8 (with or without BOM), comma or semicolon between fields (whichever the
header uses), a header naming `area_code` (KATOTTH or TERYT code of any level), `period`
(`YYYY-MM`, not in the future), `offence` (a statistic category's code, or its Ukrainian,
Polish or English name, in any case) and `count` (a whole number, 0 or more). Rows are kept
as numbers, not objects, so a file of millions of rows fits in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import struct
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.core.services import Actor, audit_record
from blisko.core.text import search_key
from blisko.diagnosis.models import Statistic, StatisticCategory
from blisko.territories.models import Area

COLUMNS = ("area_code", "period", "offence", "count")
SHOWN = 20
BATCH = 5000  # audit events written at a time
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_COUNT = re.compile(r"^\d{1,9}$")
_BLOCK = 1 << 22  # bytes of the file checked at a time
_FIELD_LIMIT = csv.field_size_limit()  # a longer line goes to the csv module, which refuses it


@dataclass
class StatisticsImportResult:
    rows: int = 0
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    committed: bool = False
    sha256: str = ""
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0


@dataclass
class _Rows:
    area: array = field(default_factory=lambda: array("q"))
    month: array = field(default_factory=lambda: array("q"))  # year * 12 + month - 1
    category: array = field(default_factory=lambda: array("q"))
    count: array = field(default_factory=lambda: array("q"))
    line: array = field(default_factory=lambda: array("q"))


def _refusal(message: str) -> ApplicationError:
    return ApplicationError(message, {"field": "file"})


def _offences() -> tuple[dict[str, int], list[str]]:
    """Statistic categories by code and by each of their names (search keys), and the names
    to suggest from."""
    by_key: dict[str, int] = {}
    names: list[str] = []
    for category in StatisticCategory.objects.filter(valid_to__isnull=True):
        for text in (category.code, category.name_uk, category.name_pl, category.name_en):
            by_key[search_key(text)] = category.pk
            if text not in names:
                names.append(text)
    return by_key, names


class _Reader:
    """Checks the rows of a file, block by block. A block of plain rows (no quotes, no stray
    carriage return, each row wide enough, every cell valid) is checked a column at a time; any
    other block goes through the csv module a row at a time, which says what is wrong with each
    row. Both keep the same figures and the same problems in the same order."""

    def __init__(self, result: StatisticsImportResult, at: list[int], delimiter: str) -> None:
        self.result = result
        self.rows = _Rows()
        self.at = at
        self.width = max(at) + 1
        self.delimiter = delimiter
        self.areas: dict[str, int] = dict(Area.objects.values_list("code", "pk"))
        self.offences, self.names = _offences()
        today = site_today()
        self.this_month = today.year * 12 + today.month - 1
        # The few distinct periods and offence texts of a file, read once each.
        self.months: dict[str, int] = {}
        self.categories: dict[str, int] = {}

    def problem(self, line: int, message: str) -> None:
        result = self.result
        result.problem_count += 1
        if len(result.problems) < SHOWN:
            result.problems.append(
                _("Line %(line)s: %(message)s") % {"line": line, "message": message}
            )

    def _month(self, period: str) -> int | None:
        """The period's month number (cached), or None when it is not a valid past month."""
        month = self.months.get(period)
        if month is None:
            match = _PERIOD.match(period)
            if match and 1 <= int(match.group(2)) <= 12:
                month = int(match.group(1)) * 12 + int(match.group(2)) - 1
                if month <= self.this_month:
                    self.months[period] = month
                    return month
            return None
        return month

    def _category(self, offence: str) -> int | None:
        category_id = self.categories.get(offence)
        if category_id is None:
            category_id = self.offences.get(search_key(offence)) if offence else None
            if category_id is not None:
                self.categories[offence] = category_id
        return category_id

    def block(self, data: bytes, first_line: int) -> None:
        """The rows of `data` (whole lines), the first of which is line `first_line`."""
        if not self._columns(data, first_line):
            self.rows_of(_lines(io.BytesIO(data), first_line), first_line - 1)

    def _columns(self, data: bytes, first_line: int) -> bool:
        """Check and keep the block a column at a time; False (keeping nothing) when it is not
        plain or has a problem, for `rows_of` to say which."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            if "\r" in text:
                return False
        if '"' in text:
            return False
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        if not lines or max(map(len, lines)) > _FIELD_LIMIT:
            return False
        cells = [line.split(self.delimiter) for line in lines]
        if min(map(len, cells)) < self.width:
            return False  # a blank or short row
        area_at, period_at, offence_at, count_at = self.at
        areas = list(map(self.areas.get, map(str.strip, map(itemgetter(area_at), cells))))
        if None in areas:
            return False
        periods = list(map(str.strip, map(itemgetter(period_at), cells)))
        months = list(map(self.months.get, periods))
        if None in months:
            if any(self._month(p) is None for p in set(periods) - self.months.keys()):
                return False
            months = list(map(self.months.__getitem__, periods))
        offences = list(map(str.strip, map(itemgetter(offence_at), cells)))
        categories = list(map(self.categories.get, offences))
        if None in categories:
            if any(self._category(o) is None for o in set(offences) - self.categories.keys()):
                return False
            categories = list(map(self.categories.__getitem__, offences))
        counts = list(map(str.strip, map(itemgetter(count_at), cells)))
        # What _COUNT matches: 1 to 9 decimal digits (isdecimal is the regex's \d).
        if not all(map(str.isdecimal, counts)) or max(map(len, counts)) > 9:
            return False
        rows = self.rows
        rows.area.extend(areas)  # type: ignore[arg-type]
        rows.month.extend(months)  # type: ignore[arg-type]
        rows.category.extend(categories)  # type: ignore[arg-type]
        rows.count.extend(map(int, counts))
        rows.line.extend(range(first_line, first_line + len(cells)))
        return True

    def rows_of(self, lines: Iterator[str], offset: int) -> None:
        """Check and keep the rows of `lines` one at a time through the csv module, saying what
        is wrong with each; the reader's line n is line `offset` + n of the file."""
        reader = csv.reader(lines, delimiter=self.delimiter)
        width, at, rows, problem = self.width, self.at, self.rows, self.problem
        for cells in reader:
            line = offset + reader.line_num
            if len(cells) < width:
                if not any(cell.strip() for cell in cells):
                    continue
                cells = cells + [""] * (width - len(cells))
            area_code, period, offence, count = (cells[i].strip() for i in at)
            area_id = self.areas.get(area_code)
            ok = True
            if area_id is None:
                problem(line, _("no area has the code “%(code)s”.") % {"code": area_code[:40]})
                ok = False
            month = self._month(period)
            if month is None:
                match = _PERIOD.match(period)
                if not match or not 1 <= int(match.group(2)) <= 12:
                    problem(
                        line,
                        _("the period must be a month as YYYY-MM, not “%(value)s”.")
                        % {"value": period[:20]},
                    )
                else:
                    problem(line, _("the period %(value)s is in the future.") % {"value": period})
                ok = False
            category_id = self._category(offence)
            if category_id is None:
                close = difflib.get_close_matches(offence, self.names, n=3, cutoff=0.6)
                message = _("“%(value)s” is not a statistic category.") % {"value": offence[:60]}
                if close:
                    message += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(close)}
                problem(line, message)
                ok = False
            if not count.isdigit() or not _COUNT.match(count):
                problem(
                    line,
                    _("the count must be a whole number, 0 or more, not “%(value)s”.")
                    % {"value": count[:20]},
                )
                ok = False
            if ok:
                rows.area.append(area_id)  # type: ignore[arg-type]
                rows.month.append(month)  # type: ignore[arg-type]
                rows.category.append(category_id)  # type: ignore[arg-type]
                rows.count.append(int(count))
                rows.line.append(line)


def _lines(data: Iterable[bytes], first_line: int) -> Iterator[str]:
    """The lines of `data` decoded, the first being `first_line`; refuses the file at the first
    line that is not UTF-8."""
    for number, raw_line in enumerate(data, start=first_line):
        try:
            yield raw_line.decode("utf-8")
        except UnicodeDecodeError:
            raise _refusal(_("Line %(line)s is not UTF-8 text.") % {"line": number})


def _read(path: Path, result: StatisticsImportResult) -> _Rows:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise _refusal(_("Cannot read the file: %(error)s") % {"error": exc.strerror})
    digest = hashlib.sha256()
    quoted = False  # a quoted field may span lines: then the csv module reads the whole file
    with raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
            quoted = quoted or b'"' in chunk
    with path.open("rb") as handle:
        try:
            header = handle.readline().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refusal(_("The file is not UTF-8 text."))
        if not header.strip():
            raise _refusal(_("The file is empty."))
        delimiter = ";" if header.count(";") > header.count(",") else ","
        names_in_file = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter))]
        missing = [c for c in COLUMNS if c not in names_in_file]
        if missing:
            raise _refusal(
                _(
                    "The header has no column %(missing)s. The first line must name the columns "
                    "area_code, period, offence and count, separated by commas or semicolons."
                )
                % {"missing": ", ".join(missing)}
            )
        reader = _Reader(result, [names_in_file.index(c) for c in COLUMNS], delimiter)
        if quoted:
            reader.rows_of(_lines(handle, 2), 1)  # the header was read before the reader started
        else:
            line, rest = 2, b""
            for chunk in iter(lambda: handle.read(_BLOCK), b""):
                data = rest + chunk
                end = data.rfind(b"\n") + 1
                if end:
                    reader.block(data[:end], line)
                    line += data.count(b"\n", 0, end)
                rest = data[end:]
            if rest:
                reader.block(rest, line)
    rows = reader.rows
    result.sha256 = digest.hexdigest()
    if not rows.line and not result.problem_count:
        raise _refusal(_("The file has no figures."))
    _check_duplicates(rows, reader.problem)
    result.rows = len(rows.line)
    return rows


def _keys(rows: _Rows) -> np.ndarray:
    area = np.frombuffer(rows.area, dtype=np.int64)
    month = np.frombuffer(rows.month, dtype=np.int64)
    category = np.frombuffer(rows.category, dtype=np.int64)
    return (area << 32) | (month << 12) | category


def _check_duplicates(rows: _Rows, problem: Any) -> None:
    if not rows.line:
        return
    keys = _keys(rows)
    order = np.argsort(keys, kind="stable")
    repeated = np.flatnonzero(keys[order][1:] == keys[order][:-1]) + 1
    lines = np.frombuffer(rows.line, dtype=np.int64)
    for position in repeated.tolist():
        first = lines[order[position - 1]]
        problem(
            int(lines[order[position]]),
            _("the same area, period and offence as line %(first)s.") % {"first": int(first)},
        )


def _day(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def statistics_import_file(
    *, path: Path, commit: bool = False, actor: Actor = None
) -> StatisticsImportResult:
    """Read, check and (with `commit`) import the file; see the module's text. Raises
    ApplicationError for a file that cannot be read as a whole; returns the problems of its
    rows (and writes nothing) when there are any."""
    result = StatisticsImportResult()
    rows = _read(path, result)
    if result.problem_count:
        return result
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    # A dry run writes too, and rolls back: its counts are exactly what --commit would do.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _write_postgresql(rows, result, user)
        else:
            _write_rows(rows, result, user)
        audit_record(
            actor=actor,
            entity="diagnosis.statistics_import",
            entity_id=result.sha256[:16],
            action="imported",
            after={
                "file": path.name,
                "sha256": result.sha256,
                "rows": result.rows,
                "created": result.created,
                "replaced": result.replaced,
                "unchanged": result.unchanged,
            },
        )
        if not commit:
            transaction.set_rollback(True)
    result.committed = commit
    return result


_TABLE = "diagnosis_statistic_in"
_PG_EPOCH = dt.date(2000, 1, 1)  # a date in COPY's binary format: days since then
# One row of the binary COPY into _TABLE: the field count, then each field's length and value.
_COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("area_size", ">i4"),
        ("area_id", ">i8"),
        ("period_size", ">i4"),
        ("period", ">i4"),
        ("category_size", ">i4"),
        ("category_id", ">i8"),
        ("count_size", ">i4"),
        ("count", ">i4"),
        ("position_size", ">i4"),
        ("position", ">i4"),
    ]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_COPY_CHUNK = 1 << 20  # bytes a COPY write sends

# In one statement, each figure of the file against what is on record for its (area, month,
# category) (`compared`): those on record whose count changes are replaced (`changed`), each
# with its audit event (in the file's order, as the Python path writes them); those not on
# record are inserted (ON CONFLICT: one another import inserted meanwhile is replaced, as
# before; not needed, and left out, when the bulk path holds the table). The answer: how many were created, replaced, and on record at all.
_UPSERT = f"""
WITH compared AS MATERIALIZED (
    SELECT i.area_id, i.period, i.category_id, i.count AS after, i.position, s.id,
        s.count AS before
    FROM {_TABLE} i LEFT JOIN diagnosis_statistic s
        ON s.area_id = i.area_id AND s.period = i.period AND s.category_id = i.category_id
), changed AS (
    UPDATE diagnosis_statistic s SET count = compared.after, updated_at = %(now)s
    FROM compared WHERE s.id = compared.id AND compared.before <> compared.after
    RETURNING s.id, compared.before, compared.after, compared.position
), audited AS (
    INSERT INTO core_auditevent (at, actor_id, entity, entity_id, action, before, after, note)
    SELECT %(now)s, %(actor)s, 'diagnosis.statistic', id::text, 'replaced',
        jsonb_build_object('count', before), jsonb_build_object('count', after), %(note)s
    FROM changed ORDER BY position
), created AS (
    INSERT INTO diagnosis_statistic (area_id, period, category_id, count, created_at, updated_at)
    SELECT area_id, period, category_id, after, %(now)s, %(now)s FROM compared WHERE id IS NULL
    {{conflict}}
    RETURNING 1
)
SELECT (SELECT count(*) FROM created), (SELECT count(*) FROM changed),
    (SELECT count(*) FROM compared WHERE id IS NOT NULL)
"""
_CONFLICT = """ON CONFLICT (area_id, period, category_id) DO UPDATE
        SET count = excluded.count, updated_at = excluded.updated_at"""


def _copy_data(rows: _Rows) -> bytes:
    """The rows in COPY's binary format, built by numpy (periods as dates, and their position
    in the file, for the audit events' order)."""
    months = np.frombuffer(rows.month, dtype=np.int64)
    distinct, inverse = np.unique(months, return_inverse=True)
    days = np.array([(_day(m) - _PG_EPOCH).days for m in distinct.tolist()], dtype=np.int64)
    record = np.empty(len(months), dtype=_COPY_ROW)
    record["fields"] = 5
    record["area_size"] = record["category_size"] = 8
    record["period_size"] = record["count_size"] = record["position_size"] = 4
    record["area_id"] = np.frombuffer(rows.area, dtype=np.int64)
    record["period"] = days[inverse]
    record["category_id"] = np.frombuffer(rows.category, dtype=np.int64)
    record["count"] = np.frombuffer(rows.count, dtype=np.int64)
    record["position"] = np.arange(len(months))
    return _COPY_HEADER + record.tobytes() + _COPY_TRAILER


BULK_ROWS = 20_000  # from this many figures on, the foreign keys are checked once, not per row
_LOCK_WAIT = "5s"  # how long a bulk import waits for the readers of the table before it goes on


def _foreign_keys_dropped(cursor: Any) -> list[tuple[str, str]]:
    """For a bulk load, PostgreSQL's own advice ("Populating a Database": remove foreign key
    constraints, load, re-create them): the table's foreign keys, dropped in this transaction
    for the caller to re-create after the load, as (name, definition). Each figure inserted
    would otherwise queue a check of its area and category, run one at a time at commit (for
    100,000 figures 0.7 s, more than the insert itself); re-created, each key is checked once
    for the whole table. The price: the table is locked (readers wait) until the import
    commits. Returns nothing (and drops nothing) when the lock is not had within _LOCK_WAIT or
    the database user may not alter the table: then each row is checked as usual."""
    cursor.execute("SAVEPOINT blisko_bulk")
    try:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
            [_LOCK_WAIT],
        )
        (lock_timeout, _set) = cursor.fetchone()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
            "'diagnosis_statistic'::regclass AND contype = 'f' ORDER BY conname"
        )
        keys = cursor.fetchall()
        if keys:
            cursor.execute(
                "ALTER TABLE diagnosis_statistic "
                + ", ".join(f'DROP CONSTRAINT "{name}"' for name, _definition in keys)
            )
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
    except DatabaseError:
        cursor.execute("ROLLBACK TO SAVEPOINT blisko_bulk")
        return []
    cursor.execute("RELEASE SAVEPOINT blisko_bulk")
    return keys


def _write_postgresql(rows: _Rows, result: StatisticsImportResult, user: Any) -> None:
    """COPY the figures into a temporary table, then compare, replace, audit and insert them
    in SQL (`_UPSERT`): no figure goes through Python one at a time."""
    data = memoryview(_copy_data(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_TABLE} (area_id bigint, period date, category_id bigint, "
            "count integer, position integer) ON COMMIT DROP"
        )
        with (
            cursor.connection.cursor() as pg,
            pg.copy(
                f"COPY {_TABLE} (area_id, period, category_id, count, position) "
                "FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            for start in range(0, len(data), _COPY_CHUNK):
                copy.write(data[start : start + _COPY_CHUNK])
        cursor.execute(f"ANALYZE {_TABLE}")
        dropped = _foreign_keys_dropped(cursor) if len(rows.line) >= BULK_ROWS else []
        # The audit events' sort and the join's hash in memory, for this statement only.
        cursor.execute("SELECT current_setting('work_mem'), set_config('work_mem', '64MB', true)")
        (work_mem, _set) = cursor.fetchone()
        cursor.execute(
            # With the foreign keys dropped the table is the import's alone: nothing can insert
            # the same figure meanwhile.
            _UPSERT.format(conflict="" if dropped else _CONFLICT),
            {
                "now": timezone.now(),
                "actor": user.pk if user is not None else None,
                "note": result.sha256[:12],
            },
        )
        created, replaced, on_record = cursor.fetchone()
        for name, definition in dropped:
            # Re-created as they were: one anti-join checks every figure of the table.
            cursor.execute(f'ALTER TABLE diagnosis_statistic ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        cursor.execute(f"DROP TABLE {_TABLE}")
    result.created, result.replaced = created, replaced
    result.unchanged = on_record - replaced


def _write_rows(rows: _Rows, result: StatisticsImportResult, user: Any) -> None:
    """The other engines (SQLite): read what is on record, compare in Python, one prepared
    INSERT … ON CONFLICT run for every new or changed figure, the audit events in batches."""
    existing: dict[tuple[int, dt.date, int], tuple[int, int]] = {}
    area_ids = sorted(set(rows.area))
    months = [_day(m) for m in sorted(set(rows.month))]
    for start in range(0, len(area_ids), 500):
        for pk, area_id, period, category_id, count in Statistic.objects.filter(
            area_id__in=area_ids[start : start + 500], period__in=months
        ).values_list("pk", "area_id", "period", "category_id", "count"):
            existing[(area_id, period, category_id)] = (pk, count)
    now = timezone.now()
    batch: list[tuple[int, str, int, int]] = []
    audits: list[AuditEvent] = []
    days = {m: _day(m) for m in set(rows.month)}
    for area_id, month, category_id, count in zip(
        rows.area, rows.month, rows.category, rows.count, strict=True
    ):
        key = (area_id, days[month], category_id)
        before = existing.get(key)
        if before is None:
            result.created += 1
        elif before[1] == count:
            result.unchanged += 1
            continue
        else:
            result.replaced += 1
            audits.append(
                AuditEvent(
                    actor=user,
                    entity="diagnosis.statistic",
                    entity_id=str(before[0]),
                    action="replaced",
                    before={"count": before[1]},
                    after={"count": count},
                    note=result.sha256[:12],
                )
            )
        batch.append((area_id, key[1].isoformat(), category_id, count))
    if batch:
        table = connection.ops.quote_name(Statistic._meta.db_table)
        stamp = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (area_id, period, category_id, count, created_at, "
                "updated_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (area_id, period, "
                "category_id) DO UPDATE SET count = excluded.count, updated_at = "
                "excluded.updated_at",
                [(a, p, c, n, stamp, stamp) for a, p, c, n in batch],
            )
    AuditEvent.objects.bulk_create(audits, batch_size=BATCH)
