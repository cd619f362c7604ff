"""The supervisor's view: which units a supervisor watches, and their figures (open, overdue,
median time to take up and to verify over the last 90 days) on known data."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from blisko.core.exceptions import NotFoundError
from blisko.officers.models import Role
from blisko.officers.tests.factories import AreaFactory, UnitFactory
from blisko.reports.models import Status
from blisko.reports.selectors.stats import (
    unit_get_for_user,
    units_for_user,
    units_stats,
    user_is_supervisor,
)
from blisko.reports.services.workflow import report_confirm, report_not_confirm, report_take_up
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.police import officer_of, police_user, region_with_communities

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def worked(report, *, officer, take_up_after=None, verify_after=None, confirm=True):
    """Work `report` through the real services at known times after its submission."""
    if take_up_after is not None:
        with time_machine.travel(report.created_at + take_up_after, tick=False):
            report_take_up(report=report, actor=officer)
    if verify_after is not None:
        with time_machine.travel(report.created_at + verify_after, tick=False):
            move = report_confirm if confirm else report_not_confirm
            move(report=report, actor=officer)
    return report


@pytest.fixture
def region():
    """A region with two communities, one unit serving it, its officer and its supervisor."""
    region, (first, second) = region_with_communities(2)
    unit = UnitFactory(area=region, name="Unit A")
    officer = police_user(area=first, unit=unit, username="first")
    police_user(area=second, unit=unit, username="second")
    supervisor = police_user(area=region, role=Role.SUPERVISOR, unit=unit, username="boss")
    return {
        "region": region,
        "first": first,
        "second": second,
        "unit": unit,
        "officer": officer,
        "supervisor": supervisor,
    }


def test_the_medians_are_taken_over_the_last_90_days_from_submission(region):
    unit, officer, first = region["unit"], region["supervisor"], region["first"]

    def report(days_before_now: float, **fields):
        return ReportFactory(
            area=first,
            assigned_unit=unit,
            created_at=NOW - dt.timedelta(days=days_before_now),
            **fields,
        )

    # Taken up after 2, 4 and 10 hours: median 4 h. Verified after 20 and 30 hours: 25 h.
    worked(report(20), officer=officer, take_up_after=2 * HOUR, verify_after=20 * HOUR)
    worked(
        report(15), officer=officer, take_up_after=4 * HOUR, verify_after=30 * HOUR, confirm=False
    )
    worked(report(10), officer=officer, take_up_after=10 * HOUR)
    # Worked long ago: outside the 90 days, whatever its times.
    worked(report(200), officer=officer, take_up_after=90 * HOUR, verify_after=300 * HOUR)
    # Still waiting: open, and two of them overdue (take-up due after 2 days).
    report(0.5)
    report(3)
    report(30)

    with time_machine.travel(NOW, tick=False):
        (item,) = units_stats(user=region["supervisor"], units=[unit])

    stats = item.stats
    # Open: three waiting, one in verification, two confirmed (confirmed is still open).
    assert stats.open == 6
    assert stats.overdue == 3  # 3 and 30 days old, and the one never verified (10 days)
    assert stats.take_up_median == 4 * HOUR
    assert stats.taken_up == 3
    assert stats.verify_median == 25 * HOUR
    assert stats.verified == 2
    assert stats.take_up_hours == 4.0
    assert stats.verify_hours == 25.0


def test_a_unit_with_nothing_worked_has_no_medians(region):
    ReportFactory(area=region["first"], assigned_unit=region["unit"])
    (item,) = units_stats(user=region["supervisor"], units=[region["unit"]])
    assert (item.stats.open, item.stats.overdue) == (1, 0)
    assert item.stats.take_up_median is None
    assert item.stats.verify_median is None
    assert item.stats.take_up_hours is None


def test_a_report_assigned_to_an_officer_counts_for_the_officers_unit(region):
    ReportFactory(area=region["first"], assigned_officer=officer_of(region["officer"]))
    (item,) = units_stats(user=region["supervisor"], units=[region["unit"]])
    assert item.stats.open == 1


def test_the_figures_break_down_per_area(region):
    unit, first, second = region["unit"], region["first"], region["second"]
    supervisor = region["supervisor"]
    a = ReportFactory(area=first, assigned_unit=unit, created_at=NOW - 30 * HOUR)
    worked(a, officer=supervisor, take_up_after=6 * HOUR)
    ReportFactory(area=second, assigned_unit=unit, created_at=NOW - 72 * HOUR)
    ReportFactory(area=second, assigned_unit=unit, created_at=NOW - HOUR)

    with time_machine.travel(NOW, tick=False):
        (item,) = units_stats(user=supervisor, units=[unit], by_area=True)

    by_area = {entry.area.pk: entry.stats for entry in item.areas}
    assert set(by_area) == {first.pk, second.pk}
    assert (by_area[first.pk].open, by_area[first.pk].overdue) == (1, 0)
    assert by_area[first.pk].take_up_median == 6 * HOUR
    assert (by_area[second.pk].open, by_area[second.pk].overdue) == (2, 1)
    assert by_area[second.pk].take_up_median is None
    assert item.stats.open == 3


def test_a_supervisor_counts_only_the_reports_of_their_own_areas(region):
    unit = region["unit"]
    elsewhere = AreaFactory()
    ReportFactory(area=region["first"], assigned_unit=unit)
    ReportFactory(area=elsewhere, assigned_unit=unit)
    (item,) = units_stats(user=region["supervisor"], units=[unit])
    assert item.stats.open == 1


def test_a_supervisor_watches_the_units_of_their_region_and_no_others(region):
    other_region, (other_community,) = region_with_communities(1)
    other_unit = UnitFactory(area=other_region, name="Unit B")
    police_user(area=other_community, unit=other_unit)

    assert list(units_for_user(user=region["supervisor"])) == [region["unit"]]
    assert (
        unit_get_for_user(user=region["supervisor"], unit_id=region["unit"].pk) == (region["unit"])
    )
    with pytest.raises(NotFoundError):
        unit_get_for_user(user=region["supervisor"], unit_id=other_unit.pk)


def test_a_unit_whose_reports_lie_in_the_region_is_watched_even_if_it_serves_elsewhere(region):
    far_unit = UnitFactory(area=None, name="Traffic unit")
    ReportFactory(area=region["second"], assigned_unit=far_unit)
    assert set(units_for_user(user=region["supervisor"])) == {region["unit"], far_unit}


def test_only_supervisors_and_administrators_get_the_view(region):
    admin = get_user_model().objects.create_superuser(username="root", password="x-Pass-981")
    nobody = get_user_model().objects.create_user(username="nobody", password="x-Pass-981")

    assert user_is_supervisor(user=region["supervisor"])
    assert user_is_supervisor(user=admin)
    assert not user_is_supervisor(user=region["officer"])
    assert not user_is_supervisor(user=nobody)
    assert list(units_for_user(user=region["officer"])) == []
    assert region["unit"] in units_for_user(user=admin)


def test_a_supervisor_assignment_that_ended_no_longer_counts(region):
    assignment = officer_of(region["supervisor"]).assignments.get()
    assignment.starts_on = dt.date(2020, 1, 1)
    assignment.ends_on = dt.date(2021, 1, 1)
    assignment.save(update_fields=["starts_on", "ends_on"])
    assert not user_is_supervisor(user=region["supervisor"])


def test_statuses_in_the_figures_are_the_open_ones(region):
    unit = region["unit"]
    for status in Status:
        ReportFactory(area=region["first"], assigned_unit=unit, status=status)
    (item,) = units_stats(user=region["supervisor"], units=[unit])
    assert item.stats.open == 3
