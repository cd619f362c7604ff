"""A submission's three rows (the report, its first event, its audit event) in one statement.

Why: on PostgreSQL a submission without files writes exactly these three rows, and through
`Model.save()` the ORM compiles three INSERTs anew every time (about an eighth of the
submission's time in `make bench`) and waits for three round trips. Here the statement is
composed once per process from the models' own metadata, the values are prepared by each
field's own `pre_save` and `get_db_prep_save` (so they are exactly what `save()` would send),
and PostgreSQL writes the rows in one data-modifying `WITH`. The event and the audit event
take the new report's id inside the statement. SQLite has no data-modifying `WITH`, and a
submission with files needs the report's id before storing them: both go through `save()`.

blisko/reports/tests/services/test_submit_insert.py proves the rows equal to those `save()`
writes, column by column.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from blisko.core.models import AuditEvent
from blisko.reports.models import Report, ReportEvent

# The columns the statement fills from the new report rather than from a value.
_FROM_REPORT = {
    (ReportEvent, "report_id"): '"r"."id"',
    (AuditEvent, "entity_id"): 'CAST("r"."id" AS varchar)',
}


def is_available() -> bool:
    """Whether this database can write the three rows in one statement (PostgreSQL)."""
    return connection.vendor == "postgresql"


def _fields(model: type[Model]) -> list[Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]  # type: ignore[misc]


@cache
def _statement() -> str:
    quote = connection.ops.quote_name

    def insert(model: type[Model], alias: str, *, from_report: bool) -> str:
        fields = _fields(model)
        columns = ", ".join(quote(str(f.column)) for f in fields)
        values = ", ".join(_FROM_REPORT.get((model, f.attname), "%s") for f in fields)
        pk = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
        source = f"SELECT {values} FROM {quote('r')}" if from_report else f"VALUES ({values})"
        return (
            f"{quote(alias)} AS (INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"{source} RETURNING {pk})"
        )

    return (
        "WITH "
        + ", ".join(
            [
                insert(Report, "r", from_report=False),
                insert(ReportEvent, "e", from_report=True),
                insert(AuditEvent, "a", from_report=True),
            ]
        )
        + ' SELECT "r"."id", "e"."id", "a"."id" FROM "r", "e", "a"'
    )


def _params(instance: Model) -> list[Any]:
    params = []
    for field in _fields(type(instance)):
        if (type(instance), field.attname) in _FROM_REPORT:
            continue
        value = field.pre_save(instance, True)  # type: ignore[attr-defined]
        params.append(field.get_db_prep_save(value, connection=connection))
    return params


def submission_insert(*, report: Report, event: ReportEvent, audit: AuditEvent) -> None:
    """Insert the three rows in one statement; set their ids (and the event's and the audit
    event's reference to the report). Call inside the submission's transaction; raises
    IntegrityError as `save()` would (a taken tracking code or idempotency key)."""
    params = _params(report) + _params(event) + _params(audit)
    with connection.cursor() as cursor:
        cursor.execute(_statement(), params)
        report_id, event_id, audit_id = cursor.fetchone()
    report.pk, event.pk, audit.pk = report_id, event_id, audit_id
    event.report = report
    audit.entity_id = str(report_id)
    for instance in (report, event, audit):
        instance._state.adding = False
        instance._state.db = connection.alias
