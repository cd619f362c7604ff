import pytest
from django.contrib.gis.geos import Point

from blisko.officers.selectors.find import units_nearest
from blisko.officers.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

VINNYTSIA = (28.4682, 49.2331)
KYIV = (30.5234, 50.4501)
KONIN = (18.2513, 52.2230)


def _unit(lon, lat, **kwargs):
    return UnitFactory(location=Point(lon, lat, srid=4326), **kwargs)


def test_units_come_closest_first_with_great_circle_distances_in_km():
    kyiv = _unit(*KYIV, name="Kyiv")
    konin = _unit(*KONIN, name="Konin")
    vinnytsia = _unit(*VINNYTSIA, name="Vinnytsia")

    nearest = units_nearest(lon=VINNYTSIA[0], lat=VINNYTSIA[1])

    assert [d.unit for d in nearest] == [vinnytsia, kyiv, konin]
    assert nearest[0].distance_km == pytest.approx(0.0, abs=0.001)
    # Vinnytsia–Kyiv is about 199 km and Vinnytsia–Konin about 787 km as the crow flies.
    assert nearest[1].distance_km == pytest.approx(199, rel=0.01)
    assert nearest[2].distance_km == pytest.approx(787, rel=0.01)


def test_the_limit_caps_the_list_and_defaults_to_the_setting(settings):
    for i in range(5):
        _unit(24.0 + i / 100, 48.2)
    settings.BLISKO_NEAREST_UNITS = 2

    assert len(units_nearest(lon=24.0, lat=48.2)) == 2
    assert len(units_nearest(lon=24.0, lat=48.2, limit=4)) == 4


def test_no_units_gives_an_empty_list():
    assert units_nearest(lon=24.0, lat=48.2) == []


def test_a_warm_call_makes_at_most_the_version_check(django_assert_max_num_queries):
    _unit(*KYIV)
    units_nearest(lon=24.0, lat=48.2)

    with django_assert_max_num_queries(1):
        assert len(units_nearest(lon=24.0, lat=48.2)) == 1
