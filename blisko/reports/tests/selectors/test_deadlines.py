import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from blisko.reports.models import Report, Status
from blisko.reports.selectors.deadlines import reports_annotate_overdue, reports_overdue
from blisko.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db

SUBMITTED_AT = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
TAKE_UP_DUE = SUBMITTED_AT + dt.timedelta(days=2)
VERIFY_DUE = SUBMITTED_AT + dt.timedelta(days=5)
TICK = dt.timedelta(microseconds=1)


def _report(status=Status.SUBMITTED, **kwargs):
    return ReportFactory(status=status, created_at=SUBMITTED_AT, **kwargs)


def _overdue_at(moment):
    return set(reports_overdue(now=moment))


def test_deadlines_are_two_and_five_days_after_submission():
    report = _report()

    assert report.take_up_due_at == TAKE_UP_DUE
    assert report.verify_due_at == VERIFY_DUE


def test_a_submitted_report_is_not_overdue_at_its_take_up_deadline_and_is_just_after():
    report = _report()

    assert _overdue_at(TAKE_UP_DUE - TICK) == set()
    assert _overdue_at(TAKE_UP_DUE) == set()
    assert _overdue_at(TAKE_UP_DUE + TICK) == {report}


def test_a_report_in_verification_is_overdue_only_after_its_verification_deadline():
    report = _report(Status.IN_VERIFICATION)

    assert _overdue_at(TAKE_UP_DUE + dt.timedelta(hours=1)) == set()
    assert _overdue_at(VERIFY_DUE) == set()
    assert _overdue_at(VERIFY_DUE + TICK) == {report}


def test_a_report_never_taken_up_stays_overdue_after_the_verification_deadline():
    report = _report()

    assert _overdue_at(VERIFY_DUE + dt.timedelta(days=30)) == {report}


@pytest.mark.parametrize(
    "status",
    [
        Status.CONFIRMED,
        Status.NOT_CONFIRMED,
        Status.RESOLVED,
        Status.REFERRED,
        Status.DUPLICATE,
    ],
)
def test_verified_and_closed_reports_are_never_overdue(status):
    _report(status)

    assert _overdue_at(VERIFY_DUE + dt.timedelta(days=30)) == set()


def test_the_current_time_is_the_default_moment():
    report = _report()

    with time_machine.travel(TAKE_UP_DUE, tick=False):
        assert set(reports_overdue()) == set()
    with time_machine.travel(TAKE_UP_DUE + dt.timedelta(seconds=1), tick=False):
        assert set(reports_overdue()) == {report}


def test_overdue_reports_can_be_limited_to_a_queryset():
    first, second = _report(), _report()
    late = TAKE_UP_DUE + dt.timedelta(hours=1)

    assert set(reports_overdue(qs=Report.objects.filter(pk=first.pk), now=late)) == {first}
    assert _overdue_at(late) == {first, second}


def test_lists_carry_is_overdue_and_put_overdue_reports_first():
    late = _report()
    on_time = ReportFactory(created_at=SUBMITTED_AT + dt.timedelta(days=1))
    checked = _report(Status.CONFIRMED)
    moment = TAKE_UP_DUE + dt.timedelta(minutes=5)

    rows = list(reports_annotate_overdue(now=moment).order_by("-is_overdue", "created_at"))

    assert rows[0] == late
    assert {r.pk: r.is_overdue for r in rows} == {
        late.pk: True,
        on_time.pk: False,
        checked.pk: False,
    }


@override_settings(BLISKO_REPORT_TAKE_UP_DAYS=1, BLISKO_REPORT_VERIFY_DAYS=3)
def test_deadlines_follow_the_settings():
    report = _report()

    assert report.take_up_due_at == SUBMITTED_AT + dt.timedelta(days=1)
    assert _overdue_at(SUBMITTED_AT + dt.timedelta(days=1, seconds=1)) == {report}
