"""Which areas a back-office user may see and work in (their assignments, or everything)."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

from blisko.core.periods import serving_on
from blisko.core.roles import ADMINISTRATOR
from blisko.officers.models import Assignment, Role
from blisko.territories.models import Area

# How deep the area hierarchy goes below a supervisor's area (region → service area).
_DESCENDANT_DEPTH = 4


def areas_for_user(*, user: Any) -> QuerySet[Area]:
    """The areas a back-office user may see and work in.

    Superusers and administrators: every area. A supervisor (a user linked to an active
    officer with supervisor assignments active today): those areas and every area below them.
    An officer: the areas of their own assignments active today. Anyone else: none.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Area.objects.none()
    if user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists():
        return Area.objects.all()
    try:
        officer = user.officer
    except ObjectDoesNotExist:
        return Area.objects.none()
    if officer is None or not officer.is_active:
        return Area.objects.none()
    today = timezone.localdate()
    supervised: list[int] = []
    own: list[int] = []
    for area_id, role in Assignment.objects.filter(serving_on(today), officer=officer).values_list(
        "area_id", "role"
    ):
        (supervised if role == Role.SUPERVISOR else own).append(area_id)
    if not supervised and not own:
        return Area.objects.none()
    condition = Q(pk__in=own) | Q(pk__in=supervised)
    if supervised:
        for depth in range(1, _DESCENDANT_DEPTH + 1):
            condition |= Q(**{"__".join(["parent"] * depth) + "_id__in": supervised})
    return Area.objects.filter(condition)
