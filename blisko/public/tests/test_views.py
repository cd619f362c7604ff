"""The resident-facing pages through Django's test client: status codes, content, refusals."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import translation

from blisko.core.geo import parse_lat_lon
from blisko.officers.models import CoverReason, Role
from blisko.officers.selectors.find import directory_cache_clear
from blisko.public import views
from blisko.public.tests.data import (
    KONIN,
    VINNYTSIA,
    ZHMERYNKA,
    area_contact_set,
    assign,
    officer_make,
    service_area_make,
    square,
    unit_make,
)
from blisko.territories.index import index_clear
from blisko.territories.models import Area, Place
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE


@pytest.fixture(autouse=True)
def _fresh_officers_cache():
    directory_cache_clear()
    yield
    directory_cache_clear()


@pytest.fixture
def vinnytsia_officer(db):
    """Вінницька громада with its phone, a unit and a community officer."""
    hromada = Area.objects.get(code=VINNYTSIA)
    area_contact_set(area=hromada, phone="+380 (43) 255-10-20", email="vinnytsia@police.example")
    unit = unit_make(
        area=hromada,
        name="Вінницьке районне управління поліції",
        address="вул. Театральна, 10, Вінниця",
        lon=28.47,
        lat=49.234,
    )
    officer = officer_make(
        unit=unit,
        first_name="Олена",
        last_name="Коваль",
        rank="капітан поліції",
        badge="UA-0001",
        bio="Служу в громаді з 2019 року.",
    )
    assignment = assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)
    return {"area": hromada, "unit": unit, "officer": officer, "assignment": assignment}


def officer_url(point: tuple[float, float]) -> str:
    lon, lat = point
    return f"/officer/?lat={lat}&lon={lon}"


# --- the start page and the language switcher ---------------------------------------------


@pytest.mark.django_db
def test_the_start_page_has_the_search_form_the_map_and_the_language_switcher(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="uk")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'action="/search/"' in html
    assert 'name="q"' in html
    assert 'role="combobox"' in html
    assert "data-home-map" in html
    assert 'action="/i18n/setlang/"' in html
    for code in ("uk", "pl", "en"):
        assert f'name="language" value="{code}"' in html
    assert '<html lang="uk">' in html


@pytest.mark.django_db
def test_the_start_page_asks_for_nothing_outside_the_site(client):
    html = client.get("/").content.decode()
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    assert "/static/leaflet/leaflet.js" in html


@pytest.mark.django_db
def test_choosing_a_language_keeps_it_for_the_next_pages(client):
    response = client.post("/i18n/setlang/", {"language": "pl", "next": "/search/?q=Konin"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=Konin"
    html = client.get("/").content.decode()
    assert '<html lang="pl">' in html
    assert 'value="pl" lang="pl"\n              class="lang-switch__option is-current"' in html


@pytest.mark.django_db
def test_the_switcher_marks_the_current_language(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count('aria-current="true"') == 1
    current = html.split('aria-current="true"')[0].rsplit("<button", 1)[1]
    assert 'value="en"' in current


# --- search without JavaScript ------------------------------------------------------------


@pytest.mark.django_db
def test_the_search_page_lists_matching_places_with_links_to_their_officer(client):
    zhmerynka = Place.objects.get(name="Жмеринка", kind="city")
    response = client.get("/search/", {"q": "жмерин"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/officer/?place={zhmerynka.pk}"' in html
    assert "Жмеринка" in html


@pytest.mark.django_db
def test_the_search_page_tells_same_named_places_apart_by_their_community(client):
    response = client.get("/search/", {"q": "Жмеринка"}, HTTP_ACCEPT_LANGUAGE="uk")
    item = response.context["places"][0]
    assert item["place"].name == "Жмеринка"
    assert any("громада" in where for where in item["where"])
    assert any("область" in where for where in item["where"])


@pytest.mark.django_db
def test_the_search_page_without_a_query_asks_for_one(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["places"] == []
    assert response.context["error"] == ""


@pytest.mark.django_db
def test_the_search_page_says_when_nothing_matches(client):
    response = client.get("/search/", {"q": "Qwxyzzy"})
    assert response.status_code == 200
    assert response.context["places"] == []
    assert "data-search-results" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["x" * 201, "<script>alert(1)</script>", "a'; DROP TABLE x;--"])
def test_the_search_page_refuses_a_bad_query_with_a_400_and_a_message(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 400
    assert response.context["error"]
    assert "<script>alert" not in response.content.decode()


# --- the officer page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_officer_page_shows_the_officer_the_area_phone_and_the_unit(client, vinnytsia_officer):
    response = client.get(officer_url(VINNYTSIA_CENTRE))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Олена Коваль" in html
    assert "капітан поліції" in html
    assert "Служу в громаді з 2019 року." in html
    assert 'href="tel:+380432551020"' in html
    assert 'href="mailto:vinnytsia@police.example"' in html
    assert "Вінницьке районне управління поліції" in html
    assert "вул. Театральна, 10, Вінниця" in html
    assert "officer-placeholder.svg" in html
    assert f'data-boundary-url="/api/v1/areas/{vinnytsia_officer["area"].pk}/boundary"' in html


@pytest.mark.django_db
def test_the_officer_page_lists_the_chain_of_areas_and_the_nearest_units(client, vinnytsia_officer):
    response = client.get(officer_url(VINNYTSIA_CENTRE))
    chain = [area.code for area in response.context["chain"]]
    assert chain[0] == VINNYTSIA
    assert [a.level for a in response.context["chain"]][1:3] == ["district", "region"]
    nearest = response.context["nearest_units"]
    assert nearest[0].unit == vinnytsia_officer["unit"]
    assert "km" in response.content.decode()


@pytest.mark.django_db
def test_the_officer_page_finds_a_place_by_its_id(client):
    hromada = Area.objects.get(code=ZHMERYNKA)
    unit = unit_make(area=hromada, name="Жмеринський відділ поліції", lon=28.11, lat=49.04)
    officer = officer_make(
        unit=unit, first_name="Іван", last_name="Мельник", rank="лейтенант", badge="UA-2"
    )
    assign(officer=officer, area=hromada, role=Role.COMMUNITY_OFFICER)
    place = Place.objects.get(name="Жмеринка", kind="city")
    response = client.get("/officer/", {"place": place.pk})
    assert response.status_code == 200
    assert response.context["area"] == hromada
    assert response.context["place"] == place
    assert "Іван Мельник" in response.content.decode()


@pytest.mark.django_db
def test_a_cover_is_shown_first_with_the_officer_it_stands_in_for(client, vinnytsia_officer):
    today = dt.date.today()
    cover_officer = officer_make(
        unit=vinnytsia_officer["unit"],
        first_name="Петро",
        last_name="Бондар",
        rank="старший лейтенант",
        badge="UA-3",
    )
    assign(
        officer=cover_officer,
        area=vinnytsia_officer["area"],
        role=Role.COMMUNITY_OFFICER,
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=10),
        covers=vinnytsia_officer["assignment"],
        cover_reason=CoverReason.LEAVE,
    )
    response = client.get(officer_url(VINNYTSIA_CENTRE))
    html = response.content.decode()
    cards = response.context["cards"]
    assert [c.officer.last_name for c in cards] == ["Бондар", "Коваль"]
    assert cards[0].covering_for == vinnytsia_officer["officer"]
    assert html.index("Петро Бондар") < html.index("Олена Коваль")
    with translation.override("en"):
        html = client.get(officer_url(VINNYTSIA_CENTRE), HTTP_ACCEPT_LANGUAGE="en").content
    assert "Covering for Олена Коваль during leave." in html.decode()


@pytest.mark.django_db
def test_a_service_area_shows_its_district_officer_and_the_traffic_officer_beside(client):
    # An earlier test may have left the area index trusting itself for a while (a long check
    # interval); start from no index so the new service area is seen at once.
    index_clear()
    konin = Area.objects.get(code=KONIN)
    beat = service_area_make(
        community=konin,
        suffix="01",
        boundary=square(lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1], half=0.01),
        name="Konin Centrum",
    )
    unit = unit_make(
        area=konin,
        name="Komenda Miejska Policji w Koninie",
        address="ul. Kardynała Wyszyńskiego 3",
        lon=18.25,
        lat=52.22,
    )
    district = officer_make(
        unit=unit, first_name="Anna", last_name="Nowak", rank="sierżant", badge="PL-1"
    )
    traffic = officer_make(
        unit=unit, first_name="Piotr", last_name="Wiśniewski", rank="aspirant", badge="PL-2"
    )
    assign(officer=district, area=beat, role=Role.DISTRICT_OFFICER)
    assign(officer=traffic, area=beat, role=Role.TRAFFIC_OFFICER)
    response = client.get(officer_url(KONIN_CENTRE), HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["area"] == beat
    assert "Anna Nowak" in html
    assert "Piotr Wiśniewski" in html
    assert html.index("Anna Nowak") < html.index("Piotr Wiśniewski")


@pytest.mark.django_db
def test_an_area_without_an_officer_says_so_and_shows_the_supervisor_and_unit(client):
    hromada = Area.objects.get(code=VINNYTSIA)
    unit = unit_make(area=hromada.parent, name="Вінницьке РУП", lon=28.47, lat=49.23)
    supervisor = officer_make(
        unit=unit, first_name="Марія", last_name="Шевчук", rank="майор поліції", badge="UA-9"
    )
    assign(officer=supervisor, area=hromada.parent, role=Role.SUPERVISOR)
    response = client.get(officer_url(VINNYTSIA_CENTRE))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert 'data-empty="no-officer"' in html
    assert "Марія Шевчук" in html
    assert "Вінницьке РУП" in html


@pytest.mark.django_db
def test_a_point_outside_every_territory_gets_a_friendly_page_with_a_way_back(client):
    response = client.get(officer_url(BLACK_SEA))
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-empty="outside"' in html
    assert 'href="/"' in html
    assert [t.name for t in response.templates][0] == "public/outside.html"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=abc&lon=28.4", "lat"),
        ("lat=49.2", "lon"),
        ("lon=28.4", "lat"),
        ("lat=nan&lon=28.4", "lat"),
        ("lat=49.2&lon=inf", "lon"),
        ("lat=91&lon=28.4", "lat"),
        ("lat=49.2&lon=-181", "lon"),
        ("", "lat"),
    ],
)
def test_a_bad_latitude_or_longitude_gets_a_400_page_with_the_reason(client, query, field):
    response = client.get(f"/officer/?{query}")
    assert response.status_code == 400
    assert [t.name for t in response.templates][0] == "public/error.html"
    assert f"“{field}”" in response.context["message"]
    assert "data-error-message" in response.content.decode()


@pytest.mark.django_db
def test_the_400_message_is_the_translated_one(client):
    with translation.override("pl"):
        try:
            parse_lat_lon("abc", "1")
        except Exception as error:  # noqa: BLE001 - the message is what is compared
            expected = error.message
    response = client.get("/officer/?lat=abc&lon=1", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.context["message"] == expected
    assert '<html lang="pl">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "١٢", "9" * 30])
def test_a_place_that_is_not_a_number_gets_a_400(client, value):
    response = client.get("/officer/", {"place": value})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_place_that_does_not_exist_gets_a_404_page(client):
    response = client.get("/officer/", {"place": 999_999_999})
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "public/error.html"


@pytest.mark.django_db
def test_the_officer_page_answers_only_get(client):
    assert client.post(officer_url(VINNYTSIA_CENTRE)).status_code == 405


# --- error pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_address_gets_the_designed_404_page(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="uk")
    html = response.content.decode()
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "404.html"
    assert "lang-switch" in html
    assert "blisko.css" in html


@pytest.mark.django_db
def test_the_500_page_is_designed_and_translated():
    request = RequestFactory().get("/")
    with translation.override("en"):
        response = views.error_500(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "blisko.css" in html
