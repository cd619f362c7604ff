"""POST /open311/v2/requests.{json,xml} with any input (Hypothesis): a 201 with a stored report,
or a clear refusal in the spec's error format, never a 5xx, and nothing half-written.

Bounded by the Hypothesis profile of blisko.core.testing.fuzz.
"""

import json
import xml.etree.ElementTree as ET  # noqa: S405 (parses the server's own answers)

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from blisko.reports.models import Report
from blisko.reports.services.open311_keys import open311_key_create
from blisko.reports.tests.strategies import (
    CODES,
    HUGE_TEXT,
    INSIDE,
    NUMBERS,
    OCCURRED,
    PAST,
    SPOIL,
    TEXT,
    VALID_CODES,
    rows_count,
)
from blisko.reports.tests.uploads import PDF_BYTES, jpeg_bytes, upload

pytestmark = pytest.mark.django_db


@st.composite
def posts(draw):
    """The fields of a good POST, each spoilt now and then with anything at all."""
    lon, lat = draw(INSIDE)
    good = {
        "service_code": VALID_CODES,
        "lat": st.just(repr(lat)),
        "long": st.just(repr(lon)),
        "description": TEXT,
        "email": st.one_of(st.just(""), st.emails()),
        "device_id": TEXT,
        "attribute[occurred_at]": PAST,
    }
    spoilt = {
        "service_code": CODES,
        "lat": NUMBERS,
        "long": NUMBERS,
        "description": HUGE_TEXT,
        "email": TEXT,
        "device_id": HUGE_TEXT,
        "attribute[occurred_at]": OCCURRED,
    }
    data = {}
    for name, strategy in good.items():
        if not draw(SPOIL):
            data[name] = draw(strategy)
        elif draw(st.booleans()):
            data[name] = draw(spoilt[name])
    extra = {
        "account_id": TEXT,
        "first_name": TEXT,
        "address_string": TEXT,
        "jurisdiction_id": st.sampled_from(["", "elsewhere.example"]),
        "locale": st.sampled_from(["", "uk", "pl_PL", "en-GB", "xx"]),
        f"attribute[{draw(TEXT)}]": TEXT,
    }
    for name, strategy in extra.items():
        if draw(SPOIL):
            data[name] = draw(strategy)
    return data


def _refusal(response, fmt: str) -> None:
    """A refusal in the spec's format: one error whose code is the HTTP status."""
    status = response.status_code
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        body = json.loads(response.content)
        assert isinstance(body, list) and len(body) == 1, body
        code, description = body[0]["code"], body[0]["description"]
    else:
        assert response["Content-Type"].startswith("text/xml")
        errors = ET.fromstring(response.content).findall("error")  # noqa: S314
        assert len(errors) == 1
        code, description = int(errors[0].findtext("code")), errors[0].findtext("description")
    assert code == status
    assert description and description.strip()


def _created(response, fmt: str) -> str:
    """The service_request_id of a 201 answer."""
    if fmt == "json":
        return json.loads(response.content)[0]["service_request_id"]
    root = ET.fromstring(response.content)  # noqa: S314
    return root.find("request").findtext("service_request_id")


@pytest.fixture
def api_key() -> str:
    return open311_key_create(name="property tests")[1]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_any_post_is_stored_whole_or_refused_in_the_spec_format(fmt, api_key, settings):
    settings.BLISKO_REPORT_DAILY_LIMIT = 100_000
    client = Client(headers={"accept-language": "en"})

    outcomes: set[int] = set()

    photos = st.one_of(st.none(), st.sampled_from(["photo", "pdf", "bad"]))

    @given(data=posts(), keyed=SPOIL.map(lambda spoil: not spoil), photo=photos)
    def check(data, keyed, photo):
        if keyed:
            data = {**data, "api_key": api_key}
        if photo is not None:
            content = {"photo": jpeg_bytes(), "pdf": PDF_BYTES, "bad": b"not an image"}[photo]
            data = {**data, "media": upload(f"m.{photo}", content)}
        before = rows_count()
        response = client.post(f"/open311/v2/requests.{fmt}", data)
        after = rows_count()
        assert response.status_code < 500, response.content
        outcomes.add(response.status_code)
        if response.status_code == 201:
            code = _created(response, fmt)
            report = Report.objects.get(tracking_code=code)
            assert after[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
            assert after[3] == before[3] + report.attachments.count()
        else:
            assert 400 <= response.status_code < 500
            _refusal(response, fmt)
            assert after == before, "a refused request left rows behind"
            if not keyed:
                # No api_key: 403, unless another jurisdiction was named first (404).
                assert response.status_code in (403, 404)

    check()
    # Not vacuous: some requests were created, some refused.
    assert 201 in outcomes and outcomes - {201}, outcomes
