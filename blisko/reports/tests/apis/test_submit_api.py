"""POST /api/v1/reports and GET /api/v1/reports/{tracking_code}."""

import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest
import requests
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.wsgi import get_wsgi_application
from django.test import Client, override_settings
from django.test.testcases import QuietWSGIRequestHandler
from django.utils import translation
from django.utils.translation import gettext

from blisko.api.tests.helpers import (
    _to_json_schema,
    assert_matches_schema,
    openapi_schema,
    refusal_messages,
)
from blisko.core.testing.live import shared_database_or_skip
from blisko.officers.tests.factories import FAR_AWAY, AreaFactory
from blisko.reports.kmzb import kmzb_categories_seed
from blisko.reports.models import Attachment, Category, Report, ReportEvent
from blisko.reports.services import submit as submit_module
from blisko.reports.tests.uploads import (
    PDF_BYTES,
    empty_file,
    photo,
    six_megabytes,
    stored_files,
    text_named_jpeg,
    upload,
)
from blisko.territories.index import index_clear
from conftest import BLACK_SEA, KONIN_CENTRE

URL = "/api/v1/reports"
DETAIL_PATH = "/api/v1/reports/{tracking_code}"
LANGUAGES = ("uk", "pl", "en")


def fields(**changes):
    data = {
        "category": "vandalism",
        "lat": str(KONIN_CENTRE[1]),
        "lon": str(KONIN_CENTRE[0]),
        "description": "Graffiti on the school wall",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post(client, data, *, key=None, language="en", **kwargs):
    headers = {"accept-language": language}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(URL, data, headers=headers, **kwargs)


def assert_post_matches_schema(data, *, status: int) -> None:
    """Validate a POST response against the schema's description of /api/v1/reports."""
    document = openapi_schema()
    media = document["paths"][URL]["post"]["responses"][str(status)]["content"]
    schema = next(iter(media.values()))["schema"]
    components = {
        name: _to_json_schema(component)
        for name, component in document["components"]["schemas"].items()
    }
    jsonschema.validate(
        data,
        {"components": {"schemas": components}, **_to_json_schema(schema)},
        cls=jsonschema.Draft7Validator,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )


def assert_refused_and_nothing_stored(response, *, field: str, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert body["message"].strip()
    assert body["extra"]["field"] == field
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0
    assert Attachment.objects.count() == 0
    return body


# --- POST /api/v1/reports ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "kept"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "uk"}, "uk"),
        ({"HTTP_ACCEPT_LANGUAGE": "pl-PL,pl;q=0.9"}, "pl"),
        ({}, None),  # an app that names no language: e-mails follow the report's country
    ],
)
def test_the_reporters_language_is_the_one_the_client_asked_for(headers, kept):
    response = Client().post(URL, fields(email="olena@example.org"), **headers)
    assert response.status_code == 201, response.content
    assert Report.objects.get().reporter_language == kept


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Kyiv", "Europe/Warsaw"])
def test_the_answer_is_exactly_what_the_output_serializer_gives(client, language, time_zone):
    from django.utils import timezone as django_timezone
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from blisko.reports.apis.submit import (
        ReportSubmitApi,
        report_submitted_body,
        report_summary,
    )

    response = post(client, fields(), language=language)
    assert response.status_code == 201, response.content
    report = Report.objects.select_related("category").get()
    request = Request(APIRequestFactory().get("/", HTTP_HOST="blisko.test"))
    with translation.override(language), django_timezone.override(time_zone):
        direct = report_submitted_body(report, request)
        serialized = ReportSubmitApi.OutputSerializer(report_summary(report, request)).data
    assert json.dumps(direct, sort_keys=True) == json.dumps(serialized, sort_keys=True)
    assert response.json()["created_at"] == report_submitted_body(report, request)["created_at"]


