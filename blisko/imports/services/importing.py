"""Importing a file of reports from another system (KMZB exports, an Open311 backlog).

`reports_import_file` reads and checks everything first (`blisko.imports.reading`), then
imports in one transaction through `reports_bulk_import` (each report routed like a submitted
one) and writes one audit event for the import; without `commit` the same transaction is
rolled back, so a dry run reports exactly what an import would do.
"""

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blisko.core.services import audit_record
from blisko.imports.reading import SHOWN, ReadResult, read_reports_file, refusal, time_zone
from blisko.imports.services.bulk import reports_bulk_import
from blisko.reports.models import Category, Report
from blisko.reports.selectors.deadlines import overdue_condition
from blisko.territories.index import current_index, index_rebuild
from blisko.territories.models import Level

# The levels reports are routed to, finest first, as reports_bulk_import routes them.
_ROUTED_LEVELS = (Level.SERVICE_AREA, Level.COMMUNITY)


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run, would do)."""

    file_name: str
    kind: str
    rows: int
    invalid: int
    problems: list[str]
    imported: int
    outside: int
    outside_lines: list[int]  # the first SHOWN lines outside every territory
    swapped: int  # of those outside, how many would lie inside with lat and lon swapped
    overdue: int  # imported open reports already past a deadline
    by_category: dict[str, int]  # category code -> reports imported, most first
    category_names: dict[str, str]  # category code -> its name in the active language
    seconds: float
    first_id: int | None
    last_id: int | None
    ignored_columns: list[str]
    committed: bool
    marked_escalated: int = 0  # of the overdue: marked as escalated, so not e-mailed about

    @property
    def rate(self) -> float:
        return self.imported / self.seconds if self.seconds > 0 else 0.0


class _DryRun(Exception):
    pass


def _outside(read: ReadResult) -> tuple[np.ndarray, int]:
    """The positions of the rows outside every territory, and how many of those would lie
    inside with lat and lon swapped (a common mistake when columns are mapped by hand)."""
    snapshot = current_index() or index_rebuild()

    def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        found = np.zeros(lon.shape, dtype=bool)
        for level in _ROUTED_LEVELS:
            found |= snapshot.index.lookup_many(lon, lat, level=level) >= 0
        return found

    lon, lat = np.asarray(read.lon, dtype=np.float64), np.asarray(read.lat, dtype=np.float64)
    outside = np.flatnonzero(~inside(lon, lat))
    swappable = outside[np.abs(lon[outside]) <= 90]
    swapped = int(inside(lat[swappable], lon[swappable]).sum()) if len(swappable) else 0
    return outside, swapped


def _counts(ids: np.ndarray, now: dt.datetime) -> tuple[dict[str, int], int]:
    """Imported reports per category code, and how many are open and already overdue."""
    codes = dict(Category.objects.values_list("pk", "code"))
    by_category: Counter[str] = Counter()
    overdue = 0
    chunk = max(1, (connection.features.max_query_params or 10_000) - 20)
    values = ids.tolist()
    for start in range(0, len(values), chunk):
        rows = (
            Report.objects.filter(pk__in=values[start : start + chunk])
            .order_by()
            .values("category_id")
            .annotate(count=Count("pk"), overdue=Count("pk", filter=overdue_condition(now=now)))
        )
        for row in rows:
            by_category[codes[row["category_id"]]] += row["count"]
            overdue += row["overdue"]
    return dict(by_category.most_common()), overdue


def _mark_escalated(ids: np.ndarray, now: dt.datetime) -> int:
    """Set escalated_at on the imported reports already overdue, so that `reports_escalate`
    does not e-mail supervisors about another system's backlog; they stay overdue in the
    queues. Returns how many were marked."""
    marked = 0
    chunk = max(1, (connection.features.max_query_params or 10_000) - 20)
    values = ids.tolist()
    for start in range(0, len(values), chunk):
        marked += (
            Report.objects.filter(pk__in=values[start : start + chunk], escalated_at__isnull=True)
            .filter(overdue_condition(now=now))
            .update(escalated_at=now)
        )
    return marked


def reports_import_file(
    *,
    path: Path,
    commit: bool = False,
    skip_invalid: bool = False,
    zone_name: str | None = None,
    escalate_overdue: bool = False,
) -> ImportOutcome:
    """Import the reports of a CSV or GeoJSON file, each routed like a submitted one. Atomic.

    Times without an offset are read in `zone_name` (TIME_ZONE by default). Open reports that
    are already overdue are marked as escalated (the other system dealt with its backlog), so
    the next `reports_escalate` leaves them alone, unless `escalate_overdue`.

    Refuses (ApplicationError, the first problems in extra["problems"]) a file that cannot be
    read, and one with an invalid row unless `skip_invalid`, before anything is written.
    Points outside every territory are skipped and counted. Without `commit` the import runs
    in a transaction that is rolled back. With it, one audit event (actor None) records the
    file, its checksum, the counts and the range of the new report ids.
    """
    started = time.perf_counter()
    read = read_reports_file(path, zone_name=zone_name)
    if read.invalid and not skip_invalid:
        raise refusal(
            ngettext(
                "The file was not imported: %(count)s row is invalid. Correct it, or import "
                "the valid rows alone with --skip-invalid.",
                "The file was not imported: %(count)s rows are invalid. Correct them, or import "
                "the valid rows alone with --skip-invalid.",
                read.invalid,
            )
            % {"count": read.invalid},
            read.problems,
            invalid=read.invalid,
        )
    if not read.lon:
        raise refusal(
            _("No row of the file is valid: there is nothing to import."),
            read.problems,
            invalid=read.invalid,
        )
    outside_rows, swapped = _outside(read)
    outcome = ImportOutcome(
        file_name=path.name,
        kind=read.kind,
        rows=read.rows,
        invalid=read.invalid,
        problems=read.problems,
        imported=0,
        outside=0,
        outside_lines=[read.lines[i] for i in outside_rows[:SHOWN].tolist()],
        swapped=swapped,
        overdue=0,
        by_category={},
        category_names={c.code: c.name for c in Category.objects.all()},
        seconds=0.0,
        first_id=None,
        last_id=None,
        ignored_columns=read.ignored_columns,
        committed=False,
    )
    try:
        with transaction.atomic():
            result = reports_bulk_import(
                lon=read.lon,
                lat=read.lat,
                category_codes=read.category_codes,
                created_at=read.created_at,
                statuses=read.statuses,
                descriptions=read.descriptions,
            )
            ids = result.report_ids
            outcome.imported, outcome.outside = result.imported, result.outside
            if len(ids):
                outcome.first_id, outcome.last_id = int(ids.min()), int(ids.max())
            now = timezone.now()
            outcome.by_category, outcome.overdue = _counts(ids, now)
            if outcome.overdue and not escalate_overdue:
                outcome.marked_escalated = _mark_escalated(ids, now)
            outcome.seconds = time.perf_counter() - started
            if not commit:
                raise _DryRun
            audit_record(
                actor=None,
                entity="reports.import",
                entity_id=f"{outcome.first_id}-{outcome.last_id}" if len(ids) else "-",
                action="imported",
                after={
                    "file": path.name,
                    "sha256": read.sha256,
                    "format": read.kind,
                    "rows": read.rows,
                    "imported": outcome.imported,
                    "outside": outcome.outside,
                    "invalid": outcome.invalid,
                    "first_id": outcome.first_id,
                    "last_id": outcome.last_id,
                    "by_category": outcome.by_category,
                    "time_zone": str(time_zone(zone_name)),
                    "marked_escalated": outcome.marked_escalated,
                },
                note=path.name,
            )
    except _DryRun:
        return outcome
    outcome.committed = True
    return outcome
