import datetime as dt

import pytest
from django.utils import timezone

from blisko.core.exceptions import ApplicationError
from blisko.core.models import DirectoryChange
from blisko.officers.models import Assignment, Officer, Role, Unit
from blisko.officers.selectors.directory import directory_since
from blisko.officers.services.assignments import assignment_create, assignment_delete
from blisko.officers.services.officers import officer_delete, officer_save
from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory
from blisko.territories.models import Area

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _version():
    return DirectoryChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_since_zero_gives_everything_current():
    current = AssignmentFactory()
    ended = AssignmentFactory(ends_on=TODAY - dt.timedelta(days=1))

    delta = directory_since(since=0)

    assert delta.version == _version()
    assert len(delta.areas) == Area.objects.filter(valid_to__isnull=True).count()
    assert set(delta.officers) == set(Officer.objects.all())
    assert set(delta.units) == set(Unit.objects.all())
    assert current in delta.assignments and ended not in delta.assignments
    assert all(not ids for ids in delta.deleted.values())


def test_after_a_version_only_what_changed_since_is_given(actor):
    officer = OfficerFactory()
    area = Area.objects.get(code="UA05020030000031457")
    since = _version()

    assignment = assignment_create(
        actor=actor, officer=officer, area=area, role=Role.COMMUNITY_OFFICER, starts_on=TODAY
    )
    officer.rank = "майор поліції"
    officer_save(officer=officer, actor=actor)

    delta = directory_since(since=since)

    assert delta.version == _version() == since + 2
    assert delta.assignments == [assignment]
    assert delta.officers == [officer]
    assert delta.officers[0].rank == "майор поліції"
    assert delta.areas == [] and delta.units == []


def test_deletions_since_a_version_are_listed_by_kind(actor):
    assignment = AssignmentFactory()
    spare = OfficerFactory()
    ids = (assignment.pk, spare.pk)
    since = _version()

    assignment_delete(actor=actor, assignment=assignment)
    officer_delete(officer=spare, actor=actor)

    delta = directory_since(since=since)

    assert delta.deleted["assignment"] == [ids[0]]
    assert delta.deleted["officer"] == [ids[1]]
    assert delta.deleted["area"] == [] and delta.deleted["unit"] == []
    assert delta.assignments == [] and delta.officers == []
    assert not Assignment.objects.filter(pk=ids[0]).exists()


def test_nothing_changed_since_keeps_the_version():
    since = _version()

    delta = directory_since(since=since)

    assert delta.version == since
    assert (delta.areas, delta.officers, delta.units, delta.assignments) == ([], [], [], [])


@pytest.mark.parametrize("since", [-1, "5", 1.5, None, True])
def test_a_negative_or_non_integer_version_is_refused(since):
    with pytest.raises(ApplicationError, match="since"):
        directory_since(since=since)
