"""The API through a real HTTP client (requests) against a live server.

live_server tests are transactional: the database is emptied after each, so each loads the
territories itself.
"""

import pytest
import requests
import yaml

from conftest import BLACK_SEA, VINNYTSIA_CENTRE, load_territories

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_client_finds_the_area_of_a_point_and_reads_the_schema(live_server):
    load_territories(places=False)
    lon, lat = VINNYTSIA_CENTRE
    session = requests.Session()

    found = session.get(
        f"{live_server.url}/api/v1/officers/find",
        params={"lat": lat, "lon": lon},
        headers={"Accept-Language": "en"},
        timeout=30,
    )
    outside = session.get(
        f"{live_server.url}/api/v1/officers/find",
        params={"lat": BLACK_SEA[1], "lon": BLACK_SEA[0]},
        headers={"Accept-Language": "pl"},
        timeout=30,
    )
    schema = session.get(f"{live_server.url}/api/v1/schema/", timeout=30)

    assert found.status_code == 200
    assert found.headers["Content-Type"] == "application/json"
    assert found.headers["Content-Language"] == "en"
    body = found.json()
    assert body["area"]["code"] == "UA05020030000031457"
    assert body["officers"] == []
    assert outside.status_code == 404
    assert outside.headers["Content-Language"] == "pl"
    assert outside.json()["message"]
    assert schema.status_code == 200
    document = yaml.safe_load(schema.text)
    assert "/api/v1/officers/find" in document["paths"]


def test_a_real_client_is_refused_a_write(live_server):
    response = requests.post(f"{live_server.url}/api/v1/directory", json={}, timeout=30)

    assert response.status_code == 405
    assert response.json()["message"]
