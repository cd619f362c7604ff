"""GET /api/v1/map and POST /api/v1/reports/{tracking_code}/seen."""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.gis.geos import Point
from django.utils import translation
from django.utils.translation import gettext

from blisko.api.tests.helpers import (
    assert_matches_schema,
    assert_translated,
    refusal_in_three_languages,
    refusal_messages,
)
from blisko.core.geo import GEO_SRID
from blisko.reports.models import Report, SeenConfirmation, Status
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.models import Area
from blisko.territories.selectors.areas import area_for_point
from conftest import VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

URL = "/api/v1/map"
CITY = "28.38,49.19,28.56,49.28"
EXACT = (28.4702, 49.2332)
REDUCED_AT = (28.4812, 49.2392)
HIDDEN_AT = (28.4572, 49.2272)
LANGUAGES = ("uk", "pl", "en")


def map_url(**params) -> str:
    return f"{URL}?{urlencode(params)}"


def seen_url(code: str) -> str:
    return f"/api/v1/reports/{code}/seen"


@pytest.fixture
def vinnytsia() -> Area:
    return area_for_point(lon=VINNYTSIA_CENTRE[0], lat=VINNYTSIA_CENTRE[1])


def make(area, at=EXACT, code="vandalism", status=Status.SUBMITTED, **kwargs) -> Report:
    return ReportFactory(
        category=category(code),
        area=area,
        location=Point(*at, srid=GEO_SRID),
        status=status,
        **kwargs,
    )


def english(message: str) -> str:
    with translation.override("en"):
        return gettext(message)


# --- the map -------------------------------------------------------------------------------


def test_zoomed_in_the_map_answers_points_as_its_schema_says(client, vinnytsia):
    report = make(vinnytsia, status=Status.CONFIRMED, seen_count=2)
    response = client.get(map_url(bbox=CITY, zoom=14))
    assert response.status_code == 200
    data = response.json()
    assert_matches_schema(data, path=URL)
    assert data["kind"] == "points"
    (feature,) = data["points"]["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": list(EXACT)}
    assert feature["properties"]["code"] == report.tracking_code
    assert feature["properties"]["colour"] == "#d7263d"
    assert feature["properties"]["seen"] == 2
    assert data["categories"] == {"vandalism": category("vandalism").name}


def test_zoomed_out_the_map_answers_cells_as_its_schema_says(client, vinnytsia):
    make(vinnytsia)
    make(vinnytsia, at=HIDDEN_AT, code="drug-use", status=Status.CONFIRMED)
    response = client.get(map_url(bbox="27.3,47.9,30.2,50.0", zoom=8))
    assert response.status_code == 200
    data = response.json()
    assert_matches_schema(data, path=URL)
    assert data["kind"] == "cells"
    assert data["total"] == 2
    assert data["hidden_counted"] is True
    assert sum(cell["count"] for cell in data["cells"]) == 2


def test_the_legend_is_in_the_language_of_the_request(client, vinnytsia):
    make(vinnytsia)
    labels = {}
    for language in LANGUAGES:
        response = client.get(map_url(bbox=CITY, zoom=10), headers={"accept-language": language})
        labels[language] = response.json()["legend"][0]["label"]
    assert labels["en"] == "submitted"
    assert_translated(labels)


def test_no_answer_of_the_api_carries_the_exact_point_of_a_reduced_or_hidden_report(
    client, vinnytsia
):
    make(vinnytsia, at=REDUCED_AT, code="begging")
    make(vinnytsia, at=HIDDEN_AT, code="drug-use")
    make(vinnytsia, at=(28.52, 49.26))
    for zoom in range(0, 21):
        half = min(80.0, 2 * 360.0 / (1 << zoom))
        for lon, lat in (REDUCED_AT, HIDDEN_AT):
            bbox = f"{max(-180, lon - half)},{max(-90, lat - half / 2)},"
            bbox += f"{min(180, lon + half)},{min(90, lat + half / 2)}"
            body = client.get(map_url(bbox=bbox, zoom=zoom)).content.decode()
            for value in (*REDUCED_AT, *HIDDEN_AT):
                for digits in (4, 5, 6):
                    assert f"{value:.{digits}f}" not in body, (zoom, value, body)
            assert json.loads(body)["zoom"] == zoom


