"""Open311 through the real `georeport` client from PyPI, against a live server.

georeport reads services, service definitions, request lists and single requests, in JSON
and in XML (parsed with xmltodict); it cannot POST, so requests are created with `requests`
the way any Open311 client sends them (form-encoded, with api_key).

live_server tests are transactional: the database is emptied after each, so each loads the
territories and the KMZB categories itself.
"""

import pytest
import requests
from georeport import GeoReport

from blisko.reports.kmzb import KMZB_CATEGORIES, kmzb_categories_seed
from blisko.reports.models import Category, Report
from blisko.reports.services.open311_keys import open311_key_create
from conftest import KONIN_CENTRE, VINNYTSIA_CENTRE, load_territories

pytestmark = pytest.mark.django_db(transaction=True)

FORMATS = ["json", "xml"]


def _categories_seed() -> None:
    """The 27 categories as migration 0002 seeds them (a transactional test emptied them)."""
    kmzb_categories_seed(Category)


@pytest.fixture
def root(live_server) -> str:
    load_territories(places=False)
    _categories_seed()
    return f"{live_server.url}/open311/v2"


def _post(root: str, fmt: str, data: dict) -> requests.Response:
    return requests.post(f"{root}/requests.{fmt}", data=data, timeout=30)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_georeport_client_reads_services_requests_and_one_request(root, fmt):
    _key, raw_key = open311_key_create(name="georeport test")
    lon, lat = VINNYTSIA_CENTRE
    first = _post(
        root,
        fmt,
        {
            "api_key": raw_key,
            "service_code": "vandalism",
            "lat": lat,
            "long": lon,
            "description": "Розбиті вікна на зупинці",
            "email": "resident@example.org",
        },
    )
    second = _post(
        root,
        fmt,
        {
            "api_key": raw_key,
            "service_code": "improper-parking",
            "lat": KONIN_CENTRE[1],
            "long": KONIN_CENTRE[0],
            "locale": "pl",
        },
    )
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    client = GeoReport(root, output_format=fmt)

    services = client.get_service_list()
    definition = client.get_service_definition("vandalism")
    listed = client.get_service_requests()
    parking = client.get_service_requests(service_code="improper-parking", status="open")
    vandalism_id = Report.objects.get(category__code="vandalism").tracking_code
    one = client.get_service_request(vandalism_id)

    assert len(services) == 27
    assert {s["service_code"] for s in services} == {c[0] for c in KMZB_CATEGORIES}
    speeding = next(s for s in services if s["service_code"] == "speeding")
    assert speeding["type"] == "realtime"
    assert str(speeding["metadata"]).lower() == "true"
    assert definition["service_code"] == "vandalism"
    attributes = definition["attributes"]
    attribute = attributes[0] if fmt == "json" else attributes["attribute"]
    assert attribute["code"] == "occurred_at"
    assert {r["service_request_id"] for r in listed} == set(
        Report.objects.values_list("tracking_code", flat=True)
    )
    # xmltodict gives one element as a dict, several as a list.
    parking = parking if isinstance(parking, list) else [parking]
    assert [r["service_code"] for r in parking] == ["improper-parking"]
    assert one["service_request_id"] == vandalism_id
    assert one["status"] == "open"
    assert one["description"] == "Розбиті вікна на зупинці"
    assert float(one["lat"]) == pytest.approx(lat)
    assert float(one["long"]) == pytest.approx(lon)
    assert "resident@example.org" not in str(listed)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_georeport_client_sends_the_jurisdiction_and_is_answered(root, fmt, settings):
    client = GeoReport(root, jurisdiction=settings.BLISKO_OPEN311_JURISDICTION, output_format=fmt)

    services = client.get_service_list()

    assert len(services) == 27


def test_a_real_client_is_refused_without_a_key_and_with_a_wrong_one(root):
    lon, lat = VINNYTSIA_CENTRE
    data = {"service_code": "vandalism", "lat": lat, "long": lon}

    missing = _post(root, "json", data)
    wrong = _post(root, "xml", {**data, "api_key": "wrong"})

    assert missing.status_code == 403
    assert missing.json()[0]["code"] == 403
    assert wrong.status_code == 403
    assert "<code>403</code>" in wrong.text
    assert not Report.objects.exists()


def test_a_real_client_s_unknown_request_raises_an_http_error(root):
    client = GeoReport(root, output_format="json")

    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_request("ABCD-EFGH-JKMN")

    assert raised.value.response.status_code == 404
    assert raised.value.response.json()[0]["code"] == 404
