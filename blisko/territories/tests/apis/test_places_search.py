from urllib.parse import quote

import pytest

from blisko.api.tests.helpers import assert_matches_schema, refusal_in_three_languages
from blisko.territories.models import Place

URL = "/api/v1/places/search"
PLACE_KEYS = {
    "id",
    "name",
    "kind",
    "kind_label",
    "area",
    "community",
    "district",
    "region",
    "lat",
    "lon",
}


def _search(q: str) -> str:
    return f"{URL}?q={quote(q)}"


@pytest.mark.django_db
def test_a_city_is_found_by_its_ukrainian_name(client):
    response = client.get(_search("Жмеринка"))

    assert response.status_code == 200
    places = response.json()
    assert places[0]["name"] == "Жмеринка"
    assert places[0]["kind"] == "city"
    assert set(places[0]) == PLACE_KEYS
    assert set(places[0]["area"]) == {"id", "name", "level"}


@pytest.mark.django_db
def test_a_city_is_found_regardless_of_case_and_in_latin_letters(client):
    lower = client.get(_search("жмеринка")).json()
    latin = client.get(_search("Zhmerynka")).json()

    assert lower[0]["name"] == "Жмеринка"
    assert latin[0]["name"] == "Жмеринка"


@pytest.mark.django_db
def test_a_place_names_its_community_district_and_region_to_tell_it_apart(client):
    place = client.get(_search("Жмеринка"), headers={"accept-language": "uk"}).json()[0]

    assert place["community"]
    assert place["district"]
    assert place["region"].startswith("Вінницьк")
    assert place["area"]["level"] in ("community", "service_area")


@pytest.mark.django_db
def test_a_place_has_a_point_inside_ukraine(client):
    place = client.get(_search("Жмеринка")).json()[0]

    assert 44 < place["lat"] < 53
    assert 22 < place["lon"] < 41


@pytest.mark.django_db
def test_a_polish_gmina_is_found_without_its_diacritics(client):
    response = client.get(_search("konin"))

    assert response.status_code == 200
    assert any(p["name"].startswith("Konin") for p in response.json())


@pytest.mark.django_db
def test_at_most_ten_places_are_returned(client):
    response = client.get(_search("а"))

    assert response.status_code == 200
    assert len(response.json()) <= 10


@pytest.mark.django_db
def test_the_answer_matches_the_schema(client):
    response = client.get(_search("Вінниц"))

    assert response.json()
    assert_matches_schema(response.json(), path=URL)


@pytest.mark.django_db
def test_a_name_nobody_bears_finds_an_empty_list(client):
    response = client.get(_search("Qwxyzzyq"))

    assert response.status_code == 200
    assert response.json() == []


BAD_QUERIES = {
    "missing": None,
    "empty": "",
    "only spaces": "   ",
    "over 200 characters": "а" * 201,
    "html": "<script>alert(1)</script>",
    "sql": "'; DROP TABLE territories_place; --",
}


@pytest.mark.django_db
@pytest.mark.parametrize("q", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_a_bad_search_is_refused_with_a_clear_message_in_each_language(client, q):
    url = URL if q is None else _search(q)

    refusal_in_three_languages(client, url)


@pytest.mark.django_db
def test_a_search_of_200_characters_is_still_accepted(client):
    response = client.get(_search("Вінниця " * 25))

    assert response.status_code == 200


@pytest.mark.django_db
def test_an_sql_injection_attempt_leaves_the_places_in_place(client):
    before = Place.objects.count()

    response = client.get(_search("'; DROP TABLE territories_place; --"))

    assert response.status_code == 400
    assert before > 0
    assert Place.objects.count() == before
