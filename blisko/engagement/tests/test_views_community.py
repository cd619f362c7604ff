"""The community head's page: only their community, read-only, never the signed document;
police accounts go to their own pages; anyone else is told the page is not theirs."""

import pytest
from django.contrib.auth import get_user_model

from blisko.engagement.tests.community_data import PASSWORD, community_world, head_user
from blisko.officers.tests.factories import AreaFactory
from blisko.partnerships.models import CommunityHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return community_world()


def test_the_page_needs_a_sign_in(client):
    response = client.get("/community/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_head_sees_their_community_only(client, world):
    client.force_login(head_user(world["community"]))

    page = client.get("/community/")

    assert page.status_code == 200
    assert f'data-community="{world["community"].code}"' in page.text
    assert "Меморандум про співпрацю" in page.text
    assert 'data-standing="fulfilled"' in page.text
    # Drafts and the other community's memoranda are not theirs to see.
    assert "Чернетка нового меморандуму" not in page.text
    assert "Меморандум сусідньої громади" not in page.text
    # The officer's month as a share only: 6 h of 8 = 75 %, no reason, no day.
    assert "Тарас Коваль" in page.text and 'data-share="75.0"' in page.text
    assert "training" not in page.text
    assert "Зустріч із мешканцями" in page.text
    assert f"/calendar/{world['community'].code}.ics" in page.text


def test_the_head_never_gets_the_signed_document(client, world):
    client.force_login(head_user(world["community"]))

    page = client.get("/community/")
    document = client.get(f"/police/partnerships/{world['signed'].pk}/document/")

    assert "signed.pdf" not in page.text
    assert document.status_code in (302, 403, 404)


def test_a_police_account_is_sent_to_the_police_pages(client, world):
    user = get_user_model().objects.create_user(username="officer", password=PASSWORD)
    world["officer"].user = user
    world["officer"].save(update_fields=["user"])
    client.force_login(user)

    response = client.get("/community/")

    assert response.status_code == 302 and response["Location"] == "/police/reports/"


def test_an_account_of_no_community_is_told_so(client, world):
    client.force_login(get_user_model().objects.create_user(username="nobody", password=PASSWORD))

    response = client.get("/community/")

    assert response.status_code == 403 and "data-community-none" in response.text


def test_an_inactive_head_sees_nothing_of_the_community(client, world):
    user = head_user(world["community"])
    CommunityHead.objects.filter(user=user).update(is_active=False)
    client.force_login(user)

    response = client.get("/community/")

    assert response.status_code == 403 and "Меморандум про співпрацю" not in response.text


def test_a_head_signing_in_lands_on_their_community_page(client, world):
    head_user(world["community"])

    response = client.post("/accounts/login/", {"username": "head", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/community/"


def test_a_community_with_nothing_yet_shows_empty_states(client):
    client.force_login(head_user(AreaFactory()))

    page = client.get("/community/")

    assert page.status_code == 200
    assert 'data-empty="memoranda"' in page.text and 'data-empty="presence"' in page.text
    assert 'data-empty="upcoming"' in page.text


def test_the_public_area_page_names_the_memoranda_in_force_never_a_draft_or_the_document(
    client, world
):
    page = client.get(f"/area/{world['community'].code}/")

    assert page.status_code == 200 and "data-area-memoranda" in page.text
    assert "Меморандум про співпрацю" in page.text
    assert "Чернетка нового меморандуму" not in page.text
    assert "signed.pdf" not in page.text and "/document/" not in page.text


def test_an_area_with_no_memorandum_has_no_cooperation_panel(client):
    page = client.get(f"/area/{AreaFactory().code}/")

    assert page.status_code == 200 and "data-area-memoranda" not in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/police/reports/",
        "/police/diagnosis/",
        "/police/plans/",
        "/police/meetings/",
        "/police/partnerships/",
        "/police/partnerships/new/",
        "/police/presence/",
    ],
)
def test_a_head_opening_a_police_page_is_sent_to_their_community(client, world, path):
    client.force_login(head_user(world["community"]))

    response = client.get(path)

    assert response.status_code == 302 and response["Location"] == "/community/"


def test_a_refusal_of_a_role_is_the_sites_translated_403_page(client, world):
    user = get_user_model().objects.create_user(username="officer", password=PASSWORD)
    world["officer"].user = user
    world["officer"].save(update_fields=["user"])
    client.force_login(user)

    response = client.get("/police/partnerships/new/", HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 403
    assert 'data-error="403"' in response.text and 'lang="uk"' in response.text
