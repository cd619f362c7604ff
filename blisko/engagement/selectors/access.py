"""Who may see, write and moderate which meetings.

- An **officer serving an area** (an assignment active today, in any role but supervisor, to a
  community or a service area) holds meetings there.
- A **supervisor** (a supervisor assignment active today to the area or to an area above it)
  holds meetings in any area under them.
- A meeting is managed (changed, cancelled, held, its questions moderated) by its own officers,
  the officers serving its area and its supervisors.
- Analysts and administrators see every meeting; they manage none.
- Residents see every meeting on the public pages (`blisko.engagement.selectors.meetings`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import NotFoundError
from blisko.core.periods import serving_on
from blisko.diagnosis.selectors.access import diagnosis_sees_all
from blisko.engagement.models import Meeting, Question
from blisko.officers.models import Assignment, Officer, Role
from blisko.officers.selectors.access import areas_for_user
from blisko.plans.selectors.access import officer_of, officer_serves, officer_supervises
from blisko.territories.models import Area, Level

# The levels an officer (not a supervisor) holds meetings in.
SERVED_LEVELS = (Level.COMMUNITY, Level.SERVICE_AREA)
# How deep the hierarchy goes below a supervisor's area (region → service area).
_DESCENDANT_DEPTH = 4


def officer_may_hold(*, officer: Officer, area: Area) -> bool:
    """Whether the officer may hold a meeting in `area` (or take part in one there): they serve
    it (a community or service area), or supervise it or an area above it."""
    if area.level in SERVED_LEVELS and officer_serves(officer=officer, area=area):
        return True
    return officer_supervises(officer=officer, area=area)


def officer_may_manage(*, officer: Officer | None, meeting: Meeting) -> bool:
    """Whether the officer manages the meeting: one of its officers, or serving or supervising
    its area today."""
    if officer is None:
        return False
    if meeting.pk is not None and meeting.officers.filter(pk=officer.pk).exists():
        return True
    return officer_may_hold(officer=officer, area=meeting.area)


def user_may_manage(*, user: Any, meeting: Meeting) -> bool:
    """Whether the user's officer manages the meeting (see `officer_may_manage`)."""
    return officer_may_manage(officer=officer_of(user), meeting=meeting)


def meetings_for_user(*, user: Any) -> QuerySet[Meeting]:
    """The meetings a user may see on the police pages: those they take part in and those of
    the areas they serve or supervise (and below), or every meeting for analysts and
    administrators."""
    meetings = Meeting.objects.select_related("area")
    if diagnosis_sees_all(user=user):
        return meetings
    officer = officer_of(user)
    if officer is None:
        return meetings.none()
    taking_part = Meeting.officers.through.objects.filter(officer=officer).values("meeting_id")
    return meetings.filter(
        Q(pk__in=taking_part) | Q(area__in=areas_for_user(user=user).values("pk"))
    )


def meeting_get(*, user: Any, meeting_id: int) -> Meeting:
    """The meeting, if the user may see it; NotFoundError otherwise (out of reach answers as
    missing)."""
    meeting = meetings_for_user(user=user).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFoundError(_("There is no such meeting among yours."))
    return meeting


def question_get(*, meeting: Meeting, question_id: int) -> Question:
    """A question of the meeting (already in reach); NotFoundError otherwise."""
    question = Question.objects.filter(meeting=meeting, pk=question_id).first()
    if question is None:
        raise NotFoundError(_("The meeting has no such question."))
    return question


def meeting_areas_for_user(*, user: Any) -> QuerySet[Area]:
    """The areas the user may hold meetings in: the communities and service areas they serve
    today, and every area they supervise with the areas below it."""
    officer = officer_of(user)
    if officer is None:
        return Area.objects.none()
    today = timezone.localdate()
    served: list[int] = []
    supervised: list[int] = []
    for area_id, role in Assignment.objects.filter(serving_on(today), officer=officer).values_list(
        "area_id", "role"
    ):
        (supervised if role == Role.SUPERVISOR else served).append(area_id)
    condition = Q(pk__in=served, level__in=SERVED_LEVELS) | Q(pk__in=supervised)
    for depth in range(1, _DESCENDANT_DEPTH + 1):
        if supervised:
            condition |= Q(**{"__".join(["parent"] * depth) + "_id__in": supervised})
    if not served and not supervised:
        return Area.objects.none()
    return Area.objects.filter(condition).order_by("level", "code")


def officers_for_areas(*, areas: QuerySet[Area]) -> QuerySet[Officer]:
    """The active officers who may take part in meetings of `areas`: those serving them today
    and the supervisors of them or of an area above them."""
    today = timezone.localdate()
    ids = set(areas.values_list("pk", flat=True))
    above: set[int] = set(ids)
    frontier = ids
    for _depth in range(_DESCENDANT_DEPTH + 1):
        frontier = set(
            Area.objects.filter(pk__in=frontier, parent__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
        if not frontier:
            break
        above |= frontier
    return (
        Officer.objects.filter(is_active=True)
        .filter(
            Q(
                pk__in=Assignment.objects.filter(serving_on(today), area_id__in=ids).values(
                    "officer_id"
                )
            )
            | Q(
                pk__in=Assignment.objects.filter(
                    serving_on(today), role=Role.SUPERVISOR, area_id__in=above
                ).values("officer_id")
            )
        )
        .order_by("last_name", "first_name", "pk")
    )
