import pytest
from django.contrib.gis.geos import Point

from blisko.core.exceptions import NotFoundError
from blisko.officers.models import Role
from blisko.officers.selectors.find import officer_find
from blisko.officers.services.assignments import assignment_create
from blisko.officers.tests.factories import OfficerFactory, UnitFactory
from blisko.territories.models import Area
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

VINNYTSKA_HROMADA = "UA05020030000031457"
KONIN = "3062011"


@pytest.fixture
def vinnytsia_officer(actor):
    hromada = Area.objects.get(code=VINNYTSKA_HROMADA)
    unit = UnitFactory(location=Point(28.47, 49.235, srid=4326), area=hromada)
    officer = OfficerFactory(unit=unit)
    assignment_create(
        actor=actor,
        officer=officer,
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=hromada.valid_from,
    )
    return officer


def test_the_centre_of_vinnytsia_finds_the_officer_of_vinnytsia_hromada(vinnytsia_officer):
    found = officer_find(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])

    assert found.area.code == VINNYTSKA_HROMADA
    assert [a.level for a in found.areas] == ["country", "region", "district", "community"]
    assert [c.officer for c in found.officers] == [vinnytsia_officer]
    assert found.unit == vinnytsia_officer.unit
    assert found.nearest_units[0].unit == vinnytsia_officer.unit
    assert found.nearest_units[0].distance_km < 1


def test_the_centre_of_konin_finds_gmina_konin_and_its_district_officer(actor):
    konin = Area.objects.get(code=KONIN)
    officer = OfficerFactory(unit__country="PL")
    assignment_create(
        actor=actor,
        officer=officer,
        area=konin,
        role=Role.DISTRICT_OFFICER,
        starts_on=konin.valid_from,
    )

    found = officer_find(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1])

    assert found.area.code == KONIN
    assert [c.officer for c in found.officers] == [officer]


def test_a_point_in_the_black_sea_is_outside_every_territory():
    with pytest.raises(NotFoundError) as outside:
        officer_find(lon=BLACK_SEA[0], lat=BLACK_SEA[1])

    assert outside.value.status == 404
    assert "outside every territory" in outside.value.message


def test_a_warm_lookup_for_today_only_checks_for_changes(
    vinnytsia_officer, django_assert_max_num_queries
):
    officer_find(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])

    # The tests' check interval is 0, so each call checks for changes: the area index does in
    # two queries, the officers' cache in one.
    with django_assert_max_num_queries(3):
        found = officer_find(lon=VINNYTSIA_CENTRE[0] + 0.001, lat=VINNYTSIA_CENTRE[1])

    assert [c.officer for c in found.officers] == [vinnytsia_officer]


def test_a_warm_lookup_between_two_checks_makes_no_query(
    vinnytsia_officer, settings, django_assert_num_queries
):
    settings.BLISKO_INDEX_CHECK_SECONDS = 60
    officer_find(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])

    with django_assert_num_queries(0):
        found = officer_find(lon=VINNYTSIA_CENTRE[0] + 0.001, lat=VINNYTSIA_CENTRE[1])

    assert [c.officer for c in found.officers] == [vinnytsia_officer]
