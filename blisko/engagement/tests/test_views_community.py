"""The community head's page: only their community, read-only, never the signed document;
police accounts go to their own pages; anyone else is told the page is not theirs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from blisko.core.roles import COMMUNITY_HEAD, roles_sync
from blisko.engagement.models import Meeting, MeetingKind, PresenceDay
from blisko.officers.models import Role
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    UnitFactory,
)
from blisko.partnerships.models import (
    CommunityHead,
    FulfilmentState,
    Memorandum,
    MemorandumArea,
    MemorandumStatus,
    Obligation,
    ObligationKind,
    PartyKind,
)

pytestmark = pytest.mark.django_db
PASSWORD = "community-pass-7731"


def _head(area, username="head"):
    roles_sync()
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=COMMUNITY_HEAD))
    CommunityHead.objects.create(
        user=user, area=area, name="Олена Мельник", office="Голова громади"
    )
    return user


def _memorandum(area, unit, *, title, status=MemorandumStatus.IN_FORCE, signed_on=None):
    m = Memorandum.objects.create(
        title=title,
        unit=unit,
        status=status,
        signed_on=signed_on if status != MemorandumStatus.DRAFT else None,
        document="partnerships/2024/signed.pdf",
    )
    party = MemorandumArea.objects.create(
        memorandum=m, area=area, head_name="Олена Мельник", head_office="Голова громади"
    )
    return m, party


@pytest.fixture
def world():
    community = AreaFactory()
    other = AreaFactory(centre=(24.2, 48.2))
    unit = UnitFactory(area=community)
    officer = OfficerFactory(unit=unit, first_name="Тарас", last_name="Коваль")
    AssignmentFactory(
        officer=officer, area=community, role=Role.COMMUNITY_OFFICER, starts_on=dt.date(2020, 1, 1)
    )
    signed, party = _memorandum(
        community, unit, title="Меморандум про співпрацю", signed_on=dt.date(2024, 3, 1)
    )
    fuel = Obligation.objects.create(
        memorandum=signed,
        party_kind=PartyKind.COMMUNITY,
        party_area=party,
        kind=ObligationKind.FUEL,
        description="200 л пального щомісяця",
        due_on=dt.date(2024, 3, 1),
        recurrence="once",
    )
    fuel.fulfilments.create(on=dt.date(2024, 3, 5), state=FulfilmentState.FULFILLED, note="акт")
    _memorandum(community, unit, title="Чернетка нового меморандуму", status=MemorandumStatus.DRAFT)
    _memorandum(other, unit, title="Меморандум сусідньої громади", signed_on=dt.date(2024, 1, 1))
    today = timezone.localdate()
    PresenceDay.objects.create(
        officer=officer,
        day=today.replace(day=1),
        hours_in=Decimal("6"),
        hours_out=Decimal("2"),
        reason_out="training",
    )
    start = timezone.now() + dt.timedelta(days=3)
    Meeting.objects.create(
        area=community,
        kind=MeetingKind.RESIDENTS,
        title="Зустріч із мешканцями",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        address="вул. Соборна, 1",
    )
    return {"community": community, "other": other, "officer": officer, "signed": signed}


def test_the_page_needs_a_sign_in(client):
    response = client.get("/community/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_head_sees_their_community_only(client, world):
    client.force_login(_head(world["community"]))

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
    client.force_login(_head(world["community"]))

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
    user = _head(world["community"])
    CommunityHead.objects.filter(user=user).update(is_active=False)
    client.force_login(user)

    response = client.get("/community/")

    assert response.status_code == 403 and "Меморандум про співпрацю" not in response.text


def test_a_head_signing_in_lands_on_their_community_page(client, world):
    _head(world["community"])

    response = client.post("/accounts/login/", {"username": "head", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/community/"


def test_a_community_with_nothing_yet_shows_empty_states(client):
    client.force_login(_head(AreaFactory()))

    page = client.get("/community/")

    assert page.status_code == 200
    assert 'data-empty="memoranda"' in page.text and 'data-empty="presence"' in page.text
    assert 'data-empty="upcoming"' in page.text
