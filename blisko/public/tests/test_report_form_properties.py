"""The report form (POST /report/) with any input (Hypothesis): a redirect to the page of a
stored report, or the form shown again with its errors (4xx), never a 5xx, and nothing
half-written. Bounded by the Hypothesis profile of blisko.core.testing.fuzz."""

import itertools

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from blisko.reports.models import Report
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

_keys = itertools.count(1)


@st.composite
def forms(draw):
    """The fields of a good form, each spoilt now and then with anything at all."""
    lon, lat = draw(INSIDE)
    good = {
        "category": VALID_CODES,
        "lat": st.just(repr(lat)),
        "lon": st.just(repr(lon)),
        "description": TEXT,
        "email": st.one_of(st.just(""), st.emails()),
        "occurred_at": PAST,
        "tz_offset": st.integers(-120, 180).map(str),
        "website": st.just(""),
    }
    spoilt = {
        "category": CODES,
        "lat": NUMBERS,
        "lon": NUMBERS,
        "description": HUGE_TEXT,
        "email": TEXT,
        "occurred_at": OCCURRED,
        "tz_offset": st.one_of(st.integers().map(str), TEXT),
        "website": TEXT,
    }
    data = {}
    for name, strategy in good.items():
        if not draw(SPOIL):
            data[name] = draw(strategy)
        elif draw(st.booleans()):
            data[name] = draw(spoilt[name])
    return data


def test_any_form_is_stored_whole_or_shown_again_with_its_errors(settings):
    settings.BLISKO_REPORT_DAILY_LIMIT = 100_000
    client = Client(headers={"accept-language": "en"})

    outcomes: set[int] = set()

    files = st.one_of(st.none(), st.sampled_from(["photo", "pdf", "bad"]))

    @given(data=forms(), fresh_key=st.booleans(), file=files)
    def check(data, fresh_key, file):
        # A fresh key each time, or none: a key used again is a replay (tested elsewhere).
        data = {**data, "idempotency_key": f"form-{next(_keys)}" if fresh_key else ""}
        if file is not None:
            content = {"photo": jpeg_bytes(), "pdf": PDF_BYTES, "bad": b"not an image"}[file]
            data["files"] = upload(f"f.{file}", content)
        before = rows_count()
        response = client.post("/report/", data)
        after = rows_count()
        assert response.status_code < 500, response.content[:2000]
        outcomes.add(response.status_code)
        if response.status_code == 302:
            code = response["Location"].split("/")[2]
            report = Report.objects.get(tracking_code=code)
            assert after[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
            assert after[3] == before[3] + report.attachments.count()
        else:
            assert 400 <= response.status_code < 500
            assert response["Content-Type"].startswith("text/html")
            page = response.content.decode()
            assert 'name="category"' in page and 'name="description"' in page
            assert "data-error-summary" in page, page[:3000]
            assert after == before, "a refused form left rows behind"

    check()
    # Not vacuous: some forms were accepted, some refused.
    assert 302 in outcomes and outcomes - {302}, outcomes
