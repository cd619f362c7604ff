"""Priority action plans (plan działania priorytetowego): one officer's plan for one area against
one threat for a period (six months by default), with the diagnosis it was written against
(frozen), its place, a measurable goal, its actions, and its evaluation (frozen when the plan
is evaluated). The workflow lives in `blisko.plans.services.workflow`."""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from blisko.core.geo import GEO_SRID
from blisko.core.models import TimeStampedModel
from blisko.diagnosis.models import StatisticCategory
from blisko.officers.models import Officer
from blisko.territories.models import Area


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for approval")
    RETURNED = "returned", _("returned for changes")
    APPROVED = "approved", _("approved")
    ACTIVE = "active", _("active")
    EVALUATED = "evaluated", _("evaluated")
    CANCELLED = "cancelled", _("cancelled")


# The plans in force: at most one per area and threat (a database constraint).
IN_FORCE = (PlanStatus.APPROVED, PlanStatus.ACTIVE)
# The plans the officer may still change.
EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlaceKind(models.TextChoices):
    AREA = "area", _("the whole area")
    CELLS = "cells", _("chosen hotspot cells")
    POLYGON = "polygon", _("a drawn polygon")


class Plan(TimeStampedModel):
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="plans"
    )
    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="plans"
    )
    threat = models.ForeignKey(
        StatisticCategory,
        verbose_name=_("threat"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    # The biggest threat of the diagnosis when the plan was written; a different threat needs
    # a reason.
    suggested_threat = models.ForeignKey(
        StatisticCategory,
        verbose_name=_("biggest threat of the diagnosis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    threat_reason = models.TextField(_("why this threat"), max_length=1000, blank=True)
    title = models.CharField(
        _("priority"),
        max_length=200,
        help_text=_("What residents read, e.g. “Improper parking near the market”."),
    )
    place_kind = models.CharField(
        pgettext_lazy("plan", "place"),
        max_length=16,
        choices=PlaceKind.choices,
        default=PlaceKind.AREA,
    )
    place_cells = models.JSONField(_("H3 cells of the place"), default=list, blank=True)
    place = models.MultiPolygonField(
        pgettext_lazy("plan", "place"), srid=GEO_SRID, null=True, blank=True
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goal_percent = models.DecimalField(
        _("goal (change in %)"),
        max_digits=6,
        decimal_places=1,
        help_text=_("The change of the threat's events aimed at, from −100 to +1000 %."),
    )
    goal = models.CharField(_("goal"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    evidence = models.JSONField(_("evidence"), default=dict, blank=True, editable=False)
    evaluation = models.JSONField(_("evaluation"), null=True, blank=True, editable=False)
    return_note = models.TextField(_("note of the return"), max_length=2000, blank=True)
    cancel_reason = models.TextField(_("reason of the cancellation"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("priority action plan")
        verbose_name_plural = _("priority action plans")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="plan_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(goal_percent__gte=-100) & Q(goal_percent__lte=1000),
                name="plan_goal_in_range",
            ),
            models.UniqueConstraint(
                fields=["area", "threat"],
                condition=Q(status__in=["approved", "active"]),
                name="plan_one_in_force_per_area_and_threat",
            ),
        ]
        indexes = [models.Index(fields=["area", "status"], name="plan_area_status_idx")]

    def __str__(self) -> str:
        return (
            f"{self.title} ({self.area.code}, {self.starts_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d})"
        )


class ActionKind(models.TextChoices):
    PATROL = "patrol", _("patrol")
    MEETING = "meeting", _("meeting with residents")
    EDUCATION = "education", _("education")
    PARTNER = "partner", _("partner intervention")
    ENFORCEMENT = "enforcement", _("enforcement")
    ENVIRONMENT = "environment", _("environmental change")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class PlanAction(TimeStampedModel):
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActionKind.choices)
    description = models.CharField(_("description"), max_length=500)
    starts_on = models.DateField(_("planned from"))
    ends_on = models.DateField(_("planned until"))
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="plans/actions/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="action_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False), name="action_done_has_a_day"
            ),
        ]

    def __str__(self) -> str:
        return self.description