@pytest.mark.django_db
def test_an_anonymous_resident_submits_a_report_with_photos_and_gets_its_code(client):
    before = stored_files()
    response = post(
        Client(enforce_csrf_checks=True),
        fields(email="jan@example.org", occurred_at="2026-01-05T18:45:00+01:00")
        | {"files": [photo(), upload("plan.pdf", PDF_BYTES)]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert_post_matches_schema(body, status=201)
    report = Report.objects.get()
    assert body["tracking_code"] == report.tracking_code
    assert body["status"] == "submitted"
    assert body["status_label"] == "submitted"
    assert body["colour"] == "#2e9d46"
    assert body["category"] == {"code": "vandalism", "name": "vandalism"}
    assert body["tracking_url"] == f"http://testserver/report/{report.tracking_code}/"
    assert response["Location"] == f"/api/v1/reports/{report.tracking_code}"
    assert report.reporter_email == "jan@example.org"
    assert report.reporter_language == "en"  # post() sends Accept-Language: en
    assert report.client_ip == "127.0.0.1"
    assert report.attachments.count() == 2
    assert len(stored_files() - before) == 3  # two originals and the photo's public copy
    # Nothing only police may see comes back.
    raw = response.content.decode()
    assert "jan@example.org" not in raw and "127.0.0.1" not in raw


@pytest.mark.django_db
def test_a_report_can_be_sent_as_json_without_files(client):
    data = fields(lat=KONIN_CENTRE[1], lon=KONIN_CENTRE[0])
    response = client.post(URL, json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Report.objects.get().description == "Graffiti on the school wall"


@pytest.mark.django_db
def test_files_inside_json_are_refused_rather_than_lost(client):
    data = fields(files=["aGVsbG8="])
    response = client.post(URL, json.dumps(data), content_type="application/json")
    assert_refused_and_nothing_stored(response, field="files")


@pytest.mark.django_db
def test_a_retry_with_the_same_key_answers_200_with_the_same_report(client):
    key = str(uuid.uuid4())
    first = post(client, fields() | {"files": [photo()]}, key=key)
    again = post(client, fields() | {"files": [photo()]}, key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert_post_matches_schema(again.json(), status=200)
    assert Report.objects.count() == 1 and Attachment.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_report_is_refused_with_422(client):
    key = str(uuid.uuid4())
    assert post(client, fields(), key=key).status_code == 201
    response = post(client, fields(description="something else"), key=key)
    assert response.status_code == 422
    assert response.json()["extra"] == {"field": "idempotency_key"}
    assert Report.objects.count() == 1


# Each bad input: a clear error naming the field, no report, no file.


@pytest.mark.django_db
def test_a_point_outside_every_territory_is_refused(client):
    response = post(client, fields(lon=str(BLACK_SEA[0]), lat=str(BLACK_SEA[1])))
    assert_refused_and_nothing_stored(response, field="location")


@pytest.mark.django_db
def test_an_unknown_category_is_refused(client):
    assert_refused_and_nothing_stored(post(client, fields(category="ufo")), field="category")


@pytest.mark.django_db
def test_a_retired_category_is_refused(client):
    Category.objects.filter(code="vandalism").update(is_active=False)
    assert_refused_and_nothing_stored(post(client, fields()), field="category")


@pytest.mark.django_db
def test_a_description_over_500_characters_is_refused(client):
    response = post(client, fields(description="é" * 501))
    body = assert_refused_and_nothing_stored(response, field="description")
    assert "500" in body["message"]


@pytest.mark.django_db
def test_a_jpg_whose_content_is_text_is_refused_and_no_file_is_left(client):
    before = stored_files()
    response = post(client, fields() | {"files": [photo(), text_named_jpeg()]})
    assert_refused_and_nothing_stored(response, field="files")
    assert stored_files() == before


@pytest.mark.django_db
def test_a_six_megabyte_file_is_refused(client):
    before = stored_files()
    response = post(client, fields() | {"files": [six_megabytes()]})
    assert_refused_and_nothing_stored(response, field="files")
    assert stored_files() == before


@pytest.mark.django_db
def test_an_empty_file_is_refused(client):
    response = post(client, fields() | {"files": [empty_file()]})
    assert_refused_and_nothing_stored(response, field="files")


@pytest.mark.django_db
def test_a_fourth_attachment_is_refused(client):
    before = stored_files()
    response = post(client, fields() | {"files": [photo(), photo(), photo(), photo()]})
    assert_refused_and_nothing_stored(response, field="files")
    assert stored_files() == before


@pytest.mark.django_db
def test_a_missing_category_is_refused_by_name(client):
    response = post(client, fields(category=None))
    assert response.status_code == 400
    assert "category" in response.json()["message"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_filled_honeypot_is_refused_quietly(client):
    response = post(client, fields(website="http://spam.example"))
    assert response.status_code == 400
    assert response.json()["extra"] == {}
    assert Report.objects.count() == 0


@pytest.mark.django_db
@override_settings(BLISKO_REPORT_DAILY_LIMIT=1)
def test_the_daily_limit_answers_429(client):
    assert post(client, fields()).status_code == 201
    response = post(client, fields(description="another"))
    assert response.status_code == 429
    assert response.json()["extra"]["limit"] == 1
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_refusals_come_in_the_language_of_the_request(client):
    msgid = "There is no category “%(code)s”."
    messages = {}
    for language in LANGUAGES:
        response = post(client, fields(category="ufo"), language=language)
        assert response.status_code == 400
        assert response["Content-Language"] == language
        with translation.override(language):
            assert response.json()["message"] == gettext(msgid) % {"code": "ufo"}
        messages[language] = response.json()["message"]
    with translation.override("uk"):
        if gettext(msgid) != msgid:
            assert len(set(messages.values())) == 3, messages


@pytest.mark.django_db
def test_html_is_kept_as_text_and_returned_as_json_text(client):
    text = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    created = post(client, fields(description=text))
    assert created.status_code == 201
    response = client.get(f"{URL}/{created.json()['tracking_code']}")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["description"] == text


# --- GET /api/v1/reports/{tracking_code} ----------------------------------------------------


@pytest.mark.django_db
def test_the_holder_of_the_code_sees_status_history_and_public_photos_only(client):
    created = post(
        client,
        fields(email="jan@example.org") | {"files": [photo(), upload("a.pdf", PDF_BYTES)]},
    ).json()
    code = created["tracking_code"]
    report = Report.objects.get()

    response = client.get(
        f"{URL}/{code.lower().replace('-', '')}", headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    body = response.json()
    assert_matches_schema(body, path=DETAIL_PATH)
    assert body["tracking_code"] == code
    assert (body["status"], body["colour"], body["is_open"]) == ("submitted", "#2e9d46", True)
    assert body["category"] == {"code": "vandalism", "name": "vandalism"}
    assert body["location"] == pytest.approx({"lat": KONIN_CENTRE[1], "lon": KONIN_CENTRE[0]})
    assert body["area"] == {"id": report.area_id, "name": report.area.name_en}
    assert body["take_up_expected_by"] is not None
    assert body["verification_expected_by"] is not None
    assert [e["action"] for e in body["history"]] == ["submitted"]
    assert body["history"][0]["actor"] == "resident"
    assert len(body["attachments"]) == 1
    public = report.attachments.get(content_type="image/jpeg").public_file
    assert body["attachments"][0]["url"] == f"http://testserver{public.url}"
    assert body["attachments_police_only"] == 1
    raw = response.content.decode()
    for secret in ("jan@example.org", "127.0.0.1", report.client_hash, "original"):
        assert secret not in raw


@pytest.mark.django_db
@pytest.mark.parametrize("code, shown", [("drug-use", None), ("begging", "reduced")])
def test_the_exact_point_of_a_reduced_or_hidden_category_is_never_returned(client, code, shown):
    lat, lon = "52.223456", "18.251234"
    created = post(client, fields(category=code, lat=lat, lon=lon)).json()
    for path in (f"{URL}/{created['tracking_code']}",):
        raw = client.get(path).content.decode()
        assert "52.223456" not in raw and "18.251234" not in raw
        body = json.loads(raw)
        if shown is None:
            assert body["location"] is None
        else:
            assert body["location"] is not None
            assert body["precision"] == "reduced"


@pytest.mark.django_db
def test_an_unknown_code_is_404_in_three_languages(client):
    refusal_messages(client, f"{URL}/AAAA-BBBB-CCCC", status=404)
    assert client.get(f"{URL}/not-a-code").status_code == 404


@pytest.mark.django_db
def test_anyone_may_submit_and_read_but_nothing_else(client):
    code = post(client, fields()).json()["tracking_code"]
    detail = f"{URL}/{code}"
    assert client.get(detail).status_code == 200
    assert client.get(URL).status_code == 405
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(URL).status_code == 405
        assert getattr(client, method)(detail).status_code == 405
    assert client.post(detail, {}).status_code == 405
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_a_signed_in_user_without_csrf_token_submits_like_anyone(django_user_model):
    user = django_user_model.objects.create_user(username="someone", password="x")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert post(browser, fields()).status_code == 201


@pytest.mark.django_db
def test_the_schema_describes_both_endpoints():
    paths = openapi_schema()["paths"]
    assert set(paths[URL]) == {"post"}
    assert set(paths[DETAIL_PATH]) == {"get"}
    post_op = paths[URL]["post"]
    assert {"201", "200", "400", "422", "429"} <= set(post_op["responses"])
    assert {"multipart/form-data", "application/json"} == set(post_op["requestBody"]["content"])
    assert any(p["name"] == "Idempotency-Key" for p in post_op["parameters"])


# --- 100 concurrent submissions with one idempotency key ------------------------------------


def _categories_seed() -> None:
    """The KMZB categories as migration 0002 seeds them (a transactional test empties them)."""
    kmzb_categories_seed(Category)


class _WideServer(ThreadedWSGIServer):
    """The live server's kind, with room for a hundred connections arriving at once (the
    live server's queue of 10 resets the rest before Django sees them)."""

    request_queue_size = 256


@pytest.fixture
def wide_server() -> Iterator[str]:
    """A threaded server of the site for this test: each request in its own thread with its
    own database connection, as in production."""
    server = _WideServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("client_lock", [True, False], ids=["one-client", "unique-key-alone"])
@pytest.mark.concurrency
def test_a_hundred_concurrent_submissions_with_one_key_make_exactly_one_report(
    wide_server, client_lock, monkeypatch
):
    """From one client the per-client lock serialises them; without it (as for requests from
    a hundred addresses) the unique key alone decides, and the losers return the winner."""
    shared_database_or_skip()
    if not client_lock:
        monkeypatch.setattr(submit_module, "_lock_client", lambda client_hash: None)
    _categories_seed()
    area = AreaFactory()
    index_clear()
    key = str(uuid.uuid4())
    before = stored_files()
    start = threading.Barrier(100)
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=100))

    def send(_):
        start.wait(timeout=60)
        return session.post(
            f"{wide_server}{URL}",
            data={
                "category": "vandalism",
                "lon": FAR_AWAY[0],
                "lat": FAR_AWAY[1],
                "description": "Same report, sent by an impatient phone",
            },
            files=[("files", ("photo.jpg", photo().read(), "image/jpeg"))],
            headers={"Idempotency-Key": key},
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=100) as pool:
        responses = list(pool.map(send, range(100)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 99 + [201], [
        r.content[:200] for r in responses if r.status_code >= 300
    ]
    assert len({r.json()["tracking_code"] for r in responses}) == 1
    report = Report.objects.get()
    assert report.area == area
    assert Attachment.objects.count() == 1
    assert ReportEvent.objects.count() == 1
    # Nothing of the other 99 stayed on disk: the report's original and its public copy only.
    attachment = report.attachments.get()
    assert stored_files() - before == {attachment.file.name, attachment.public_file.name}
