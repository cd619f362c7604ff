import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from blisko.core.roles import ADMINISTRATOR
from blisko.officers.models import Role
from blisko.officers.selectors.access import areas_for_user
from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory, ServiceAreaFactory
from blisko.territories.models import Area

pytestmark = pytest.mark.django_db

VINNYTSIA_OBLAST = "UA05000000000010236"
VINNYTSKA_HROMADA = "UA05020030000031457"
DNIPRO_HROMADA_PREFIX = "UA12"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="someone", password="secret")


def _officer_of(user, **kwargs):
    return OfficerFactory(user=user, **kwargs)


def test_a_superuser_sees_every_area(django_user_model):
    boss = django_user_model.objects.create_superuser(username="root", password="secret")

    assert areas_for_user(user=boss).count() == Area.objects.count()


def test_an_administrator_sees_every_area(user):
    group, _created = Group.objects.get_or_create(name=ADMINISTRATOR)
    user.groups.add(group)

    assert areas_for_user(user=user).count() == Area.objects.count()


def test_a_supervisor_sees_their_region_and_everything_below_it(user):
    oblast = Area.objects.get(code=VINNYTSIA_OBLAST)
    hromada = Area.objects.get(code=VINNYTSKA_HROMADA)
    beat = ServiceAreaFactory(parent=hromada, centre=(28.4682, 49.2331))
    AssignmentFactory(officer=_officer_of(user), area=oblast, role=Role.SUPERVISOR)

    areas = areas_for_user(user=user)

    codes = set(areas.values_list("code", flat=True))
    assert {VINNYTSIA_OBLAST, hromada.parent.code, VINNYTSKA_HROMADA, beat.code} <= codes
    assert not any(code.startswith(DNIPRO_HROMADA_PREFIX) for code in codes)
    assert "UA" not in codes
    # The oblast, its 6 raions, its 63 hromadas and the new service area.
    assert areas.count() == 1 + 6 + 63 + 1


def test_an_officer_sees_only_the_areas_of_their_current_assignments(user):
    hromada = Area.objects.get(code=VINNYTSKA_HROMADA)
    officer = _officer_of(user)
    AssignmentFactory(officer=officer, area=hromada)
    AssignmentFactory(
        officer=officer,
        area=Area.objects.get(code="UA05060050000058111"),
        role=Role.TRAFFIC_OFFICER,
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )

    assert list(areas_for_user(user=user)) == [hromada]


def test_an_inactive_officer_sees_nothing(user):
    AssignmentFactory(
        officer=_officer_of(user, is_active=False),
        area=Area.objects.get(code=VINNYTSKA_HROMADA),
    )

    assert not areas_for_user(user=user).exists()


def test_a_user_who_is_no_officer_sees_nothing(user):
    assert not areas_for_user(user=user).exists()


def test_an_anonymous_visitor_sees_nothing():
    assert not areas_for_user(user=AnonymousUser()).exists()
