import pytest

from blisko.territories.models import Area, AreaBoundary, Level, Place


@pytest.mark.django_db
def test_the_demo_boundaries_hold_every_hromada_of_both_oblasts_and_konin():
    ua = Area.objects.filter(country="UA", level=Level.COMMUNITY)
    assert ua.filter(code__startswith="UA05").count() == 63
    assert ua.filter(code__startswith="UA12").count() == 86
    assert Area.objects.filter(country="PL", level=Level.COMMUNITY).count() == 15
    assert Area.objects.get(code="3062011").parent.code == "3062"
    assert (
        AreaBoundary.objects.filter(valid_to__isnull=True).count()
        == Area.objects.exclude(boundary=None).count()
    )


@pytest.mark.django_db
def test_every_hromada_hangs_under_its_raion_and_oblast():
    vinnytsia = Area.objects.get(code="UA05020030000031457")
    assert [a.level for a in vinnytsia.ancestors()] == ["district", "region", "country"]
    assert vinnytsia.parent.code == "UA05020000000026686"


@pytest.mark.django_db
def test_the_codifier_settlements_are_places_of_their_hromada():
    zhmerynka = Place.objects.get(name="Жмеринка", kind="city")
    assert zhmerynka.area.code == "UA05060050000058111"
