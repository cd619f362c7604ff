"""Who may see and act on which reports.

Superusers and administrators: every report. Everyone else in the back office: the reports
of the areas `areas_for_user` gives them (a supervisor's areas and everything below them, an
officer's own areas today), plus the reports assigned to their own officer. Nobody else.
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.roles import ADMINISTRATOR
from blisko.officers.selectors.access import areas_for_user
from blisko.reports.models import Report


def _is_administrator(user: Any) -> bool:
    return bool(user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists())


def reports_for_user(*, user: Any) -> QuerySet[Report]:
    """The reports `user` may see and act on (none for an anonymous user).

    Superusers and administrators: all. Others: the reports lying in the areas of
    `areas_for_user`, and those assigned to the user's own active officer. Not ordered
    beyond the model's default; callers add select_related and filters.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    if _is_administrator(user):
        return Report.objects.all()
    condition = Q(area__in=areas_for_user(user=user).values("pk"))
    try:
        officer = user.officer
    except ObjectDoesNotExist:
        officer = None
    if officer is not None and officer.is_active:
        condition |= Q(assigned_officer=officer)
    return Report.objects.filter(condition)


def report_check_access(*, report: Report, user: Any) -> None:
    """Raise ApplicationError (status 403) unless `user` may see and act on `report`.

    The same rule as reports_for_user; two queries at most.
    """
    if not reports_for_user(user=user).filter(pk=report.pk).exists():
        raise ApplicationError(
            _("You can see and act on the reports of your own areas only."), status=403
        )
