"""A community with a head, its officer, a signed memorandum with a fulfilled obligation, a
draft, another community's memorandum, a day of presence this month and a meeting to come:
for the community head's page tests."""

import datetime as dt
from decimal import Decimal

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

PASSWORD = "community-pass-7731"


def head_user(area, username="head"):
    roles_sync()
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=COMMUNITY_HEAD))
    CommunityHead.objects.create(
        user=user, area=area, name="Олена Мельник", office="Голова громади"
    )
    return user


def memorandum(area, unit, *, title, status=MemorandumStatus.IN_FORCE, signed_on=None):
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


def community_world():
    community = AreaFactory()
    other = AreaFactory(centre=(24.2, 48.2))
    unit = UnitFactory(area=community)
    officer = OfficerFactory(unit=unit, first_name="Тарас", last_name="Коваль")
    AssignmentFactory(
        officer=officer, area=community, role=Role.COMMUNITY_OFFICER, starts_on=dt.date(2020, 1, 1)
    )
    signed, party = memorandum(
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
    memorandum(community, unit, title="Чернетка нового меморандуму", status=MemorandumStatus.DRAFT)
    memorandum(other, unit, title="Меморандум сусідньої громади", signed_on=dt.date(2024, 1, 1))
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
