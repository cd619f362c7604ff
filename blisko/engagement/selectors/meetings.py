"""Lists of meetings: a user's on the police pages (upcoming or past, by status, with the
questions waiting), a meeting's history and questions, and the public calendar of an area
(its meetings, its service areas' and, for a service area, its community's) with the
published questions and their answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.clock import country_zone
from blisko.core.exceptions import NotFoundError
from blisko.core.models import AuditEvent
from blisko.engagement.models import Meeting, Question, QuestionStatus
from blisko.engagement.selectors.access import meetings_for_user
from blisko.territories.models import Area, Level

UPCOMING, PAST = "upcoming", "past"
# The calendar feed holds the meetings of the last twelve months and every one to come.
CALENDAR_PAST_DAYS = 365
# What the public sees of a meeting (never who created it, nor a question's e-mail).
PUBLIC_FIELDS = (
    "uid",
    "sequence",
    "area",
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "location",
    "address",
    "online_url",
    "description",
    "partners",
    "status",
    "cancel_reason",
    "attendance",
    "decisions",
    "accepts_questions",
    "updated_at",
    "created_at",
)


def meeting_list(*, user: Any, status: str = "", when: str = "") -> QuerySet[Meeting]:
    """The meetings the user may see, each with `questions_pending`; `when` = "upcoming"
    (not yet ended, soonest first) or "past" (ended, latest first), else all, latest first;
    `status` one of MeetingStatus or "" for every status."""
    now = timezone.now()
    meetings = meetings_for_user(user=user).annotate(
        questions_pending=Count("questions", filter=Q(questions__status=QuestionStatus.PENDING))
    )
    if status:
        meetings = meetings.filter(status=status)
    meetings = meetings.defer("area__boundary", "minutes")
    if when == UPCOMING:
        return meetings.filter(ends_at__gt=now).order_by("starts_at", "pk")
    if when == PAST:
        return meetings.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    return meetings.order_by("-starts_at", "-pk")


def meeting_history(*, meeting: Meeting) -> list[AuditEvent]:
    """The meeting's audit events and its questions', oldest first."""
    questions = [str(pk) for pk in meeting.questions.values_list("pk", flat=True)]
    return list(
        AuditEvent.objects.filter(
            Q(entity="meeting", entity_id=str(meeting.pk))
            | Q(entity="question", entity_id__in=questions)
        )
        .select_related("actor__officer")
        .order_by("at", "pk")
    )


def questions_to_moderate(*, meeting: Meeting) -> list[Question]:
    """The meeting's questions waiting for moderation, oldest first."""
    return list(
        meeting.questions.filter(status=QuestionStatus.PENDING).order_by("created_at", "pk")
    )


def meeting_questions(*, meeting: Meeting) -> dict[str, list[Question]]:
    """Every question of the meeting by status (police only: with the e-mails)."""
    out: dict[str, list[Question]] = {value: [] for value in QuestionStatus.values}
    for question in meeting.questions.select_related("merged_into").order_by("created_at", "pk"):
        out[question.status].append(question)
    return out


# --- the public calendar ---------------------------------------------------------------------


def area_scope(*, area: Area) -> list[int]:
    """The areas whose meetings an area's public calendar shows: the area, its service areas
    and, for a service area, its community."""
    ids = {area.pk}
    ids.update(
        Area.objects.filter(parent=area, level=Level.SERVICE_AREA).values_list("pk", flat=True)
    )
    if area.level == Level.SERVICE_AREA and area.parent_id is not None:
        ids.add(area.parent_id)
    return sorted(ids)


