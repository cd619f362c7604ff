import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blisko.api.tests.helpers import (
    assert_matches_schema,
    assert_translated,
    refusal_in_three_languages,
)
from blisko.officers.selectors.find import officer_find
from blisko.officers.services.assignments import assignment_create
from blisko.officers.tests.apis.conftest import make_officer
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

URL = "/api/v1/officers/find"
CARD_KEYS = {
    "id",
    "name",
    "rank",
    "role",
    "role_label",
    "photo_url",
    "bio",
    "badge_number",
    "unit_id",
    "starts_on",
    "covering_for",
    "cover_reason",
    "is_absent",
}
UNIT_KEYS = {
    "id",
    "name",
    "address",
    "phone",
    "duty_phone",
    "email",
    "opening_hours",
    "location",
}


def _find(point: tuple[float, float]) -> str:
    lon, lat = point
    return f"{URL}?lat={lat}&lon={lon}"


def test_the_officer_of_the_hromada_is_found_at_the_centre_of_vinnytsia(client, staff):
    response = client.get(_find(VINNYTSIA_CENTRE))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "area",
        "areas",
        "officers",
        "traffic_officers",
        "supervisors",
        "unit",
        "nearest_units",
        "contact",
    }
    assert body["area"]["code"] == staff.hromada.code
    assert [a["level"] for a in body["areas"]] == ["country", "region", "district", "community"]
    [card] = body["officers"]
    assert set(card) == CARD_KEYS
    assert card["id"] == staff.officer.pk
    assert card["name"] == "Олена Коваль"
    assert card["role"] == "community_officer"
    assert card["badge_number"] == "UA-0001"
    assert card["unit_id"] == staff.unit.pk
    assert card["starts_on"] == "2024-01-01"
    assert (card["covering_for"], card["cover_reason"], card["is_absent"]) == (None, "", False)


def test_the_traffic_officer_supervisor_unit_and_contact_come_with_the_card(client, staff):
    body = client.get(_find(VINNYTSIA_CENTRE)).json()

    assert [c["id"] for c in body["traffic_officers"]] == [staff.traffic.pk]
    assert body["traffic_officers"][0]["role"] == "traffic_officer"
    assert [c["id"] for c in body["supervisors"]] == [staff.supervisor.pk]
    assert set(body["unit"]) == UNIT_KEYS
    assert body["unit"]["id"] == staff.unit.pk
    assert body["unit"]["location"] == {"lat": 49.23, "lon": 28.47}
    assert body["contact"] == {"phone": "+380 43 200 00 00", "email": "vinnytska@example.org"}


def test_the_nearest_units_are_listed_with_their_distance(client, staff):
    body = client.get(_find(VINNYTSIA_CENTRE)).json()

    [nearest] = body["nearest_units"]
    assert set(nearest) == {"unit", "distance_km"}
    assert nearest["unit"]["id"] == staff.unit.pk
    assert 0 < nearest["distance_km"] < 2


def test_the_photo_is_an_absolute_url_or_null(client, staff):
    body = client.get(_find(VINNYTSIA_CENTRE)).json()

    assert body["officers"][0]["photo_url"] == "http://testserver/media/officers/koval.jpg"
    assert body["traffic_officers"][0]["photo_url"] is None


def test_a_cover_stands_first_and_names_the_absent_officer(client, staff, today):
    stand_in = make_officer(first="Марія", last="Ткач", badge="UA-0004", unit=staff.unit)
    assignment_create(
        actor=None,
        officer=stand_in,
        area=staff.hromada,
        role="community_officer",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=7),
        covers=staff.primary,
        cover_reason="leave",
    )

    body = client.get(_find(VINNYTSIA_CENTRE)).json()

    cover, absent = body["officers"]
    assert cover["id"] == stand_in.pk
    assert cover["covering_for"] == {"id": staff.officer.pk, "name": "Олена Коваль"}
    assert cover["cover_reason"] == "leave"
    assert cover["is_absent"] is False
    assert absent["id"] == staff.officer.pk
    assert absent["is_absent"] is True


def test_an_area_without_an_officer_still_shows_its_supervisor_and_unit(client, staff, today):
    from blisko.officers.services.assignments import assignment_end

    assignment_end(actor=None, assignment=staff.primary, ends_on=today - dt.timedelta(days=1))

    body = client.get(_find(VINNYTSIA_CENTRE)).json()

    assert body["officers"] == []
    assert [c["id"] for c in body["supervisors"]] == [staff.supervisor.pk]
    assert body["unit"]["id"] == staff.unit.pk


@pytest.mark.django_db
def test_a_point_served_by_nobody_answers_with_empty_lists(client):
    response = client.get(_find(KONIN_CENTRE))

    assert response.status_code == 200
    body = response.json()
    assert body["area"]["code"] == "3062011"
    assert body["officers"] == body["traffic_officers"] == body["supervisors"] == []


def test_the_role_label_follows_the_language_of_the_request(client, staff):
    labels = {
        language: client.get(_find(VINNYTSIA_CENTRE), headers={"accept-language": language}).json()[
            "officers"
        ][0]["role_label"]
        for language in ("uk", "pl", "en")
    }

    assert labels["en"] == "community police officer"
    assert_translated(labels)


def test_the_answer_matches_the_schema(client, staff, today):
    stand_in = make_officer(first="Марія", last="Ткач", badge="UA-0004", unit=staff.unit)
    assignment_create(
        actor=None,
        officer=stand_in,
        area=staff.hromada,
        role="community_officer",
        starts_on=today,
        covers=staff.primary,
        cover_reason="sick",
    )

    response = client.get(_find(VINNYTSIA_CENTRE))

    assert_matches_schema(response.json(), path=URL)


def test_the_view_adds_no_query_to_those_of_the_selector(client, staff):
    lon, lat = VINNYTSIA_CENTRE
    client.get(_find(VINNYTSIA_CENTRE))  # warm the caches
    with CaptureQueriesContext(connection) as selector_queries:
        officer_find(lon=lon, lat=lat)
    with CaptureQueriesContext(connection) as api_queries:
        response = client.get(_find(VINNYTSIA_CENTRE))

    assert response.status_code == 200
    assert len(api_queries) == len(selector_queries)


def test_a_browser_gets_json_too_not_the_browsable_api(client, staff):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

    response = client.get(_find(VINNYTSIA_CENTRE), headers={"accept": accept})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_point_in_the_black_sea_is_outside_every_territory(client):
    refusal_in_three_languages(client, _find(BLACK_SEA), status=404)


BAD_POINTS = {
    "lat missing": "lon=28.4",
    "lon missing": "lat=49.2",
    "lat not a number": "lat=abc&lon=28.4",
    "lon NaN": "lat=49.2&lon=NaN",
    "lat infinity": "lat=inf&lon=28.4",
    "lon minus infinity": "lat=49.2&lon=-inf",
    "lat 91": "lat=91&lon=28.4",
    "lon 181": "lat=49.2&lon=181",
}


@pytest.mark.django_db
@pytest.mark.parametrize("query", BAD_POINTS.values(), ids=BAD_POINTS.keys())
def test_a_bad_point_is_refused_with_a_clear_message_in_each_language(client, query):
    refusal_in_three_languages(client, f"{URL}?{query}")