def test_the_filters_are_read_from_the_query(client, vinnytsia):
    with time_machine.travel(dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC), tick=False):
        make(vinnytsia, code="speeding", status=Status.CONFIRMED)
    with time_machine.travel(dt.datetime(2025, 4, 5, 10, tzinfo=dt.UTC), tick=False):
        make(vinnytsia, code="speeding", status=Status.SUBMITTED)
        make(vinnytsia, code="vandalism", status=Status.CONFIRMED)
    elsewhere = area_for_point(lon=28.1, lat=49.04)
    make(elsewhere, at=(28.1, 49.04), code="speeding", status=Status.CONFIRMED)

    def total(**params) -> int:
        response = client.get(map_url(bbox="27.3,47.9,30.2,50.0", zoom=6, **params))
        assert response.status_code == 200, response.content
        return response.json()["total"]

    assert total() == 4
    assert total(category="speeding") == 3
    assert total(category="speeding,vandalism") == 4
    assert total(status="confirmed") == 3
    assert total(status="confirmed", category="speeding") == 2
    assert total(**{"from": "2025-04-01", "to": "2025-04-30"}) == 2
    assert total(area=vinnytsia.pk) == 3
    assert total(area=vinnytsia.parent_id) >= 3


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"zoom": 10}, "bbox"),
        ({"bbox": "a,49,29,50", "zoom": 10}, "bbox"),
        ({"bbox": "28,49,29,nan", "zoom": 10}, "bbox"),
        ({"bbox": "28,91,29,92", "zoom": 10}, "bbox"),
        ({"bbox": CITY, "zoom": 21}, "zoom"),
        ({"bbox": CITY, "zoom": "ten"}, "zoom"),
        ({"bbox": CITY}, "zoom"),
        ({"bbox": CITY, "zoom": 10, "status": "lost"}, "status"),
        ({"bbox": CITY, "zoom": 10, "status": "duplicate"}, "status"),
        ({"bbox": CITY, "zoom": 10, "category": "ufo"}, "category"),
        ({"bbox": CITY, "zoom": 10, "from": "2025-13-01"}, "from"),
        ({"bbox": CITY, "zoom": 10, "area": "x"}, "area"),
        ({"bbox": CITY, "zoom": 10, "area": 10**9}, "area"),
    ],
)
def test_a_bad_query_is_refused_clearly_in_three_languages(client, params, field):
    body = client.get(map_url(**params), headers={"accept-language": "en"}).json()
    assert field in body["message"] or field in json.dumps(body["extra"]), body
    refusal_in_three_languages(client, map_url(**params))


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "28,49,29", "zoom": 10},
        {"bbox": "29,49,28,50", "zoom": 10},
        {"bbox": "20,45,30,50", "zoom": 14},
        {"bbox": CITY, "zoom": 10, "from": "2025-05-01", "to": "2025-04-01"},
    ],
)
def test_a_bbox_or_period_that_makes_no_sense_is_refused_in_three_languages(client, params):
    messages = refusal_messages(client, map_url(**params), status=400)
    assert_translated(messages)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_may_write_to_the_map(client, admin_client, method):
    for who in (client, admin_client):
        response = getattr(who, method)(map_url(bbox=CITY, zoom=10))
        assert response.status_code == 405


# --- "I have seen this too" ----------------------------------------------------------------


def test_a_first_confirmation_is_counted_and_shows_on_the_map(client, vinnytsia):
    report = make(vinnytsia)
    response = client.post(seen_url(report.tracking_code), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 201
    assert response.json() == {
        "tracking_code": report.tracking_code,
        "seen_count": 1,
        "counted": True,
        "message": english("Thank you: your confirmation is counted."),
    }
    data = client.get(map_url(bbox=CITY, zoom=14)).json()
    assert data["points"]["features"][0]["properties"]["seen"] == 1


def test_a_second_confirmation_of_the_same_client_is_not_counted_again(client, vinnytsia):
    report = make(vinnytsia)
    client.post(seen_url(report.tracking_code), REMOTE_ADDR="203.0.113.7")
    again = client.post(seen_url(report.tracking_code), REMOTE_ADDR="203.0.113.7")
    assert again.status_code == 200
    assert again.json()["counted"] is False
    assert again.json()["seen_count"] == 1
    other = client.post(seen_url(report.tracking_code), REMOTE_ADDR="203.0.113.8")
    assert other.status_code == 201 and other.json()["seen_count"] == 2
    assert SeenConfirmation.objects.filter(report=report).count() == 2


def test_the_code_may_be_typed_in_any_case_without_dashes(client, vinnytsia):
    report = make(vinnytsia)
    code = report.tracking_code.replace("-", "").lower()
    assert client.post(seen_url(code)).status_code == 201


def test_an_unknown_code_is_not_found(client):
    response = client.post(seen_url("ZZZZ-ZZZZ-ZZZZ"), headers={"accept-language": "en"})
    assert response.status_code == 404
    assert response.json()["extra"] == {"field": "tracking_code"}


def test_a_closed_report_cannot_be_confirmed_in_three_languages(client, vinnytsia):
    report = make(vinnytsia, status=Status.RESOLVED)
    messages = {}
    for language in LANGUAGES:
        response = client.post(
            seen_url(report.tracking_code), headers={"accept-language": language}
        )
        assert response.status_code == 400
        assert response.json()["extra"]["field"] == "status"
        messages[language] = response.json()["message"]
    assert Report.objects.get(pk=report.pk).seen_count == 0
    assert_translated(messages)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_a_confirmation_can_only_be_posted(client, vinnytsia, method):
    report = make(vinnytsia)
    response = getattr(client, method)(seen_url(report.tracking_code))
    assert response.status_code == 405
    assert Report.objects.get(pk=report.pk).seen_count == 0
