import pytest
from django.contrib.gis.geos import GEOSGeometry

from blisko.api.tests.helpers import assert_matches_schema, refusal_in_three_languages
from blisko.territories.models import Area

KONIN = "3062011"
PATH = "/api/v1/areas/{area_id}/boundary"


def _url(area: Area, extra: str = "") -> str:
    return f"/api/v1/areas/{area.pk}/boundary{extra}"


@pytest.mark.django_db
def test_the_boundary_is_a_geojson_feature_with_the_version_dates(client):
    konin = Area.objects.get(code=KONIN)

    response = client.get(_url(konin), headers={"accept-language": "pl"})

    assert response.status_code == 200
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["id"] == konin.pk
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"] == {
        "id": konin.pk,
        "code": KONIN,
        "name": "Konin (gmina miejska)",
        "level": "community",
        "valid_from": "2020-07-17",
        "valid_to": None,
    }


@pytest.mark.django_db
def test_the_geometry_is_the_area_boundary(client):
    konin = Area.objects.get(code=KONIN)

    feature = client.get(_url(konin)).json()

    geometry = GEOSGeometry(str(feature["geometry"]).replace("'", '"'))
    assert abs(geometry.area - konin.boundary.area) < 1e-9


@pytest.mark.django_db
def test_the_answer_matches_the_schema(client):
    response = client.get(_url(Area.objects.get(code=KONIN)))

    assert_matches_schema(response.json(), path=PATH)


@pytest.mark.django_db
def test_a_boundary_on_a_date_in_force_is_found(client):
    response = client.get(_url(Area.objects.get(code=KONIN), "?date=2022-01-01"))

    assert response.status_code == 200
    assert response.json()["properties"]["valid_from"] == "2020-07-17"


@pytest.mark.django_db
def test_no_boundary_before_the_first_version_is_not_found(client):
    url = _url(Area.objects.get(code=KONIN), "?date=2001-01-01")

    refusal_in_three_languages(client, url, status=404)


@pytest.mark.django_db
def test_a_country_without_a_drawn_boundary_is_not_found(client):
    refusal_in_three_languages(client, _url(Area.objects.get(code="UA")), status=404)


@pytest.mark.django_db
def test_an_unknown_area_is_not_found(client):
    refusal_in_three_languages(client, "/api/v1/areas/987654321/boundary", status=404)


@pytest.mark.django_db
def test_a_bad_date_is_refused_in_each_language(client):
    url = _url(Area.objects.get(code=KONIN), "?date=2020-13-45")

    refusal_in_three_languages(client, url)
