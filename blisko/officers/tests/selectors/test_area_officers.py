import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.contrib.gis.geos import Point
from django.utils import timezone

from blisko.officers.models import CoverReason, Role
from blisko.officers.selectors.find import area_officers
from blisko.officers.services.assignments import assignment_create, assignment_end
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    ServiceAreaFactory,
    UnitFactory,
)
from blisko.territories.models import Area, Country, Level

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - dt.timedelta(days=365)
KONIN = (18.2513, 52.2230)


@pytest.fixture
def konin():
    return Area.objects.get(code="3062011")


@pytest.fixture
def beats(konin):
    """Two service areas inside Konin, side by side."""
    return [
        ServiceAreaFactory(parent=konin, centre=(KONIN[0] + dx, KONIN[1]), name_official=name)
        for dx, name in ((-0.002, "Rejon 1"), (0.002, "Rejon 2"))
    ]


def test_the_primary_officer_of_a_community_is_shown_with_their_unit():
    community = AreaFactory(contact_phone="+380 43 111 11 11", contact_email="h@example.org")
    assignment = AssignmentFactory(area=community)

    found = area_officers(area=community)

    assert [card.officer for card in found.officers] == [assignment.officer]
    card = found.officers[0]
    assert (card.role, card.is_absent, card.covering_for) == (Role.COMMUNITY_OFFICER, False, None)
    assert found.unit == assignment.officer.unit
    assert (found.phone, found.email) == ("+380 43 111 11 11", "h@example.org")
    assert found.areas == [community]


def test_the_areas_run_from_the_country_down_to_the_service_area(beats, konin):
    found = area_officers(area=beats[0])

    assert [a.level for a in found.areas] == [
        Level.COUNTRY,
        Level.REGION,
        Level.DISTRICT,
        Level.COMMUNITY,
        Level.SERVICE_AREA,
    ]
    assert found.areas[-2] == konin


def test_an_active_cover_comes_first_and_the_primary_officer_is_marked_absent():
    community = AreaFactory()
    primary = AssignmentFactory(area=community, starts_on=LAST_YEAR)
    cover = AssignmentFactory(
        area=community,
        covers=primary,
        cover_reason=CoverReason.SICK,
        starts_on=TODAY - dt.timedelta(days=2),
        ends_on=TODAY + dt.timedelta(days=5),
    )

    found = area_officers(area=community)

    assert [card.officer for card in found.officers] == [cover.officer, primary.officer]
    standing_in, absent = found.officers
    assert standing_in.covering_for == primary.officer
    assert standing_in.cover_reason == CoverReason.SICK
    assert not standing_in.is_absent
    assert absent.is_absent
    assert str(absent.absence_reason) == str(CoverReason.SICK.label)
    assert found.unit == primary.officer.unit


def test_a_cover_that_has_not_started_leaves_the_primary_officer_present():
    community = AreaFactory()
    primary = AssignmentFactory(area=community, starts_on=LAST_YEAR)
    AssignmentFactory(
        area=community,
        covers=primary,
        cover_reason=CoverReason.LEAVE,
        starts_on=TODAY + dt.timedelta(days=10),
        ends_on=TODAY + dt.timedelta(days=20),
    )

    found = area_officers(area=community)

    assert [(c.officer, c.is_absent) for c in found.officers] == [(primary.officer, False)]
    on_leave = area_officers(area=community, on=TODAY + dt.timedelta(days=15))
    assert [c.is_absent for c in on_leave.officers] == [False, True]


def test_one_traffic_officer_shared_by_several_service_areas_shows_beside_each(actor, beats):
    traffic = OfficerFactory(unit__country=Country.POLAND)
    district_officers = []
    for beat in beats:
        officer = OfficerFactory(unit__country=Country.POLAND)
        district_officers.append(officer)
        assignment_create(
            actor=actor,
            officer=officer,
            area=beat,
            role=Role.DISTRICT_OFFICER,
            starts_on=LAST_YEAR,
        )
        assignment_create(
            actor=actor, officer=traffic, area=beat, role=Role.TRAFFIC_OFFICER, starts_on=LAST_YEAR
        )

    for beat, officer in zip(beats, district_officers, strict=True):
        found = area_officers(area=beat)
        assert [c.officer for c in found.officers] == [officer]
        assert [c.officer for c in found.traffic_officers] == [traffic]
        assert found.traffic_officers[0].area == beat


