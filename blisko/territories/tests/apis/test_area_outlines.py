import pytest

from blisko.api.tests.helpers import assert_matches_schema, refusal_in_three_languages
from blisko.territories.models import Area

URL = "/api/v1/areas/outlines"


@pytest.mark.django_db
def test_the_outlines_of_the_ukrainian_hromadas_are_a_feature_collection(client):
    response = client.get(f"{URL}?level=community&country=UA")

    assert response.status_code == 200
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 149
    feature = collection["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {"id", "code", "name", "level"} <= set(feature["properties"])


@pytest.mark.django_db
def test_without_a_country_the_outlines_cover_both_countries(client):
    collection = client.get(f"{URL}?level=community").json()

    expected = Area.objects.filter(level="community", valid_to=None).exclude(boundary=None)
    assert len(collection["features"]) == expected.count()


@pytest.mark.django_db
def test_the_answer_matches_the_schema(client):
    response = client.get(f"{URL}?level=district&country=PL")

    assert response.json()["features"]
    assert_matches_schema(response.json(), path=URL)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?level=", "?level=planet", "?level=community&country=XX"])
def test_a_bad_level_or_country_is_refused_in_each_language(client, query):
    refusal_in_three_languages(client, f"{URL}{query}")
