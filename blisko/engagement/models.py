"""Meeting the community: meetings with residents (a debate, a residents' meeting, office hours,
a joint patrol walk, a school visit) with their public calendar; residents' questions sent
before a meeting, moderated by the officer and answered; and the officer's presence in the
community, day by day (hours in and out, with the reason; never a location). Changes go through
`blisko.engagement.services`, each one an audit event."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from blisko.core.geo import GEO_SRID
from blisko.core.models import TimeStampedModel
from blisko.officers.models import Officer
from blisko.territories.models import Area


class MeetingKind(models.TextChoices):
    DEBATE = "debate", _("public debate")
    RESIDENTS = "residents", _("residents' meeting")
    OFFICE_HOURS = "office_hours", _("office hours")
    PATROL_WALK = "patrol_walk", _("joint patrol walk")
    SCHOOL_VISIT = "school_visit", _("school visit")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(TimeStampedModel):
    # The iCalendar UID: stable for the meeting's life, whatever changes.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    # The iCalendar SEQUENCE: one more at each change residents' calendars must pick up.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    location = models.PointField(_("place on the map"), srid=GEO_SRID, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    officers = models.ManyToManyField(
        Officer, verbose_name=_("officers taking part"), related_name="meetings"
    )
    partners = models.CharField(
        _("partners taking part"),
        max_length=500,
        blank=True,
        help_text=_("E.g. the community head, a school, a residents' association."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
        db_index=True,
    )
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=1000, blank=True)
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    attendance = models.PositiveIntegerField(_("residents present"), null=True, blank=True)
    decisions = models.TextField(_("decisions"), max_length=4000, blank=True)
    accepts_questions = models.BooleanField(_("residents may send questions"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["area", "starts_at"], name="meeting_area_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.title}"


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for moderation")
    PUBLISHED = "published", _("published")
    MERGED = "merged", _("merged with another")
    REJECTED = "rejected", _("rejected")


class Question(models.Model):
    """A resident's question before a meeting: anonymous, or with an e-mail for the answer."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField(pgettext_lazy("question", "question"), max_length=1000)
    email = models.EmailField(_("e-mail for the answer"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # The sender's key for the daily limit (a keyed hash of the address, as for reports).
    client_hash = models.CharField(_("client key"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=QuestionStatus.choices,
        default=QuestionStatus.PENDING,
        db_index=True,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )
    reject_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("question", "question")
        verbose_name_plural = _("questions")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["client_hash", "created_at"], name="question_client_day_idx")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class AbsenceReason(models.TextChoices):
    HQ_DUTY = "hq_duty", _("duty at headquarters")
    TRAINING = "training", _("training")
    COURT = "court", _("court")
    LEAVE = "leave", _("leave")
    OTHER = "other", _("other")


class PresenceDay(TimeStampedModel):
    """One working day of an officer: hours in the community and hours elsewhere (with why).
    Nothing about where exactly, nothing outside working time."""

    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="presence"
    )
    day = models.DateField(pgettext_lazy("presence", "day"))
    hours_in = models.DecimalField(_("hours in the community"), max_digits=4, decimal_places=2)
    hours_out = models.DecimalField(_("hours elsewhere"), max_digits=4, decimal_places=2, default=0)
    reason_out = models.CharField(
        _("reason for the hours elsewhere"),
        max_length=16,
        choices=AbsenceReason.choices,
        blank=True,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("presence day")
        verbose_name_plural = _("presence days")
        ordering = ["-day", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "day"], name="presence_once_a_day"),
            models.CheckConstraint(
                condition=Q(hours_in__gte=0)
                & Q(hours_out__gte=0)
                & Q(hours_in__lte=24 - F("hours_out")),
                name="presence_hours_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.day}: {self.hours_in}/{self.hours_out}"
