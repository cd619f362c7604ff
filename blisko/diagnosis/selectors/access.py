"""Who may see which area's diagnosis: officers their areas, supervisors their units' (the
areas they supervise and every area below), analysts and administrators every area."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from blisko.core.exceptions import NotFoundError
from blisko.core.roles import ADMINISTRATOR, ANALYST
from blisko.diagnosis.models import StatisticCategory
from blisko.officers.selectors.access import areas_for_user
from blisko.territories.models import Area


def diagnosis_sees_all(*, user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.groups.filter(name__in=[ADMINISTRATOR, ANALYST]).exists())


def diagnosis_areas_for_user(*, user: Any) -> QuerySet[Area]:
    """The areas whose diagnosis `user` may see."""
    if diagnosis_sees_all(user=user):
        return Area.objects.all()
    return areas_for_user(user=user)


def diagnosis_area_get(*, user: Any, area_id: int) -> Area:
    """The area, if `user` may see its diagnosis; NotFoundError otherwise (an area out of
    reach answers as a missing one, so its existence is not told)."""
    area = (
        diagnosis_areas_for_user(user=user)
        .filter(pk=area_id)
        .select_related("parent")
        .defer("boundary", "parent__boundary")
        .first()
    )
    if area is None:
        raise NotFoundError(_("There is no such area among yours."))
    return area


def diagnosis_area_list(*, user: Any) -> QuerySet[Area]:
    """The areas the user may open, coarsest first (for the index page)."""
    return diagnosis_areas_for_user(user=user).order_by("level", "code")


def threat_get(*, code: str) -> StatisticCategory | None:
    """The threat (a statistic category in use) with this code, or None."""
    return StatisticCategory.objects.filter(valid_to__isnull=True, code=code).first()
