from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from blisko.core.geo import GEO_SRID
from blisko.core.models import TimeStampedModel
from blisko.territories.models import Area, Country


class Unit(TimeStampedModel):
    """A police unit or station: where residents go, and whose officers serve the areas."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    location = models.PointField(_("location"), srid=GEO_SRID)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    duty_phone = models.CharField(_("duty phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        help_text=_("For example: Mon–Fri 8:00–16:00"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area served"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Officer(TimeStampedModel):
    """A police officer as residents see them. Contact details belong to the area, not here."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    rank = models.CharField(_("rank"), max_length=100)
    badge_number = models.CharField(_("badge number"), max_length=32, unique=True)
    photo = models.ImageField(_("photo"), upload_to="officers/", blank=True)
    bio = models.TextField(_("short bio"), max_length=600, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="officers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer",
    )
    is_active = models.BooleanField(_("is active"), default=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.badge_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Role(models.TextChoices):
    COMMUNITY_OFFICER = "community_officer", _("community police officer")
    DISTRICT_OFFICER = "district_officer", _("district officer")
    TRAFFIC_OFFICER = "traffic_officer", _("traffic officer")
    SUPERVISOR = "supervisor", _("supervisor")


PRIMARY_ROLES = (Role.COMMUNITY_OFFICER, Role.DISTRICT_OFFICER)


class CoverReason(models.TextChoices):
    LEAVE = "leave", _("leave")
    SICK = "sick", _("sick leave")
    TRAINING = "training", _("training")
    OTHER = "other", _("other")


class Assignment(TimeStampedModel):
    """An officer serving an area in a role from starts_on to ends_on (both inclusive).

    At most one primary (community or district) officer per area on any day: the database
    enforces it (an exclusion constraint on PostgreSQL, a trigger on SQLite). A cover
    assignment stands in for another one during an absence and is never primary.
    """

    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="assignments"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_primary = models.BooleanField(_("is primary"), default=False, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    covers = models.ForeignKey(
        "self",
        verbose_name=_("covers for"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="covered_by",
    )
    cover_reason = models.CharField(
        _("reason for cover"), max_length=16, choices=CoverReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["area", "role", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_on_after_starts_on",
            ),
            models.CheckConstraint(
                condition=Q(covers__isnull=True) | Q(is_primary=False),
                name="assignment_cover_is_not_primary",
            ),
        ]
        indexes = [models.Index(fields=["area", "role", "starts_on"], name="assignment_area_idx")]

    def __str__(self) -> str:
        return f"{self.officer} — {self.get_role_display()} — {self.area.code}"
