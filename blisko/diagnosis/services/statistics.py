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
import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
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


def _read(path: Path, result: StatisticsImportResult) -> _Rows:
    rows = _Rows()
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise _refusal(_("Cannot read the file: %(error)s") % {"error": exc.strerror})
    digest = hashlib.sha256()
    areas = dict(Area.objects.values_list("code", "pk"))
    offences, names = _offences()
    today = site_today()
    this_month = today.year * 12 + today.month - 1
    # The few distinct periods and offence texts of a file, read once each.
    months: dict[str, int] = {}
    categories: dict[str, int] = {}

    def problem(line: int, message: str) -> None:
        result.problem_count += 1
        if len(result.problems) < SHOWN:
            result.problems.append(
                _("Line %(line)s: %(message)s") % {"line": line, "message": message}
            )

    with raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
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
        at = [names_in_file.index(c) for c in COLUMNS]
        width = max(at) + 1

        def decoded() -> Any:
            for number, raw_line in enumerate(handle, start=2):
                try:
                    yield raw_line.decode("utf-8")
                except UnicodeDecodeError:
                    raise _refusal(_("Line %(line)s is not UTF-8 text.") % {"line": number})

        reader = csv.reader(decoded(), delimiter=delimiter)
        line = 1
        for cells in reader:
            line = reader.line_num + 1  # the header was read before the reader started
            if len(cells) < width:
                if not any(cell.strip() for cell in cells):
                    continue
                cells = cells + [""] * (width - len(cells))
            area_code, period, offence, count = (cells[i].strip() for i in at)
            area_id = areas.get(area_code)
            ok = True
            if area_id is None:
                problem(line, _("no area has the code “%(code)s”.") % {"code": area_code[:40]})
                ok = False
            month = months.get(period)
            if month is None:
                match = _PERIOD.match(period)
                if not match or not 1 <= int(match.group(2)) <= 12:
                    problem(
                        line,
                        _("the period must be a month as YYYY-MM, not “%(value)s”.")
                        % {"value": period[:20]},
                    )
                    ok = False
                else:
                    month = int(match.group(1)) * 12 + int(match.group(2)) - 1
                    if month > this_month:
                        problem(
                            line,
                            _("the period %(value)s is in the future.") % {"value": period},
                        )
                        ok = False
                    else:
                        months[period] = month
            category_id = categories.get(offence)
            if category_id is None:
                category_id = offences.get(search_key(offence)) if offence else None
                if category_id is None:
                    close = difflib.get_close_matches(offence, names, n=3, cutoff=0.6)
                    message = _("“%(value)s” is not a statistic category.") % {
                        "value": offence[:60]
                    }
                    if close:
                        message += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(close)}
                    problem(line, message)
                    ok = False
                else:
                    categories[offence] = category_id
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
    result.sha256 = digest.hexdigest()
    if not rows.line and not result.problem_count:
        raise _refusal(_("The file has no figures."))
    _check_duplicates(rows, problem)
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
    # A dry run writes too, and rolls back: its counts are exactly what --commit would do.
    with transaction.atomic():
        existing: dict[tuple[int, dt.date, int], tuple[int, int]] = {}
        area_ids = sorted(set(rows.area))
        months = [_day(m) for m in sorted(set(rows.month))]
        for start in range(0, len(area_ids), 500):
            for pk, area_id, period, category_id, count in Statistic.objects.filter(
                area_id__in=area_ids[start : start + 500], period__in=months
            ).values_list("pk", "area_id", "period", "category_id", "count"):
                existing[(area_id, period, category_id)] = (pk, count)
        now = timezone.now()
        batch: list[tuple[int, dt.date, int, int]] = []
        audits: list[AuditEvent] = []
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        for i in range(len(rows.line)):
            key = (rows.area[i], _day(rows.month[i]), rows.category[i])
            count = rows.count[i]
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
                        actor=user,  # type: ignore[misc]
                        entity="diagnosis.statistic",
                        entity_id=str(before[0]),
                        action="replaced",
                        before={"count": before[1]},
                        after={"count": count},
                        note=result.sha256[:12],
                    )
                )
            batch.append((key[0], key[1], key[2], count))
        _write(batch, now)
        AuditEvent.objects.bulk_create(audits, batch_size=BATCH)
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


def _write(rows: list[tuple[int, dt.date, int, int]], now: dt.datetime) -> None:
    """Insert the figures, replacing those on record for the same (area, month, category), with
    each engine's own bulk path: COPY into a temporary table and one INSERT … ON CONFLICT on
    PostgreSQL; one prepared INSERT … ON CONFLICT run for every row on SQLite."""
    if not rows:
        return
    table = connection.ops.quote_name(Statistic._meta.db_table)
    columns = "area_id, period, category_id, count, created_at, updated_at"
    conflict = (
        "ON CONFLICT (area_id, period, category_id) DO UPDATE SET count = excluded.count, "
        "updated_at = excluded.updated_at"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE diagnosis_statistic_in "
                "(area_id bigint, period date, category_id bigint, count integer) ON COMMIT DROP"
            )
            with (
                cursor.connection.cursor() as pg,
                pg.copy(
                    "COPY diagnosis_statistic_in (area_id, period, category_id, count) FROM STDIN"
                ) as copy,
            ):
                for area_id, period, category_id, count in rows:
                    copy.write_row((area_id, period, category_id, count))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT area_id, period, category_id, count, "
                f"%s, %s FROM diagnosis_statistic_in {conflict}",
                [now, now],
            )
            cursor.execute("DROP TABLE diagnosis_statistic_in")
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s) {conflict}",
                [(a, p.isoformat(), c, n, stamp, stamp) for a, p, c, n in rows],
            )
