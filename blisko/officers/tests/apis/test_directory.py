import pytest

from blisko.api.tests.helpers import assert_matches_schema, refusal_in_three_languages
from blisko.core.models import DirectoryChange
from blisko.officers.services.officers import officer_delete, officer_save
from blisko.officers.tests.apis.conftest import make_officer
from blisko.territories.models import Area

URL = "/api/v1/directory"
EMPTY_DELETED = {"area": [], "officer": [], "unit": [], "assignment": []}


def _last_version() -> int:
    return DirectoryChange.objects.order_by("-id").values_list("id", flat=True).first()


def test_without_since_the_whole_directory_is_exported(client, staff):
    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"version", "since", "areas", "officers", "units", "assignments", "deleted"}
    assert body["since"] == 0
    assert body["version"] == _last_version()
    assert len(body["areas"]) == Area.objects.filter(valid_to=None).count()
    assert {o["id"] for o in body["officers"]} == {
        staff.officer.pk,
        staff.traffic.pk,
        staff.supervisor.pk,
    }
    assert [u["id"] for u in body["units"]] == [staff.unit.pk]
    assert len(body["assignments"]) == 3
    assert body["deleted"] == EMPTY_DELETED


def test_an_empty_since_counts_as_missing(client, staff):
    response = client.get(f"{URL}?since=")

    assert response.status_code == 200
    assert response.json()["since"] == 0
    assert response.json()["officers"]


def test_the_records_carry_what_an_offline_app_needs(client, staff):
    body = client.get(URL).json()

    area = next(a for a in body["areas"] if a["code"] == staff.hromada.code)
    assert area["parent"] == staff.raion.pk
    assert area["name_uk"] and area["name_official"]
    assert area["contact_phone"] == "+380 43 200 00 00"
    officer = next(o for o in body["officers"] if o["id"] == staff.officer.pk)
    assert officer["name"] == "Олена Коваль"
    assert officer["photo_url"] == "http://testserver/media/officers/koval.jpg"
    assert officer["unit_id"] == staff.unit.pk
    assignment = next(a for a in body["assignments"] if a["id"] == staff.primary.pk)
    assert assignment == {
        "id": staff.primary.pk,
        "officer_id": staff.officer.pk,
        "area_id": staff.hromada.pk,
        "role": "community_officer",
        "is_primary": True,
        "starts_on": "2024-01-01",
        "ends_on": None,
        "covers_id": None,
        "cover_reason": "",
    }
    assert body["units"][0]["location"] == {"lat": 49.23, "lon": 28.47}


def test_since_the_latest_version_nothing_has_changed(client, staff):
    version = client.get(URL).json()["version"]

    body = client.get(f"{URL}?since={version}").json()

    assert body["version"] == version
    assert body["since"] == version
    assert body["areas"] == body["officers"] == body["units"] == body["assignments"] == []
    assert body["deleted"] == EMPTY_DELETED


def test_only_what_changed_since_a_version_is_sent(client, staff):
    version = client.get(URL).json()["version"]
    staff.officer.rank = "майор поліції"
    officer_save(officer=staff.officer, actor=None)

    body = client.get(f"{URL}?since={version}").json()

    assert body["version"] > version
    assert [(o["id"], o["rank"]) for o in body["officers"]] == [(staff.officer.pk, "майор поліції")]
    assert body["areas"] == body["units"] == body["assignments"] == []


def test_a_deleted_officer_is_listed_among_the_deletions(client, staff):
    newcomer = make_officer(first="Ганна", last="Мельник", badge="UA-0009", unit=staff.unit)
    version = client.get(URL).json()["version"]
    newcomer_id = newcomer.pk
    officer_delete(officer=newcomer, actor=None)

    body = client.get(f"{URL}?since={version}").json()

    assert body["deleted"]["officer"] == [newcomer_id]
    assert body["officers"] == []


def test_the_answer_matches_the_schema(client, staff):
    response = client.get(URL)

    assert_matches_schema(response.json(), path=URL)


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["-1", "abc", "1.5", "1e3", "99999999999999999999999"])
def test_a_bad_version_is_refused_with_a_clear_message_in_each_language(client, since):
    refusal_in_three_languages(client, f"{URL}?since={since}")
