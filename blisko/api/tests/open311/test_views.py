"""Open311 GeoReport v2 through Django's test client: every resource in both formats, the
spec's filters and error format, the api_key, and the public location rules."""

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET  # noqa: S405 (parses the server's own answers)

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from blisko.api.tests.helpers import assert_translated
from blisko.officers.tests.factories import UnitFactory
from blisko.reports.models import Category, Precision, Report, Status
from blisko.reports.rules import public_location_for
from blisko.reports.services.categories import category_retire
from blisko.reports.services.open311_keys import open311_key_create, open311_key_deactivate
from blisko.reports.services.submit import report_submit
from blisko.reports.tests.factories import ReportFactory
from blisko.territories.models import Area
from conftest import BLACK_SEA, KONIN_CENTRE

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
FORMATS = ["json", "xml"]
# A point inside Vinnytsia, off the reduced grid's cell centres.
EXACT_POINT = (28.46817, 49.23314)


@pytest.fixture
def api_key() -> str:
    return open311_key_create(name="test client")[1]


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def _submit(code: str = "vandalism", point: tuple[float, float] = EXACT_POINT, **kw) -> Report:
    return report_submit(category_code=code, lon=point[0], lat=point[1], client_ip=None, **kw)


def _xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def _error(response, fmt: str, status: int) -> str:
    """The response is a refusal in the spec's format with `status`; returns its text."""
    assert response.status_code == status, response.content
    if fmt == "json":
        body = _json(response)
        assert isinstance(body, list) and len(body) == 1, body
        assert body[0]["code"] == status
        assert body[0]["description"].strip()
        return body[0]["description"]
    root = _xml(response)
    assert root.tag == "errors"
    errors = root.findall("error")
    assert len(errors) == 1
    assert errors[0].findtext("code") == str(status)
    assert errors[0].findtext("description").strip()
    return errors[0].findtext("description")


def _requests(response, fmt: str) -> list[dict]:
    """The service requests of a 200 answer, as dicts of strings (XML) or values (JSON)."""
    assert response.status_code == 200, response.content
    if fmt == "json":
        body = _json(response)
        assert isinstance(body, list)
        return body
    root = _xml(response)
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in item} for item in root.findall("request")]


# --- discovery and services ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_georeport_v2_endpoint_and_both_formats(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        body = _json(response)
        endpoint = body["endpoints"][0]
        formats = endpoint["formats"]
        assert body["changeset"] and body["key_service"]
    else:
        root = _xml(response)
        assert root.tag == "discovery"
        endpoint = {child.tag: child.text for child in root.find("endpoints/endpoint")}
        formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert set(formats) == {"text/xml", "application/json"}


