import datetime as dt

import pytest
from django.utils import timezone

from blisko.officers.models import Role
from blisko.officers.selectors.coverage import coverage_by_region
from blisko.officers.tests.factories import AssignmentFactory, ServiceAreaFactory
from blisko.territories.models import Area

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
VINNYTSIA_OBLAST = "UA05000000000010236"
VINNYTSKA_HROMADA = "UA05020030000031457"
ZHMERYNSKA_HROMADA = "UA05060050000058111"


def _by_code(result):
    return {row.region.code: row for row in result}


def test_with_nobody_assigned_every_community_of_each_region_is_uncovered():
    result = _by_code(coverage_by_region())

    assert {code: (r.communities, r.covered) for code, r in result.items()} == {
        VINNYTSIA_OBLAST: (63, 0),
        "UA12000000000090473": (86, 0),
        "30": (15, 0),
    }
    assert len(result[VINNYTSIA_OBLAST].uncovered) == 63


def test_a_community_is_covered_by_an_officer_on_itself_or_on_one_of_its_service_areas():
    AssignmentFactory(area=Area.objects.get(code=VINNYTSKA_HROMADA))
    konin = Area.objects.get(code="3062011")
    beat = ServiceAreaFactory(parent=konin, centre=(18.2513, 52.2230))
    AssignmentFactory(area=beat, role=Role.DISTRICT_OFFICER)
    # Neither a traffic officer nor a supervisor covers a community.
    AssignmentFactory(area=Area.objects.get(code=ZHMERYNSKA_HROMADA), role=Role.TRAFFIC_OFFICER)

    result = _by_code(coverage_by_region())

    assert result[VINNYTSIA_OBLAST].covered == 1
    assert VINNYTSKA_HROMADA not in {a.code for a in result[VINNYTSIA_OBLAST].uncovered}
    assert ZHMERYNSKA_HROMADA in {a.code for a in result[VINNYTSIA_OBLAST].uncovered}
    assert (result["30"].communities, result["30"].covered) == (15, 1)


def test_coverage_is_counted_for_the_day_asked_about():
    AssignmentFactory(
        area=Area.objects.get(code=VINNYTSKA_HROMADA),
        starts_on=TODAY - dt.timedelta(days=100),
        ends_on=TODAY - dt.timedelta(days=50),
    )
    region = Area.objects.get(code=VINNYTSIA_OBLAST)

    (today,) = coverage_by_region(regions=[region])
    (then,) = coverage_by_region(regions=[region], on=TODAY - dt.timedelta(days=60))

    assert (today.covered, then.covered) == (0, 1)
    assert today.region == region


def test_coverage_takes_a_handful_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        coverage_by_region()