def test_a_service_area_without_its_own_traffic_officer_shows_its_communitys(actor, beats, konin):
    traffic = AssignmentFactory(area=konin, role=Role.TRAFFIC_OFFICER)

    for beat in beats:
        assert [c.officer for c in area_officers(area=beat).traffic_officers] == [traffic.officer]


def test_a_service_area_without_its_own_officer_shows_its_communitys_officer(beats, konin):
    officer = AssignmentFactory(area=konin, role=Role.DISTRICT_OFFICER).officer

    found = area_officers(area=beats[0])

    assert [c.officer for c in found.officers] == [officer]


def test_an_area_without_an_officer_shows_the_nearest_supervisor_and_unit():
    raion = Area.objects.get(code="UA05020000000026686")
    hromada = Area.objects.get(code="UA05020030000031457")
    supervisor = AssignmentFactory(area=raion, role=Role.SUPERVISOR)
    AssignmentFactory(area=raion.parent, role=Role.SUPERVISOR)
    unit = UnitFactory(area=raion, location=Point(28.47, 49.23, srid=4326))

    found = area_officers(area=hromada)

    assert found.officers == []
    assert [c.officer for c in found.supervisors] == [supervisor.officer]
    assert found.supervisors[0].area == raion
    assert found.unit == unit


def test_the_area_phone_falls_back_to_the_nearest_ancestor_with_one(beats, konin):
    konin.contact_phone = "+48 63 240 00 00"
    konin.save(update_fields=["contact_phone"])

    found = area_officers(area=beats[0])

    assert (found.phone, found.email) == ("+48 63 240 00 00", "")


def test_nearest_units_are_measured_from_the_given_point_or_else_from_the_area():
    community = AreaFactory(centre=(24.0, 48.2))
    near = UnitFactory(location=Point(24.01, 48.2, srid=4326))
    far = UnitFactory(location=Point(24.5, 48.2, srid=4326))

    from_area = area_officers(area=community)
    from_point = area_officers(area=community, lon=24.6, lat=48.2)

    assert [d.unit for d in from_area.nearest_units] == [near, far]
    assert from_area.nearest_units[0].distance_km == pytest.approx(0.74, abs=0.05)
    assert [d.unit for d in from_point.nearest_units] == [far, near]


def test_a_past_date_shows_the_officer_who_served_then(actor):
    community = AreaFactory()
    earlier = OfficerFactory()
    assignment = assignment_create(
        actor=actor,
        officer=earlier,
        area=community,
        role=Role.COMMUNITY_OFFICER,
        starts_on=LAST_YEAR,
    )
    assignment_end(actor=actor, assignment=assignment, ends_on=TODAY - dt.timedelta(days=1))

    assert area_officers(area=community).officers == []
    then = area_officers(area=community, on=TODAY - dt.timedelta(days=30))
    assert [c.officer for c in then.officers] == [earlier]


def test_a_warm_call_for_today_makes_at_most_the_version_check(django_assert_max_num_queries):
    community = AreaFactory()
    AssignmentFactory(area=community)
    UnitFactory()
    area_officers(area=community)

    with django_assert_max_num_queries(1):
        found = area_officers(area=community, lon=24.0, lat=48.2)

    assert len(found.officers) == 1 and len(found.nearest_units) == 2


def test_a_police_request_in_another_time_zone_keeps_the_warm_cache(django_assert_max_num_queries):
    # 22:30 UTC in December: the 8th in Kyiv (the site's zone), still the 7th in Warsaw.
    with time_machine.travel(dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC), tick=False):
        community = AreaFactory()
        AssignmentFactory(area=community)
        area_officers(area=community)
        with (
            timezone.override(zoneinfo.ZoneInfo("Europe/Warsaw")),
            django_assert_max_num_queries(1),
        ):
            found = area_officers(area=community)
    assert len(found.officers) == 1


def test_a_change_through_the_services_is_seen_by_the_next_call(actor):
    community = AreaFactory()
    assert area_officers(area=community).officers == []

    officer = OfficerFactory()
    assignment_create(
        actor=actor, officer=officer, area=community, role=Role.COMMUNITY_OFFICER, starts_on=TODAY
    )

    assert [c.officer for c in area_officers(area=community).officers] == [officer]
