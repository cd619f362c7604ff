"""The one-statement insert of a submission (PostgreSQL) writes exactly the rows `save()` does.

Each case is submitted twice, once through `Model.save()` (as on SQLite, or with files) and
once through `blisko.reports.services.submit_insert`; every column of the report, its first
event and its audit event must be equal, but for ids, times and the tracking code.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from blisko.core.models import AuditEvent
from blisko.reports.models import Report, ReportEvent
from blisko.reports.services import submit_insert
from blisko.reports.services.submit import report_submit_or_replay
from blisko.reports.tests.police import police_user
from blisko.territories.selectors.areas import area_for_point
from conftest import KONIN_CENTRE, VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

VARYING = {"id", "tracking_code", "created_at", "updated_at", "idempotency_key", "at"}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if not submit_insert.is_available():
        pytest.skip("the one-statement insert is PostgreSQL's; SQLite always uses save()")


def _rows(report: Report) -> dict:
    event = ReportEvent.objects.get(report=report)
    audit = AuditEvent.objects.get(entity="reports.report", entity_id=str(report.pk))
    after = dict(audit.after)
    after.pop("tracking_code")
    report_row = {
        f.attname: getattr(report, f.attname)
        for f in Report._meta.concrete_fields
        if f.attname not in VARYING
    }
    report_row["location"] = report_row["location"].ewkt
    report_row["public_location"] = report_row["public_location"].ewkt
    for due in ("take_up_due_at", "verify_due_at"):  # deadlines: from the time of submission
        report_row[due] = round((report_row[due] - report.created_at).total_seconds() / 60)
    return {
        "report": report_row,
        "event": {k: v for k, v in model_to_dict(event).items() if k not in VARYING | {"report"}},
        "audit": {
            **{
                k: v
                for k, v in model_to_dict(audit).items()
                if k not in VARYING | {"entity_id", "after"}
            },
            "after": after,
        },
        "times": (report.created_at == report.updated_at, event.at >= report.created_at),
    }


def _submit(monkeypatch, *, one_statement: bool, key: str, **fields) -> Report:
    monkeypatch.setattr(submit_insert, "is_available", lambda: one_statement)
    submission = report_submit_or_replay(client_ip="203.0.113.5", idempotency_key=key, **fields)
    assert submission.created
    return Report.objects.get(pk=submission.report.pk)


CASES = {
    "plain": {"category_code": "vandalism", "lon": KONIN_CENTRE[0], "lat": KONIN_CENTRE[1]},
    "everything": {
        "category_code": "public-drinking",
        "lon": VINNYTSIA_CENTRE[0],
        "lat": VINNYTSIA_CENTRE[1],
        "description": "Щовечора біля зупинки, «пляшки» та <b>шум</b>",
        "occurred_at": dt.datetime(2026, 11, 30, 21, 15, tzinfo=dt.UTC),
        "reporter_email": "olena@example.org",
        "reporter_language": "uk",
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_rows_are_those_save_writes(monkeypatch, case):
    # An officer serves the place, so the assignment columns are filled too.
    fields = CASES[case]
    police_user(area=area_for_point(lon=fields["lon"], lat=fields["lat"]), username="beat")

    by_save = _submit(monkeypatch, one_statement=False, key=f"{case}-save", **CASES[case])
    together = _submit(monkeypatch, one_statement=True, key=f"{case}-one", **CASES[case])

    assert together.pk != by_save.pk
    one, saved = _rows(together), _rows(by_save)
    for part in saved:
        if isinstance(saved[part], dict):
            differing = {
                k: (one[part].get(k), v) for k, v in saved[part].items() if one[part].get(k) != v
            }
            assert differing == {}, part
    assert one == saved
    assert together.idempotency_key == f"{case}-one"
    assert ReportEvent.objects.filter(report=together).count() == 1


def test_a_taken_idempotency_key_fails_the_whole_statement(monkeypatch):
    first = _submit(monkeypatch, one_statement=True, key="same", **CASES["plain"])
    counts = (Report.objects.count(), ReportEvent.objects.count(), AuditEvent.objects.count())
    # The service turns this IntegrityError into a replay; called directly, it shows.
    report = Report.objects.get(pk=first.pk)
    report.pk = None
    report.tracking_code = "TAKE-NKEY-0001"
    event = ReportEvent(report=report, action="submitted", to_status="submitted")
    audit = AuditEvent(entity="reports.report", entity_id="", action="submitted")
    with pytest.raises(IntegrityError), transaction.atomic():
        submit_insert.submission_insert(report=report, event=event, audit=audit)
    after = (Report.objects.count(), ReportEvent.objects.count(), AuditEvent.objects.count())
    assert after == counts