def _public(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("area").only(
        *PUBLIC_FIELDS,
        "area__code",
        "area__country",
        "area__level",
        "area__name_official",
        "area__name_uk",
        "area__name_pl",
        "area__name_en",
    )


@dataclass(frozen=True)
class MeetingCard:
    """One meeting as the public list shows it."""

    uid: UUID
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    area_name: str
    address: str
    is_online: bool
    zone: dt.tzinfo


def _card(meeting: Meeting) -> MeetingCard:
    return MeetingCard(
        uid=meeting.uid,
        title=meeting.title,
        kind=meeting.kind,
        kind_label=meeting.get_kind_display(),
        status=meeting.status,
        status_label=meeting.get_status_display(),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        area_name=meeting.area.name,
        address=meeting.address,
        is_online=bool(meeting.online_url),
        zone=country_zone(meeting.area.country),
    )


def area_meetings(
    *, area: Area, upcoming: int = 5, past: int = 5, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The public calendar of an area (see `area_scope`): the next `upcoming` meetings not yet
    ended (soonest first) and the last `past` ones (latest first), planned, held or cancelled,
    as `MeetingCard`s (public fields only), with the area's time zone."""
    now = now or timezone.now()
    meetings = _public(Meeting.objects.filter(area_id__in=area_scope(area=area)))
    return {
        "upcoming": [
            _card(m)
            for m in meetings.filter(ends_at__gt=now).order_by("starts_at", "pk")[:upcoming]
        ],
        "past": [
            _card(m) for m in meetings.filter(ends_at__lte=now).order_by("-starts_at", "-pk")[:past]
        ],
        "zone": country_zone(area.country),
    }


def meeting_public_get(*, uid: UUID | str) -> Meeting:
    """A meeting by its calendar UID, public fields only; NotFoundError when there is none."""
    meeting = _public(Meeting.objects.filter(uid=uid)).first()
    if meeting is None:
        raise NotFoundError(_("There is no such meeting."))
    return meeting


def meeting_public_officers(*, meeting: Meeting) -> list[str]:
    """The names of the officers taking part, as the public officer card shows them."""
    return [officer.full_name for officer in meeting.officers.order_by("last_name", "first_name")]


def meeting_questions_public(*, meeting: Meeting) -> list[dict[str, Any]]:
    """The meeting's published questions, oldest first, each with its answer ("" while none)
    and `duplicates`: how many questions were merged into it (directly or through another
    merged one). Never the sender's e-mail."""
    rows = list(
        Question.objects.filter(meeting=meeting)
        .filter(status__in=[QuestionStatus.PUBLISHED, QuestionStatus.MERGED])
        .values("pk", "text", "answer", "status", "merged_into_id", "created_at")
        .order_by("created_at", "pk")
    )
    into = {row["pk"]: row["merged_into_id"] for row in rows if row["status"] == "merged"}
    duplicates: dict[int, int] = {}
    for pk in into:
        node, seen = into.get(pk), {pk}
        while node in into and node not in seen:  # follow a chain of merges to its end
            seen.add(node)
            node = into[node]
        if node is not None:
            duplicates[node] = duplicates.get(node, 0) + 1
    return [
        {
            "id": row["pk"],
            "text": row["text"],
            "answer": row["answer"],
            "asked_at": row["created_at"],
            "duplicates": duplicates.get(row["pk"], 0),
        }
        for row in rows
        if row["status"] == QuestionStatus.PUBLISHED
    ]


def calendar_version(*, area: Area, now: dt.datetime | None = None) -> tuple[Any, ...]:
    """What the area's calendar feed is made of, in one aggregate query: the number of its
    meetings, their latest change, their revisions and their officers' latest change, with
    the area's own. Equal versions give the same feed (in one language), so a client holding
    it is answered 304 without the feed being built."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=CALENDAR_PAST_DAYS)
    found = Meeting.objects.filter(area_id__in=area_scope(area=area), ends_at__gte=since).aggregate(
        count=Count("pk", distinct=True),
        latest=Max("updated_at"),
        revisions=Sum("sequence"),
        officers=Max("officers__updated_at"),
        first=Min("pk"),
        last=Max("pk"),
    )
    return (area.pk, area.updated_at, *(found[k] for k in sorted(found)))


def calendar_meetings(*, area: Area, now: dt.datetime | None = None) -> list[Meeting]:
    """The meetings of an area's calendar feed (see `area_scope`): those of the last twelve
    months and every one to come, cancelled ones included, soonest first, public fields
    only, each with `officer_names`."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=CALENDAR_PAST_DAYS)
    meetings = list(
        _public(Meeting.objects.filter(area_id__in=area_scope(area=area), ends_at__gte=since))
        .prefetch_related("officers")
        .order_by("starts_at", "pk")
    )
    for meeting in meetings:
        meeting.officer_names = [  # type: ignore[attr-defined]
            o.full_name for o in sorted(meeting.officers.all(), key=lambda o: (o.last_name, o.pk))
        ]
    return meetings
