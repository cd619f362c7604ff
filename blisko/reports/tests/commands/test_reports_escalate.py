import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from blisko.reports.models import Report, ReportEvent, Status
from blisko.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db

SUBMITTED_AT = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
LATER = SUBMITTED_AT + dt.timedelta(days=3)


def _run(*args):
    out = io.StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("reports_escalate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def late():
    ReportFactory(created_at=SUBMITTED_AT, status=Status.CONFIRMED)
    return ReportFactory(created_at=SUBMITTED_AT)


def test_the_command_escalates_overdue_reports_and_says_how_many(late):
    output = _run()

    assert "Overdue open reports: 1; escalated now: 1." in output
    late.refresh_from_db()
    assert late.escalated_at == LATER
    assert ReportEvent.objects.filter(report=late, action="escalated").count() == 1


def test_a_second_run_escalates_nothing_again(late):
    _run()

    assert "escalated now: 0." in _run()
    assert ReportEvent.objects.filter(report=late, action="escalated").count() == 1


def test_a_dry_run_only_counts(late):
    output = _run("--dry-run")

    assert "Overdue open reports: 1; would escalate now: 1 (dry run)." in output
    assert Report.objects.get(pk=late.pk).escalated_at is None
    assert not ReportEvent.objects.exists()
