import pytest

from blisko.api.tests.helpers import assert_translated
from conftest import KONIN_CENTRE

READ_URLS = [
    "/api/v1/areas/locate?lat={lat}&lon={lon}",
    "/api/v1/officers/find?lat={lat}&lon={lon}",
    "/api/v1/places/search?q=Konin",
    "/api/v1/areas/outlines?level=community&country=PL",
    "/api/v1/directory?since=0",
    "/api/v1/schema/",
]


def _url(template: str, area_id: int = 0) -> str:
    lon, lat = KONIN_CENTRE
    return template.format(lat=lat, lon=lon, area_id=area_id)


@pytest.mark.django_db
@pytest.mark.parametrize("template", READ_URLS)
def test_anonymous_visitors_may_read_every_public_endpoint(client, template):
    response = client.get(_url(template))

    assert response.status_code == 200, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("template", READ_URLS[:5] + ["/api/v1/areas/{area_id}"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_may_write_through_the_public_endpoints(client, template, method, area_id):
    url = _url(template, area_id)

    response = getattr(client, method)(url, data={}, content_type="application/json")

    assert response.status_code == 405
    assert response.json()["message"]
    assert "GET" in response["Allow"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_nobody_may_write_to_an_area_boundary(client, method, area_id):
    url = f"/api/v1/areas/{area_id}/boundary"

    response = getattr(client, method)(url, data={}, content_type="application/json")

    assert response.status_code == 405


@pytest.mark.django_db
def test_a_write_is_refused_even_for_a_signed_in_administrator(admin_client, area_id):
    response = admin_client.post(f"/api/v1/areas/{area_id}", data={})

    assert response.status_code == 405


@pytest.mark.django_db
def test_the_refusal_of_a_write_is_translated(client):
    messages = {}
    for language in ("uk", "pl", "en"):
        response = client.post("/api/v1/directory", headers={"accept-language": language}, data={})
        assert response.status_code == 405
        messages[language] = response.json()["message"]

    assert_translated(messages)


@pytest.fixture
def area_id():
    from blisko.territories.models import Area

    return Area.objects.get(code="3062011").pk
