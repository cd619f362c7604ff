import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from blisko.officers.models import CoverReason, Role
from blisko.officers.services.assignments import assignment_create
from blisko.officers.tests.factories import AreaFactory, OfficerFactory
from blisko.reports.models import Report, ReportEvent, Status
from blisko.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("reports_reroute", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def planned(django_user_model):
    """A community whose officer goes on leave from tomorrow, with a cover entered today."""
    actor = django_user_model.objects.create_user(username="boss", password="secret")
    area = AreaFactory()
    today = timezone.localdate()
    primary = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=area,
        role=Role.COMMUNITY_OFFICER,
        starts_on=today - dt.timedelta(days=100),
    )
    cover = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=area,
        role=Role.COMMUNITY_OFFICER,
        starts_on=today + dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=10),
        covers=primary,
        cover_reason=CoverReason.LEAVE,
    )
    report = ReportFactory(
        area=area, assigned_officer=primary.officer, assigned_unit=primary.officer.unit
    )
    ReportFactory(area=area, status=Status.RESOLVED, assigned_officer=primary.officer)
    return report, primary, cover


def test_a_cover_entered_ahead_takes_the_reports_on_its_first_day(planned):
    report, primary, cover = planned

    assert "moved to today's officer: 0." in _run()
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        output = _run()

    assert "moved to today's officer: 1." in output
    report.refresh_from_db()
    assert report.assigned_officer == cover.officer
    assert ReportEvent.objects.filter(report=report, action="rerouted").count() == 1


def test_a_dry_run_counts_and_changes_nothing(planned):
    report, primary, _cover = planned

    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        output = _run("--dry-run")

    assert "would move: 1 (dry run)." in output
    assert Report.objects.get(pk=report.pk).assigned_officer == primary.officer
    assert not ReportEvent.objects.exists()