def test_the_services_are_the_active_categories_as_a_bare_json_array(client):
    body = _json(client.get(f"{BASE}/services.json"))

    assert isinstance(body, list)
    assert len(body) == Category.objects.filter(is_active=True).count() == 27
    speeding = next(s for s in body if s["service_code"] == "speeding")
    assert speeding == {
        "service_code": "speeding",
        "service_name": "speeding",
        "description": speeding["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": speeding["keywords"],
        "group": "traffic officer",
    }
    assert "traffic officer" in speeding["description"]
    assert "przekraczanie dozwolonej prędkości" in speeding["keywords"]


def test_the_services_in_xml_use_the_spec_s_element_names(client):
    root = _xml(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == 27
    first = {child.tag: child.text for child in services[0]}
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert first["metadata"] == "true"
    assert first["type"] == "realtime"


@pytest.mark.parametrize(
    ("language", "via"), [("pl", "locale"), ("uk", "header"), ("en", "locale")]
)
def test_service_names_come_in_the_language_asked_for(language, via):
    client = Client()
    if via == "locale":
        response = client.get(f"{BASE}/services.json", {"locale": f"{language}_XX"})
    else:
        response = client.get(f"{BASE}/services.json", headers={"accept-language": language})

    names = {s["service_code"]: s["service_name"] for s in _json(response)}
    expected = {"pl": "akty wandalizmu", "uk": "акти вандалізму", "en": "vandalism"}[language]
    assert names["vandalism"] == expected
    assert response["Content-Language"] == language


def test_a_retired_category_is_no_longer_offered_but_its_reports_stay_listed(client):
    report = _submit("illegal-dump")
    category_retire(category=Category.objects.get(code="illegal-dump"), actor=None)

    codes = [s["service_code"] for s in _json(client.get(f"{BASE}/services.json"))]
    listed = _requests(client.get(f"{BASE}/requests.json"), "json")

    assert "illegal-dump" not in codes
    assert [r["service_request_id"] for r in listed] == [report.tracking_code]
    assert listed[0]["service_code"] == "illegal-dump"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_the_time_of_the_event_attribute(client, fmt):
    response = client.get(f"{BASE}/services/vandalism.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        body = _json(response)
        assert body["service_code"] == "vandalism"
        attribute = body["attributes"][0]
        assert attribute["variable"] is True and attribute["required"] is False
        assert attribute["order"] == 1
    else:
        root = _xml(response)
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "vandalism"
        item = root.find("attributes/attribute")
        attribute = {child.tag: child.text for child in item}
        assert attribute["variable"] == "true" and attribute["required"] == "false"
    assert attribute["code"] == "occurred_at"
    assert attribute["datatype"] == "datetime"
    assert attribute["description"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["no-such-thing", "illegal-dump", "vandal%00ism"])
def test_an_unknown_or_retired_service_definition_is_a_404_in_the_spec_format(client, fmt, code):
    category_retire(category=Category.objects.get(code="illegal-dump"), actor=None)

    _error(client.get(f"{BASE}/services/{code}.{fmt}"), fmt, 404)


# --- POST requests ------------------------------------------------------------------------


def _post(client: Client, fmt: str, **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def _valid(api_key: str, /, **overrides) -> dict:
    data = {
        "api_key": api_key,
        "service_code": "vandalism",
        "lat": str(EXACT_POINT[1]),
        "long": str(EXACT_POINT[0]),
        "description": "Розбита зупинка",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_post_creates_a_report_and_answers_its_tracking_code_as_json(client, api_key):
    response = _post(client, "json", **_valid(api_key, email="resident@example.org"))

    assert response.status_code == 201, response.content
    body = _json(response)
    assert isinstance(body, list) and len(body) == 1
    report = Report.objects.get()
    assert body[0]["service_request_id"] == report.tracking_code
    assert body[0]["account_id"] is None
    assert f"http://testserver/report/{report.tracking_code}/" in body[0]["service_notice"]
    assert "112" in body[0]["service_notice"]
    assert report.category.code == "vandalism"
    assert report.description == "Розбита зупинка"
    assert report.reporter_email == "resident@example.org"
    assert report.area == Area.objects.get(code="UA05020030000031457")
    assert (report.location.x, report.location.y) == EXACT_POINT
    assert report.status == Status.SUBMITTED
    assert report.client_ip is None


@pytest.mark.parametrize(
    ("extra", "headers", "kept"),
    [
        ({"locale": "uk"}, {}, "uk"),
        ({"locale": "pl_PL"}, {}, "pl"),
        ({}, {"HTTP_ACCEPT_LANGUAGE": "pl"}, "pl"),
        ({}, {}, None),  # a server that names no language: e-mails follow the country
    ],
)
def test_a_post_keeps_the_residents_language_only_when_the_client_names_it(
    api_key, extra, headers, kept
):
    data = _valid(api_key, email="resident@example.org", **extra)
    response = Client().post(f"{BASE}/requests.json", data, **headers)
    assert response.status_code == 201, response.content
    assert Report.objects.get().reporter_language == kept


def test_a_post_answers_in_xml_with_the_spec_s_elements(client, api_key):
    response = _post(client, "xml", **_valid(api_key))

    assert response.status_code == 201
    root = _xml(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == Report.objects.get().tracking_code
    assert request.find("service_notice").text
    assert request.find("account_id") is not None


def test_a_post_keeps_the_time_of_the_event_attribute(client, api_key):
    response = _post(
        client, "json", **_valid(api_key, **{"attribute[occurred_at]": "2025-06-30T21:15:00Z"})
    )

    assert response.status_code == 201, response.content
    assert Report.objects.get().occurred_at == dt.datetime(2025, 6, 30, 21, 15, tzinfo=dt.UTC)


def test_a_post_with_a_photo_shows_its_public_copy_as_media_url(client, api_key):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    photo = SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")

    response = client.post(f"{BASE}/requests.json", {**_valid(api_key), "media": photo})

    assert response.status_code == 201, response.content
    report = Report.objects.get()
    public = report.attachments.get().public_file
    listed = _requests(client.get(f"{BASE}/requests/{report.tracking_code}.json"), "json")
    assert listed[0]["media_url"] == f"http://testserver{public.url}"


def test_a_post_needs_no_csrf_token(api_key):
    client = Client(enforce_csrf_checks=True)

    response = _post(client, "json", **_valid(api_key))

    assert response.status_code == 201


def test_a_repeated_post_with_one_idempotency_key_makes_one_report(client, api_key):
    first = client.post(
        f"{BASE}/requests.json", _valid(api_key), headers={"idempotency-key": "open311-1"}
    )
    again = client.post(
        f"{BASE}/requests.json", _valid(api_key), headers={"idempotency-key": "open311-1"}
    )

    assert first.status_code == again.status_code == 201
    assert _json(first)[0]["service_request_id"] == _json(again)[0]["service_request_id"]
    assert Report.objects.count() == 1


BAD_POSTS = {
    "no api_key": ({"api_key": None}, 403),
    "a wrong api_key": ({"api_key": "not-a-key"}, 403),
    "no service_code": ({"service_code": None}, 400),
    "an empty service_code": ({"service_code": " "}, 400),
    "an unknown service_code": ({"service_code": "no-such-thing"}, 400),
    "a service_code with a NUL character": ({"service_code": "vandal\x00ism"}, 400),
    "a retired service_code": ({"service_code": "illegal-dump"}, 400),
    "no location at all": ({"lat": None, "long": None}, 400),
    "an address but no point": ({"lat": None, "long": None, "address_string": "Soborna 1"}, 400),
    "lat without long": ({"long": None}, 400),
    "a latitude that is not a number": ({"lat": "north"}, 400),
    "a point outside every territory": ({"lat": BLACK_SEA[1], "long": BLACK_SEA[0]}, 400),
    "a description over 500 characters": ({"description": "x" * 501}, 400),
    "a bad e-mail": ({"email": "not an e-mail"}, 400),
    "a time of the event that is not one": ({"attribute[occurred_at]": "yesterday"}, 400),
    "another jurisdiction": ({"jurisdiction_id": "elsewhere"}, 404),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", list(BAD_POSTS))
def test_a_bad_post_is_refused_in_the_spec_format_and_stores_nothing(client, api_key, fmt, case):
    category_retire(category=Category.objects.get(code="illegal-dump"), actor=None)
    overrides, status = BAD_POSTS[case]

    response = _post(client, fmt, **_valid(api_key, **overrides))

    _error(response, fmt, status)
    assert not Report.objects.exists()


def test_a_deactivated_api_key_is_refused(client):
    key, raw = open311_key_create(name="old client")
    open311_key_deactivate(key=key, actor=None)

    _error(_post(client, "json", **_valid(raw)), "json", 403)
    assert not Report.objects.exists()


def test_the_jurisdiction_of_this_server_is_accepted(client, api_key, settings):
    response = _post(
        client, "json", **_valid(api_key, jurisdiction_id=settings.BLISKO_OPEN311_JURISDICTION)
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "overrides", [{"lat": None, "long": None}, {"api_key": None}, {"service_code": None}]
)
def test_refusals_are_translated(api_key, overrides):
    client = Client()
    messages = {}
    for language in ("uk", "pl", "en"):
        response = client.post(
            f"{BASE}/requests.json", {**_valid(api_key, **overrides), "locale": language}
        )
        messages[language] = _error(response, "json", 403 if "api_key" in overrides else 400)
        assert response["Content-Language"] == language

    assert_translated(messages)


# --- GET requests -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_request_list_shows_the_spec_s_fields(client, fmt):
    unit = UnitFactory(name="Вінницький РУП")
    report = _submit(description="Графіті на стіні")
    Report.objects.filter(pk=report.pk).update(assigned_unit=unit)

    listed = _requests(client.get(f"{BASE}/requests.{fmt}"), fmt)

    assert len(listed) == 1
    item = listed[0]
    assert item["service_request_id"] == report.tracking_code
    assert item["status"] == "open"
    assert item["status_notes"].startswith("submitted:")
    assert item["service_code"] == "vandalism"
    assert item["service_name"] == "vandalism"
    assert item["description"] == "Графіті на стіні"
    assert item["agency_responsible"] == "Вінницький РУП"
    assert item["address"] == Area.objects.get(code="UA05020030000031457").name_en
    requested = dt.datetime.fromisoformat(item["requested_datetime"])
    assert requested == report.created_at.replace(microsecond=0)
    assert requested.utcoffset() is not None
    assert dt.datetime.fromisoformat(item["updated_datetime"]).utcoffset() is not None
    expected = dt.datetime.fromisoformat(item["expected_datetime"])
    assert expected == report.verify_due_at.replace(microsecond=0)
    assert float(item["lat"]) == pytest.approx(EXACT_POINT[1])
    assert float(item["long"]) == pytest.approx(EXACT_POINT[0])
    assert item["media_url"] is None


def test_html_in_a_description_stays_text_in_both_formats(client):
    text = '<script>alert("x")</script> & <b>bold</b>'
    report = _submit(description=text)

    as_json = _requests(client.get(f"{BASE}/requests/{report.tracking_code}.json"), "json")
    response = client.get(f"{BASE}/requests/{report.tracking_code}.xml")

    assert as_json[0]["description"] == text
    assert b"<script>" not in response.content
    assert _requests(response, "xml")[0]["description"] == text


def test_control_characters_xml_cannot_carry_are_left_out_and_the_xml_stays_well_formed(client):
    report = _submit(description="дзвінок\x07 і\x1b вертикальний\x0b таб")

    item = _requests(client.get(f"{BASE}/requests/{report.tracking_code}.xml"), "xml")[0]

    assert item["description"] == "дзвінок і вертикальний таб"


@pytest.mark.parametrize(
    ("status", "open_or_closed"),
    [
        (Status.SUBMITTED, "open"),
        (Status.IN_VERIFICATION, "open"),
        (Status.CONFIRMED, "open"),
        (Status.NOT_CONFIRMED, "closed"),
        (Status.RESOLVED, "closed"),
        (Status.REFERRED, "closed"),
    ],
)
def test_blisko_s_status_maps_to_open_or_closed_and_stays_in_the_status_notes(
    client, status, open_or_closed
):
    report = _submit()
    Report.objects.filter(pk=report.pk).update(
        status=status, referred_to="Zarząd Dróg" if status == Status.REFERRED else ""
    )

    item = _requests(client.get(f"{BASE}/requests/{report.tracking_code}.json"), "json")[0]

    assert item["status"] == open_or_closed
    assert item["status_notes"].startswith(f"{status}:")
    if status == Status.REFERRED:
        assert "Zarząd Dróg" in item["status_notes"]


def test_the_list_filters_by_status_service_code_and_ids(client):
    vandalism = _submit("vandalism")
    parking = _submit("improper-parking")
    closed = _submit("stray-dogs")
    Report.objects.filter(pk=closed.pk).update(status=Status.RESOLVED)

    def codes(**params):
        listed = _requests(client.get(f"{BASE}/requests.json", params), "json")
        return {item["service_request_id"] for item in listed}

    assert codes() == {vandalism.tracking_code, parking.tracking_code, closed.tracking_code}
    assert codes(status="closed") == {closed.tracking_code}
    assert codes(status="open") == {vandalism.tracking_code, parking.tracking_code}
    assert codes(status="open,closed") == codes()
    assert codes(service_code="vandal\x00ism") == set()
    assert codes(service_request_id="ABCD\x00") == set()
    assert codes(service_code="vandalism,stray-dogs") == {
        vandalism.tracking_code,
        closed.tracking_code,
    }
    ids = f"{vandalism.tracking_code},{parking.tracking_code.lower()}"
    assert codes(service_request_id=ids) == {vandalism.tracking_code, parking.tracking_code}
    # service_request_id overrides every other filter, as the spec says.
    assert codes(service_request_id=vandalism.tracking_code, status="closed") == {
        vandalism.tracking_code
    }


def test_the_list_defaults_to_the_last_90_days_and_filters_by_dates(client):
    now = timezone.now()
    area = Area.objects.get(code="UA05020030000031457")
    recent = ReportFactory(area=area, created_at=now - dt.timedelta(days=10))
    older = ReportFactory(area=area, created_at=now - dt.timedelta(days=100))

    def codes(**params):
        listed = _requests(client.get(f"{BASE}/requests.json", params), "json")
        return {item["service_request_id"] for item in listed}

    assert codes() == {recent.tracking_code}
    start = (now - dt.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - dt.timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert codes(start_date=start, end_date=end) == {older.tracking_code}
    # One end alone: 90 days from it, or up to it.
    assert codes(start_date=start) == {older.tracking_code}
    since = (now - dt.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert codes(start_date=since) == {recent.tracking_code}
    assert codes(end_date=end) == {older.tracking_code}
    assert codes(end_date=now.strftime("%Y-%m-%d")) == {recent.tracking_code}
    # An offset whose "+" arrived as a space still reads as an offset.
    assert codes(start_date=start.replace("Z", " 00:00")) == codes(start_date=start)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "last week"},
        {"end_date": "2025-13-01T00:00:00Z"},
        {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"},
        {"start_date": "2025-06-01T00:00:00Z", "end_date": "2025-05-01T00:00:00Z"},
        {"jurisdiction_id": "elsewhere"},
    ],
)
def test_bad_list_filters_are_refused_in_the_spec_format(client, fmt, params):
    status = 404 if "jurisdiction_id" in params else 400

    _error(client.get(f"{BASE}/requests.{fmt}", params), fmt, status)


def test_not_confirmed_reports_leave_the_list_after_30_days_but_keep_their_id(client):
    report = _submit()
    Report.objects.filter(pk=report.pk).update(
        status=Status.NOT_CONFIRMED, closed_at=timezone.now() - dt.timedelta(days=31)
    )

    listed = _requests(client.get(f"{BASE}/requests.json"), "json")
    one = _requests(client.get(f"{BASE}/requests/{report.tracking_code}.json"), "json")

    assert listed == []
    assert one[0]["status"] == "closed"


def test_the_list_answers_at_most_1000_requests(client, settings):
    from blisko.api.open311 import selectors

    area = Area.objects.get(code="UA05020030000031457")
    for _ in range(4):
        ReportFactory(area=area)
    settings.DEBUG = False
    original = selectors.MAX_REQUESTS
    selectors.MAX_REQUESTS = 3
    try:
        listed = _requests(client.get(f"{BASE}/requests.json"), "json")
    finally:
        selectors.MAX_REQUESTS = original

    assert len(listed) == 3


# --- precision: the exact point of a reduced or hidden category never leaves -------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["begging", "animal-cruelty", "drug-use", "minors-at-risk"])
def test_no_answer_carries_the_exact_point_of_a_reduced_or_hidden_category(client, fmt, code):
    report = _submit(code, description="за школою")
    precision = report.category.precision
    exact = (f"{EXACT_POINT[1]}", f"{EXACT_POINT[0]}")

    responses = [
        client.get(f"{BASE}/requests.{fmt}"),
        client.get(f"{BASE}/requests/{report.tracking_code}.{fmt}"),
    ]

    for response in responses:
        assert not any(part in response.content.decode() for part in exact)
        item = _requests(response, fmt)[0]
        if precision == Precision.HIDDEN:
            assert "lat" not in item and "long" not in item
            assert not item["description"]
        else:
            grid = public_location_for(report.location, precision)
            assert float(item["lat"]) == pytest.approx(grid.y)
            assert float(item["long"]) == pytest.approx(grid.x)
            assert (float(item["long"]), float(item["lat"])) != pytest.approx(EXACT_POINT)


def test_a_polish_report_lists_with_its_gmina(client):
    report = _submit("improper-parking", point=KONIN_CENTRE)

    item = _requests(client.get(f"{BASE}/requests.json", {"locale": "pl"}), "json")[0]

    assert item["service_request_id"] == report.tracking_code
    assert item["service_name"] == "nieprawidłowe parkowanie"
    assert item["address"] == report.area.name_pl or report.area.name_official


# --- one request, tokens, the rest --------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_is_a_list_of_one_and_an_unknown_id_is_a_404(client, fmt):
    report = _submit()

    found = _requests(client.get(f"{BASE}/requests/{report.tracking_code}.{fmt}"), fmt)
    _error(client.get(f"{BASE}/requests/ABCD-EFGH-JKMN.{fmt}"), fmt, 404)
    _error(client.get(f"{BASE}/requests/nonsense.{fmt}"), fmt, 404)

    assert [item["service_request_id"] for item in found] == [report.tracking_code]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_is_the_service_request_id_itself(client, fmt):
    report = _submit()

    listed = _requests(client.get(f"{BASE}/tokens/{report.tracking_code}.{fmt}"), fmt)
    _error(client.get(f"{BASE}/tokens/ABCD-EFGH-JKMN.{fmt}"), fmt, 404)

    assert listed == [{"service_request_id": report.tracking_code, "token": report.tracking_code}]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "services"),
        ("delete", "requests"),
        ("post", "services/vandalism"),
        ("post", "discovery"),
        ("patch", "tokens/ABCD-EFGH-JKMN"),
    ],
)
def test_other_methods_are_refused_with_405(client, fmt, method, path):
    response = getattr(client, method)(f"{BASE}/{path}.{fmt}")

    _error(response, fmt, 405)
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("services.csv", "xml"), ("nothing.json", "json"), ("requests", "xml"), ("", "xml")],
)
def test_anything_else_under_open311_is_a_404_in_the_spec_format(client, path, fmt):
    _error(client.get(f"{BASE}/{path}"), fmt, 404)


@pytest.mark.parametrize(
    "path",
    [
        "discovery.json",
        "services.json",
        "services/vandalism.json",
        "requests.json",
        "requests/{code}.json",
        "tokens/{code}.json",
    ],
)
def test_every_get_answers_200_to_anyone_without_a_key(client, path):
    report = _submit()

    response = client.get(f"{BASE}/{path.format(code=report.tracking_code)}")

    assert response.status_code == 200
    assert _json(response) is not None


def test_the_demo_key_works_for_a_post(client, settings):
    from blisko.reports.services.open311_keys import open311_key_ensure_demo

    settings.BLISKO_DEMO_OPEN311_KEY = "demo"
    open311_key_ensure_demo()

    response = _post(client, "json", **_valid("demo"))

    assert response.status_code == 201
