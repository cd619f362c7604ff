import pytest

from blisko.api.tests.helpers import assert_matches_schema, refusal_in_three_languages
from blisko.territories.models import Area

VINNYTSIA_HROMADA = "UA05020030000031457"
VINNYTSIA_RAION = "UA05020000000026686"


def _url(area: Area) -> str:
    return f"/api/v1/areas/{area.pk}"


@pytest.mark.django_db
def test_a_hromada_shows_its_parent_chain_from_the_country_down(client):
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)

    response = client.get(_url(hromada))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == hromada.pk
    assert body["code"] == VINNYTSIA_HROMADA
    assert body["level"] == "community"
    assert [a["level"] for a in body["ancestors"]] == ["country", "region", "district"]
    assert body["ancestors"][-1]["code"] == VINNYTSIA_RAION
    assert body["parent"]["code"] == VINNYTSIA_RAION
    assert body["children_count"] == 0


@pytest.mark.django_db
def test_an_area_shows_its_contact_population_and_validity(client):
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    hromada.contact_phone = "+380 43 200 00 00"
    hromada.contact_email = "vinnytsia@example.org"
    hromada.population = 370000
    hromada.save(update_fields=["contact_phone", "contact_email", "population"])

    body = client.get(_url(hromada)).json()

    assert body["contact"] == {"phone": "+380 43 200 00 00", "email": "vinnytsia@example.org"}
    assert body["population"] == 370000
    assert body["valid_from"] == hromada.valid_from.isoformat()
    assert body["valid_to"] is None


@pytest.mark.django_db
def test_a_raion_counts_its_hromadas(client):
    raion = Area.objects.get(code=VINNYTSIA_RAION)
    expected = Area.objects.filter(parent=raion).count()

    body = client.get(_url(raion)).json()

    assert expected > 0
    assert body["children_count"] == expected


@pytest.mark.django_db
def test_a_country_has_no_parent_and_no_ancestors(client):
    body = client.get(_url(Area.objects.get(code="PL"))).json()

    assert body["parent"] is None
    assert body["ancestors"] == []
    assert body["level"] == "country"


@pytest.mark.django_db
def test_the_area_names_follow_the_language_of_the_request(client):
    ukraine = Area.objects.get(code="UA")

    uk = client.get(_url(ukraine), headers={"accept-language": "uk"}).json()
    en = client.get(_url(ukraine), headers={"accept-language": "en"}).json()

    assert (uk["name"], en["name"]) == ("Україна", "Ukraine")
    assert uk["names"] == en["names"] == {"uk": "Україна", "pl": "Ukraina", "en": "Ukraine"}
    assert en["level_label"] == "country"


@pytest.mark.django_db
def test_the_answer_matches_the_schema(client):
    response = client.get(_url(Area.objects.get(code="3062011")))

    assert_matches_schema(response.json(), path="/api/v1/areas/{area_id}")


@pytest.mark.django_db
@pytest.mark.parametrize("area_id", [0, 987654321, 9223372036854775807, 10**30])
def test_an_unknown_area_is_not_found_in_each_language(client, area_id):
    refusal_in_three_languages(client, f"/api/v1/areas/{area_id}", status=404)
