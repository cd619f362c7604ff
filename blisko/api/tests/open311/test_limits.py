"""The daily limits of Open311 POSTs: per (api_key, resident) with the spec's device_id,
account_id or email, else per (api_key, client address); and a key's own daily cap.

Through Django's test client, as a FixMyStreet instance would post: form fields, one
server address for all its residents."""

import json
import xml.etree.ElementTree as ET  # noqa: S405 (parses the server's own answers)

import pytest
from django.test import Client
from django.utils import translation

from blisko.api.open311.limits import RESIDENT_LIMIT_MESSAGE, key_prefix
from blisko.api.tests.helpers import assert_translated
from blisko.reports.models import Open311Key, Report
from blisko.reports.services.open311_keys import open311_key_create
from blisko.reports.services.privacy import reports_erase_ips
from blisko.reports.services.submit import CONNECTION_LIMIT_MESSAGE
from blisko.reports.tests.uploads import photo, stored_files

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
FORMATS = ["json", "xml"]
POINT = (28.46817, 49.23314)  # inside Vinnytsia
SERVER = "192.0.2.10"  # the key holder's server: every resident's request comes from it


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.BLISKO_REPORT_DAILY_LIMIT = 2
    settings.BLISKO_TRUSTED_PROXIES = []


@pytest.fixture
def api_key() -> str:
    return open311_key_create(name="FixMyStreet")[1]


def _client(address: str = SERVER, **headers) -> Client:
    return Client(REMOTE_ADDR=address, headers={"accept-language": "en", **headers})


def _post(api_key: str, fmt: str = "json", *, client: Client | None = None, headers=None, **data):
    fields = {
        "api_key": api_key,
        "service_code": "vandalism",
        "lat": str(POINT[1]),
        "long": str(POINT[0]),
        "description": "Розбита зупинка",
        **data,
    }
    return (client or _client()).post(f"{BASE}/requests.{fmt}", fields, headers=headers or {})


def _created(response) -> str:
    """The service_request_id of a 201 answer in JSON."""
    assert response.status_code == 201, response.content
    return json.loads(response.content)[0]["service_request_id"]


def _refused(response, fmt: str = "json") -> str:
    """The answer is a 429 in the spec's error format with Retry-After; returns its text."""
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        body = json.loads(response.content)
        assert [set(item) for item in body] == [{"code", "description"}]
        assert body[0]["code"] == 429
        return body[0]["description"]
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "errors"
    (error,) = root.findall("error")
    assert error.findtext("code") == "429"
    return error.findtext("description")


# --- per resident -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_device_is_refused_after_the_daily_limit_in_the_spec_s_format(api_key, fmt):
    _created(_post(api_key, device_id="phone-A"))
    _created(_post(api_key, device_id="phone-A"))

    message = _refused(_post(api_key, fmt, device_id="phone-A"), fmt)

    assert "2 reports today" in message
    assert "person or device" in message
    assert Report.objects.count() == 2


def test_another_device_of_the_same_key_and_server_is_not_affected(api_key):
    for _ in range(2):
        _created(_post(api_key, device_id="phone-A"))
    _refused(_post(api_key, device_id="phone-A"))

    _created(_post(api_key, device_id="phone-B"))

    assert Report.objects.count() == 3


@pytest.mark.parametrize(
    ("field", "first", "same", "other"),
    [
        ("account_id", "user-17", "user-17", "user-18"),
        ("email", "Olena@Example.org", "olena@example.ORG", "petro@example.org"),
    ],
)
def test_an_account_id_or_an_e_mail_names_the_resident_when_no_device_id_is_sent(
    api_key, field, first, same, other
):
    _created(_post(api_key, **{field: first}))
    _created(_post(api_key, **{field: first}))

    _refused(_post(api_key, **{field: same}))
    _created(_post(api_key, **{field: other}))


def test_the_device_id_comes_before_the_account_id_and_the_e_mail(api_key):
    shared = {"account_id": "household", "email": "family@example.org"}
    _created(_post(api_key, device_id="phone-A", **shared))
    _created(_post(api_key, device_id="phone-A", **shared))

    _created(_post(api_key, device_id="phone-B", **shared))
    _refused(_post(api_key, device_id="phone-A", **shared))


def test_the_same_device_through_another_key_is_not_affected(api_key):
    other_key = open311_key_create(name="City app")[1]
    for _ in range(2):
        _created(_post(api_key, device_id="phone-A"))
    _refused(_post(api_key, device_id="phone-A"))

    _created(_post(other_key, device_id="phone-A"))


# --- per client address, when no resident is named ----------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_a_resident_the_key_and_the_client_address_are_limited(api_key, fmt):
    _created(_post(api_key))
    _created(_post(api_key))

    message = _refused(_post(api_key, fmt), fmt)

    assert "one connection" in message
    _created(_post(api_key, client=_client("192.0.2.11")))
    assert Report.objects.count() == 3


def test_the_address_limit_and_the_residents_named_from_it_are_counted_apart(api_key):
    for _ in range(2):
        _created(_post(api_key))
    _refused(_post(api_key))

    _created(_post(api_key, device_id="phone-A"))
    _created(_post(api_key, device_id="phone-A"))


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(api_key, settings):
    settings.BLISKO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    first = _client("10.0.0.2", x_forwarded_for="198.51.100.20")
    second = _client("10.0.0.2", x_forwarded_for="198.51.100.21")
    for _ in range(2):
        _created(_post(api_key, client=first))

    _refused(_post(api_key, client=first))
    _created(_post(api_key, client=second))


