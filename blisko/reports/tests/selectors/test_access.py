import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from blisko.core.exceptions import ApplicationError
from blisko.core.roles import ADMINISTRATOR
from blisko.officers.models import Role
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    ServiceAreaFactory,
)
from blisko.reports.selectors.access import report_check_access, reports_for_user
from blisko.reports.tests.factories import ReportFactory
from blisko.territories.models import Level

pytestmark = pytest.mark.django_db


def _user(django_user_model, name):
    return django_user_model.objects.create_user(username=name, password="secret")


def _police(django_user_model, name, area, role=Role.COMMUNITY_OFFICER, **assignment):
    user = _user(django_user_model, name)
    AssignmentFactory(officer=OfficerFactory(user=user), area=area, role=role, **assignment)
    return user


@pytest.fixture
def region():
    return AreaFactory(level=Level.REGION, boundary=None)


@pytest.fixture
def mine(region):
    return AreaFactory(parent=region, centre=(24.0, 48.2))


@pytest.fixture
def theirs(region):
    return AreaFactory(parent=region, centre=(24.1, 48.2))


def test_an_officer_sees_the_reports_of_their_area_only(django_user_model, mine, theirs):
    own = ReportFactory(area=mine)
    ReportFactory(area=theirs)
    user = _police(django_user_model, "olena", mine)

    assert list(reports_for_user(user=user)) == [own]


def test_an_officer_also_sees_a_report_assigned_to_them_outside_their_areas(
    django_user_model, mine, theirs
):
    user = _police(django_user_model, "olena", mine)
    assigned = ReportFactory(area=theirs, assigned_officer=user.officer)

    assert assigned in reports_for_user(user=user)
    report_check_access(report=assigned, user=user)


def test_a_deactivated_officer_sees_nothing(django_user_model, mine):
    user = _police(django_user_model, "olena", mine)
    report = ReportFactory(area=mine, assigned_officer=user.officer)
    user.officer.is_active = False
    user.officer.save(update_fields=["is_active"])

    assert not reports_for_user(user=user).exists()
    with pytest.raises(ApplicationError):
        report_check_access(report=report, user=user)


def test_an_officer_whose_assignment_ended_sees_the_area_no_more(django_user_model, mine):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    user = _police(
        django_user_model,
        "olena",
        mine,
        starts_on=yesterday - dt.timedelta(days=30),
        ends_on=yesterday,
    )
    ReportFactory(area=mine)

    assert not reports_for_user(user=user).exists()


def test_a_supervisor_sees_every_report_below_their_region(django_user_model, region, mine, theirs):
    beat = ServiceAreaFactory(parent=mine, centre=(24.0, 48.2))
    reports = {ReportFactory(area=area) for area in (mine, theirs, beat)}
    elsewhere = ReportFactory()
    user = _police(django_user_model, "boss", region, role=Role.SUPERVISOR)

    assert set(reports_for_user(user=user)) == reports
    with pytest.raises(ApplicationError):
        report_check_access(report=elsewhere, user=user)


def test_superusers_and_administrators_see_every_report(django_user_model, mine, theirs):
    reports = {ReportFactory(area=mine), ReportFactory(area=theirs)}
    root = django_user_model.objects.create_superuser(username="root", password="secret")
    admin = _user(django_user_model, "admin")
    group, _created = Group.objects.get_or_create(name=ADMINISTRATOR)
    admin.groups.add(group)

    for user in (root, admin):
        assert set(reports_for_user(user=user)) == reports
        for report in reports:
            report_check_access(report=report, user=user)


def test_anonymous_users_and_users_without_an_officer_see_nothing(django_user_model, mine):
    report = ReportFactory(area=mine)
    for user in (None, AnonymousUser(), _user(django_user_model, "clerk")):
        assert not reports_for_user(user=user).exists()
        with pytest.raises(ApplicationError) as error:
            report_check_access(report=report, user=user)
        assert error.value.status == 403


def test_an_officer_of_another_area_is_refused_with_403(django_user_model, mine, theirs):
    report = ReportFactory(area=theirs)
    user = _police(django_user_model, "olena", mine)

    with pytest.raises(ApplicationError) as error:
        report_check_access(report=report, user=user)

    assert error.value.status == 403
    assert "your own areas" in error.value.message
