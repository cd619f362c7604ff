"""Who may see and write which memoranda.

- **Administrators** (superusers, the `administrator` group) see and write every memorandum.
- **Analysts** see every memorandum; they write none.
- A **supervisor** (an active officer with a supervisor assignment active today) writes a
  memorandum when they supervise the area of every one of its community parties (directly or
  from an area above), in the name of a police unit of their reach.
- **Supervisors and officers** see the memoranda with a community party among their areas
  (`areas_for_user`), or above or below one of them: an officer serving a service area of a
  community sees the community's memorandum, an officer of a district those of its communities.
  Officers serving a community party record the fulfilment of its obligations.
- A **community head** (an active `CommunityHead` account) sees the signed memoranda of their
  community, read only, and never the signed document.
- Anyone else sees none. A memorandum out of reach answers as a missing one (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from blisko.core.clock import site_today
from blisko.core.exceptions import NotFoundError
from blisko.core.periods import serving_on
from blisko.core.roles import ADMINISTRATOR
from blisko.diagnosis.selectors.access import diagnosis_sees_all
from blisko.officers.models import Assignment, Role, Unit
from blisko.officers.selectors.access import areas_for_user
from blisko.partnerships.models import (
    CommunityHead,
    Memorandum,
    MemorandumArea,
    MemorandumStatus,
    in_force_on,
)
from blisko.plans.selectors.access import officer_of, officer_serves, officer_supervises
from blisko.reports.selectors.stats import units_for_user
from blisko.territories.models import Area, Level

# How far the area hierarchy reaches: a region's communities are three levels below it (region
# → district → community), a community's beats one or two below it.
_BELOW = 4
_ABOVE = 2


def is_administrator(user: Any) -> bool:
    """Whether `user` is an active superuser or in the administrator group."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists())