def test_a_key_s_address_limit_does_not_touch_the_same_address_on_the_public_api(api_key):
    for _ in range(2):
        _created(_post(api_key))
    _refused(_post(api_key))

    response = _client().post(
        "/api/v1/reports", {"category": "vandalism", "lon": POINT[0], "lat": POINT[1]}
    )

    assert response.status_code == 201, response.content


# --- the key's own daily cap --------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_with_a_daily_cap_is_refused_past_it_whatever_the_resident(settings, fmt):
    settings.BLISKO_REPORT_DAILY_LIMIT = 10
    key, raw = open311_key_create(name="Capped app")
    key.daily_cap = 3
    key.save(update_fields=["daily_cap"])
    _created(_post(raw, device_id="phone-A"))
    _created(_post(raw, account_id="user-1"))
    _created(_post(raw))

    message = _refused(_post(raw, fmt, device_id="phone-B"), fmt)

    assert "3 reports today" in message
    assert "api_key" in message
    assert Report.objects.count() == 3


def test_another_key_is_not_affected_by_a_capped_key(settings):
    settings.BLISKO_REPORT_DAILY_LIMIT = 10
    key, raw = open311_key_create(name="Capped app")
    key.daily_cap = 1
    key.save(update_fields=["daily_cap"])
    other = open311_key_create(name="Other app")[1]
    _created(_post(raw, device_id="phone-A"))
    _refused(_post(raw, device_id="phone-B"))

    _created(_post(other, device_id="phone-A"))
    _created(_post(other, device_id="phone-B"))


def test_a_key_without_a_cap_has_only_the_residents_limits(api_key, settings):
    settings.BLISKO_REPORT_DAILY_LIMIT = 1

    for device in range(5):
        _created(_post(api_key, device_id=f"phone-{device}"))


def test_the_resident_s_limit_is_answered_before_the_key_s_cap():
    key, raw = open311_key_create(name="Capped app")
    key.daily_cap = 2
    key.save(update_fields=["daily_cap"])
    for _ in range(2):
        _created(_post(raw, device_id="phone-A"))

    assert "person or device" in _refused(_post(raw, device_id="phone-A"))
    assert "api_key" in _refused(_post(raw, device_id="phone-B"))


# --- retries, refusals store nothing, privacy ---------------------------------------------


def test_a_retry_with_the_same_idempotency_key_returns_the_report_and_is_not_counted(settings):
    settings.BLISKO_REPORT_DAILY_LIMIT = 1
    key, raw = open311_key_create(name="Capped app")
    key.daily_cap = 1
    key.save(update_fields=["daily_cap"])
    retry = {"idempotency-key": "fms-42"}

    first = _created(_post(raw, device_id="phone-A", headers=retry))
    again = _created(_post(raw, device_id="phone-A", headers=retry))
    other_device_again = _created(_post(raw, device_id="phone-B", headers=retry))

    assert first == again == other_device_again
    assert Report.objects.count() == 1
    assert "person or device" in _refused(_post(raw, device_id="phone-A"))
    assert "api_key" in _refused(_post(raw, device_id="phone-B"))


def test_a_refused_post_stores_no_report_and_no_file(api_key):
    for _ in range(2):
        _created(_post(api_key, device_id="phone-A"))
    files_before = stored_files()

    _refused(_post(api_key, device_id="phone-A", media=photo()))

    assert Report.objects.count() == 2
    assert stored_files() == files_before


def test_only_a_keyed_hash_is_kept_and_the_daily_erasure_clears_it(api_key):
    key_part = key_prefix(Open311Key.objects.get(name="FixMyStreet"))
    _created(_post(api_key, device_id="phone-A", email="olena@example.org"))
    _created(_post(api_key))

    reports = list(Report.objects.all())
    for report in reports:
        assert report.client_ip is None
        assert len(report.client_hash) == 64 and report.client_hash.startswith("o")
        assert "phone-A" not in report.client_hash and SERVER not in report.client_hash
    assert reports[0].client_hash[:16] == reports[1].client_hash[:16] == key_part
    assert reports[0].client_hash != reports[1].client_hash

    erased = reports_erase_ips(older_than_days=0)

    assert erased == 2
    assert set(Report.objects.values_list("client_hash", flat=True)) == {""}


def test_the_erased_keys_no_longer_count(api_key):
    for _ in range(2):
        _created(_post(api_key, device_id="phone-A"))
    reports_erase_ips(older_than_days=0)

    _created(_post(api_key, device_id="phone-A"))


@pytest.mark.parametrize(
    ("resident", "msgid"),
    [({}, CONNECTION_LIMIT_MESSAGE), ({"device_id": "phone-A"}, RESIDENT_LIMIT_MESSAGE)],
    ids=["address", "device"],
)
def test_the_refusal_is_in_the_language_asked_for(api_key, settings, resident, msgid):
    settings.BLISKO_REPORT_DAILY_LIMIT = 1
    _created(_post(api_key, **resident))
    messages = {}
    for language in ("uk", "pl", "en"):
        response = _post(api_key, locale=language, **resident)
        messages[language] = _refused(response)
        assert response["Content-Language"] == language
        with translation.override(language):
            assert messages[language] == msgid % {"limit": 1}

    assert_translated(messages)
