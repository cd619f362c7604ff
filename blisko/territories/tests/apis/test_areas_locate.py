import pytest

from blisko.api.tests.helpers import assert_matches_schema, refusal_in_three_languages
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

URL = "/api/v1/areas/locate"
VINNYTSIA_HROMADA = "UA05020030000031457"
AREA_KEYS = {"id", "level", "code", "name", "name_official", "parent"}


def _locate(point: tuple[float, float], extra: str = "") -> str:
    lon, lat = point
    return f"{URL}?lat={lat}&lon={lon}{extra}"


@pytest.mark.django_db
def test_the_centre_of_vinnytsia_lies_in_its_hromada_raion_oblast_and_ukraine(client):
    response = client.get(_locate(VINNYTSIA_CENTRE))

    assert response.status_code == 200
    areas = response.json()
    assert [a["level"] for a in areas] == ["country", "region", "district", "community"]
    assert areas[-1]["code"] == VINNYTSIA_HROMADA
    assert areas[1]["code"] == "UA05000000000010236"
    for area in areas:
        assert set(area) == AREA_KEYS


@pytest.mark.django_db
def test_each_area_of_the_answer_names_the_one_before_it_as_parent(client):
    areas = client.get(_locate(VINNYTSIA_CENTRE)).json()

    assert areas[0]["parent"] is None
    for coarse, fine in zip(areas, areas[1:], strict=False):
        assert fine["parent"] == coarse["id"]


@pytest.mark.django_db
def test_the_centre_of_konin_lies_in_gmina_konin(client):
    areas = client.get(_locate(KONIN_CENTRE)).json()

    assert "3062011" in [a["code"] for a in areas]
    assert areas[0]["level"] == "country"


@pytest.mark.django_db
def test_the_answer_matches_the_schema(client):
    response = client.get(_locate(KONIN_CENTRE))

    assert_matches_schema(response.json(), path=URL)


@pytest.mark.django_db
def test_the_names_follow_the_language_of_the_request(client):
    names = {
        lang: client.get(_locate(VINNYTSIA_CENTRE), headers={"accept-language": lang}).json()[0][
            "name"
        ]
        for lang in ("uk", "pl", "en")
    }

    assert names["uk"] == "Україна"
    assert names["en"] == "Ukraine"


@pytest.mark.django_db
def test_a_date_in_force_finds_the_same_areas_as_today(client):
    today = client.get(_locate(VINNYTSIA_CENTRE)).json()

    on_a_day = client.get(_locate(VINNYTSIA_CENTRE, "&date=2021-03-01"))

    assert on_a_day.status_code == 200
    assert on_a_day.json() == today


@pytest.mark.django_db
def test_a_date_before_the_boundaries_were_in_force_finds_nothing(client):
    refusal_in_three_languages(client, _locate(VINNYTSIA_CENTRE, "&date=2001-01-01"), status=404)


@pytest.mark.django_db
def test_a_point_in_the_black_sea_is_outside_every_territory(client):
    messages = refusal_in_three_languages(client, _locate(BLACK_SEA), status=404)

    assert messages["en"]


BAD_POINTS = {
    "lat missing": "lon=28.4",
    "lon missing": "lat=49.2",
    "both missing": "",
    "lat empty": "lat=&lon=28.4",
    "lat not a number": "lat=abc&lon=28.4",
    "lon not a number": "lat=49.2&lon=abc",
    "lat NaN": "lat=NaN&lon=28.4",
    "lon NaN": "lat=49.2&lon=nan",
    "lat infinity": "lat=inf&lon=28.4",
    "lon minus infinity": "lat=49.2&lon=-inf",
    "lon Infinity": "lat=49.2&lon=Infinity",
    "lat 91": "lat=91&lon=28.4",
    "lat -90.5": "lat=-90.5&lon=28.4",
    "lon 181": "lat=49.2&lon=181",
    "lon -180.01": "lat=49.2&lon=-180.01",
}


@pytest.mark.django_db
@pytest.mark.parametrize("query", BAD_POINTS.values(), ids=BAD_POINTS.keys())
def test_a_bad_point_is_refused_with_a_clear_message_in_each_language(client, query):
    response = client.get(f"{URL}?{query}", headers={"accept-language": "en"})

    assert response.status_code == 400
    assert response.json()["extra"]["field"] in ("lat", "lon")
    refusal_in_three_languages(client, f"{URL}?{query}")


@pytest.mark.django_db
@pytest.mark.parametrize("date", ["2020-13-45", "yesterday", "2021-02-30", "01.03.2021"])
def test_a_bad_date_is_refused_with_a_clear_message_in_each_language(client, date):
    url = _locate(VINNYTSIA_CENTRE, f"&date={date}")

    response = client.get(url, headers={"accept-language": "en"})

    assert response.status_code == 400
    assert "date" in response.json()["extra"]["fields"]
    refusal_in_three_languages(client, url)