def head_of(user: Any) -> CommunityHead | None:
    """The active community head a user account belongs to, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        head = user.community_head
    except ObjectDoesNotExist:
        return None
    return head if head is not None and head.is_active else None


def parties_with_areas() -> QuerySet[MemorandumArea]:
    """Community parties with their area, its boundary left out (a hromada's runs to
    megabytes; no page of the memoranda draws it)."""
    return MemorandumArea.objects.select_related("area").defer("area__boundary")


def _with_parts(memoranda: QuerySet[Memorandum]) -> QuerySet[Memorandum]:
    return memoranda.select_related("unit").prefetch_related(
        Prefetch("parties", queryset=parties_with_areas()), "partners"
    )


def _near(areas: QuerySet[Area]) -> Q:
    """Community parties whose area is one of `areas`, below one (a district's communities) or
    above one (the community of a service area)."""
    ids = areas.values("pk")
    condition = Q(area__in=ids)
    for depth in range(1, _BELOW + 1):
        condition |= Q(**{"area__" + "__".join(["parent"] * depth) + "__in": ids})
    for depth in range(1, _ABOVE + 1):
        condition |= Q(**{"area__" + "__".join(["children"] * depth) + "__in": ids})
    return condition


def memoranda_for_user(user: Any) -> QuerySet[Memorandum]:
    """The memoranda `user` may see (see the module's text), with their unit, community
    parties and partners."""
    memoranda = Memorandum.objects.all()
    if diagnosis_sees_all(user=user):
        return _with_parts(memoranda)
    condition = Q(pk__in=[])
    if officer_of(user) is not None:
        parts = MemorandumArea.objects.filter(_near(areas_for_user(user=user)))
        condition |= Q(pk__in=parts.values("memorandum_id"))
    head = head_of(user)
    if head is not None:
        condition |= Q(pk__in=MemorandumArea.objects.filter(area=head.area).values("memorandum_id"))
        if officer_of(user) is None:
            condition &= ~Q(status=MemorandumStatus.DRAFT)
    return _with_parts(memoranda.filter(condition))


def memorandum_get(*, user: Any, memorandum_id: int) -> Memorandum:
    """The memorandum, if `user` may see it; NotFoundError otherwise (out of reach answers as
    missing)."""
    memorandum = memoranda_for_user(user).filter(pk=memorandum_id).first()
    if memorandum is None:
        raise NotFoundError(_("There is no such memorandum among yours."))
    return memorandum


def is_police(user: Any) -> bool:
    """Whether `user` sees memoranda as the police do (with the signed document): an
    administrator, an analyst or an active officer."""
    return diagnosis_sees_all(user=user) or officer_of(user) is not None


def user_may_see_document(*, user: Any, memorandum: Memorandum) -> bool:
    """Whether `user` may download the signed document: police who see the memorandum (never a
    community head)."""
    return is_police(user) and memoranda_for_user(user).filter(pk=memorandum.pk).exists()


def _supervised_ids(user: Any, on: dt.date) -> list[int]:
    officer = officer_of(user)
    if officer is None:
        return []
    return list(
        Assignment.objects.filter(
            serving_on(on), officer=officer, role=Role.SUPERVISOR
        ).values_list("area_id", flat=True)
    )


def communities_for_writer(*, user: Any) -> QuerySet[Area]:
    """The communities `user` may make a party to a memorandum: every community for an
    administrator; for a supervisor, the communities of the areas they supervise."""
    communities = Area.objects.filter(level=Level.COMMUNITY, valid_to__isnull=True)
    if is_administrator(user):
        return communities.order_by("code")
    supervised = _supervised_ids(user, site_today())
    if not supervised:
        return Area.objects.none()
    condition = Q(pk__in=supervised)
    for depth in range(1, _BELOW + 1):
        condition |= Q(**{"__".join(["parent"] * depth) + "_id__in": supervised})
    return communities.filter(condition).order_by("code")


def units_for_writer(*, user: Any) -> QuerySet[Unit]:
    """The police units in whose name `user` may sign: every unit for an administrator; for a
    supervisor, the units of their reach (`units_for_user`)."""
    if is_administrator(user):
        return Unit.objects.order_by("name", "pk")
    return units_for_user(user=user)


def user_may_create(*, user: Any) -> bool:
    """Whether `user` may write new memoranda: an administrator, or a supervisor."""
    return is_administrator(user) or bool(_supervised_ids(user, site_today()))


def user_may_write_for(*, user: Any, areas: list[Area]) -> bool:
    """Whether `user` may write a memorandum with these community parties: an administrator,
    or a supervisor of every one of the areas."""
    if is_administrator(user):
        return True
    officer = officer_of(user)
    if officer is None or not areas:
        return False
    return all(officer_supervises(officer=officer, area=area) for area in areas)


def user_may_write(*, user: Any, memorandum: Memorandum) -> bool:
    """Whether `user` may change `memorandum`, its obligations and its document, sign or
    terminate it: an administrator, or a supervisor of every one of its community parties."""
    parties = memorandum.parties.select_related("area__parent").defer(
        "area__boundary", "area__parent__boundary"
    )
    areas = [party.area for party in parties]
    return user_may_write_for(user=user, areas=areas)


def user_may_record_fulfilment(*, user: Any, memorandum: Memorandum) -> bool:
    """Whether `user` may record the fulfilment of the memorandum's obligations: whoever may
    write it, or an officer serving one of its communities (or a service area of one)."""
    if user_may_write(user=user, memorandum=memorandum):
        return True
    officer = officer_of(user)
    if officer is None:
        return False
    for party in parties_with_areas().filter(memorandum=memorandum):
        if officer_serves(officer=officer, area=party.area):
            return True
        beats = Area.objects.filter(parent=party.area).values("pk")
        if (
            Assignment.objects.filter(serving_on(site_today()), officer=officer, area__in=beats)
            .exclude(role=Role.SUPERVISOR)
            .exists()
        ):
            return True
    return False


def memoranda_for_community(*, area: Area, on: dt.date | None = None) -> QuerySet[Memorandum]:
    """The signed memoranda a community is a party to, newest first, with their unit, parties
    and partners: those in force on `on` (a day), or every signed one (in force, expired,
    terminated) when `on` is None. Never a draft: this is what the community's head and the
    public see."""
    memoranda = Memorandum.objects.filter(
        pk__in=MemorandumArea.objects.filter(area=area).values("memorandum_id")
    ).exclude(status=MemorandumStatus.DRAFT)
    if on is not None:
        memoranda = memoranda.filter(in_force_on(on))
    return _with_parts(memoranda).order_by("-signed_on", "-pk")
