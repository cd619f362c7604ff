"""The daily limits of Open311 POSTs against a live server, as a real client meets them.

Requests are posted with `requests` the way an Open311 client sends them (georeport cannot
POST); what was created is read back with the real `georeport` client. See
test_live_client.py for why each test loads its own territories and categories.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from georeport import GeoReport

from blisko.api.tests.open311.test_live_client import _categories_seed
from blisko.core.testing.live import shared_database_or_skip
from blisko.reports.models import Report
from blisko.reports.services.open311_keys import open311_key_create
from blisko.reports.tests.apis.test_submit_api import wide_server  # noqa: F401 (a fixture)
from conftest import VINNYTSIA_CENTRE, load_territories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def root(live_server, settings) -> str:
    settings.BLISKO_REPORT_DAILY_LIMIT = 1
    load_territories(places=False)
    _categories_seed()
    return f"{live_server.url}/open311/v2"


def _post(root: str, fmt: str, raw_key: str, **fields) -> requests.Response:
    lon, lat = VINNYTSIA_CENTRE
    data = {"api_key": raw_key, "service_code": "vandalism", "lat": lat, "long": lon, **fields}
    return requests.post(f"{root}/requests.{fmt}", data=data, timeout=30)


def _as_list(found):
    # xmltodict gives one element as a dict, several as a list.
    return found if isinstance(found, list) else [found]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_real_client_meets_the_device_limit_and_the_key_cap_and_reads_what_was_made(root, fmt):
    key, raw_key = open311_key_create(name="FixMyStreet")
    key.daily_cap = 2
    key.save(update_fields=["daily_cap"])
    other_raw_key = open311_key_create(name="City app")[1]

    first = _post(root, fmt, raw_key, device_id="phone-A", description="Розбиті вікна")
    same_device = _post(root, fmt, raw_key, device_id="phone-A")
    other_device = _post(root, fmt, raw_key, device_id="phone-B", description="Графіті")
    over_cap = _post(root, fmt, raw_key, device_id="phone-C")
    other_key = _post(root, fmt, other_raw_key, device_id="phone-A", description="Сміття")

    assert [r.status_code for r in (first, same_device, other_device, over_cap, other_key)] == [
        201,
        429,
        201,
        429,
        201,
    ]
    for refused in (same_device, over_cap):
        assert int(refused.headers["Retry-After"]) > 0
        if fmt == "json":
            assert refused.json()[0]["code"] == 429
        else:
            assert "<code>429</code>" in refused.text
    listed = _as_list(GeoReport(root, output_format=fmt).get_service_requests())
    assert sorted(r["description"] for r in listed) == ["Графіті", "Розбиті вікна", "Сміття"]
    assert Report.objects.count() == 3


def test_a_real_client_retrying_with_its_idempotency_key_gets_its_report_back(root):
    raw_key = open311_key_create(name="FixMyStreet")[1]
    lon, lat = VINNYTSIA_CENTRE
    data = {"api_key": raw_key, "service_code": "vandalism", "lat": lat, "long": lon}
    retry = {"Idempotency-Key": "fms-report-7"}

    first = requests.post(f"{root}/requests.json", data=data, headers=retry, timeout=30)
    again = requests.post(f"{root}/requests.json", data=data, headers=retry, timeout=30)
    new = requests.post(f"{root}/requests.json", data=data, timeout=30)

    assert (first.status_code, again.status_code, new.status_code) == (201, 201, 429)
    code = first.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == code
    one = GeoReport(root, output_format="json").get_service_request(code)
    assert one["service_request_id"] == code
    assert Report.objects.count() == 1


@pytest.mark.concurrency
def test_thirty_devices_at_once_never_pass_the_key_s_cap(wide_server, settings):  # noqa: F811
    """Each on its own connection, as in production: the key's submissions are serialised,
    so the cap holds however they interleave."""
    shared_database_or_skip()
    devices = 30
    settings.BLISKO_REPORT_DAILY_LIMIT = 10
    load_territories(places=False)
    _categories_seed()
    key, raw_key = open311_key_create(name="Busy app")
    key.daily_cap = 5
    key.save(update_fields=["daily_cap"])
    start = threading.Barrier(devices)
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=devices))
    lon, lat = VINNYTSIA_CENTRE

    def send(device: int) -> int:
        start.wait(timeout=60)
        data = {"api_key": raw_key, "service_code": "vandalism", "lat": lat, "long": lon}
        response = session.post(
            f"{wide_server}/open311/v2/requests.json",
            data={**data, "device_id": f"phone-{device}"},
            timeout=120,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=devices) as pool:
        statuses = sorted(pool.map(send, range(devices)))

    assert statuses == [201] * 5 + [429] * (devices - 5)
    assert Report.objects.count() == 5
