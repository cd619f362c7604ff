"""Police statistics: a closed, versioned list of statistic categories, and the figures per
area and month."""

from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from blisko.core.geo import GEO_SRID
from blisko.core.models import TimeStampedModel
from blisko.reports.models import Category
from blisko.territories.models import Area


class _Named:
    """`name` in the active language (uk, pl or en; Ukrainian otherwise)."""

    name_uk: str
    name_pl: str
    name_en: str

    @property
    def name(self) -> str:
        language = (get_language() or "uk")[:2]
        return {"pl": self.name_pl, "en": self.name_en}.get(language, self.name_uk)


class StatisticCategory(_Named, TimeStampedModel):
    """One offence of the police statistics. A closed list: a category is retired (valid_to),
    never deleted; a changed definition is a new code. `kmzb_categories` says which of the
    residents' map categories count the same threat, so one threat is counted from all
    sources."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200)
    name_pl = models.CharField(_("name in Polish"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    kmzb_categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="statistic_categories",
        verbose_name=_("map categories of the same threat"),
    )

    class Meta:
        verbose_name = _("statistic category")
        verbose_name_plural = _("statistic categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Statistic(TimeStampedModel):
    """How many offences of one category the police recorded in one area in one month.
    One figure per (area, month, category): a re-import replaces it."""

    # No index of its own: the unique (area, period, category) index serves by its prefix.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, db_index=False, verbose_name=_("area"))
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    category = models.ForeignKey(
        StatisticCategory, on_delete=models.PROTECT, verbose_name=_("statistic category")
    )
    count = models.PositiveIntegerField(_("count"))
    # Not indexed: nothing asks for figures by when they changed, and each index is one more
    # write for every figure of an import.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("statistic")
        verbose_name_plural = _("statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period", "category"], name="statistic_one_figure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period:%Y-%m} {self.category}: {self.count}"


class IncidentCategory(_Named, TimeStampedModel):
    """A category of the police-recorded incidents (events with a point). `statistic_category`
    says which threat of the statistics it counts towards (admin-editable data, like the map
    categories' mapping); an incident of a category mapped to none is kept but counts towards
    no threat."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200)
    name_pl = models.CharField(_("name in Polish"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    statistic_category = models.ForeignKey(
        StatisticCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_categories",
        verbose_name=_("threat of the statistics"),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    """One event the police recorded, at its exact point (police-only: never shown to the
    public, and in the public summary only as counts of an area). Routed to the finest area
    holding the point, as reports are. `key` identifies the event (category, time, point
    to 1e-6°), so a re-import of the same file never stores it twice."""

    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, db_index=False, verbose_name=_("category")
    )
    occurred_at = models.DateTimeField(_("time of the event"))
    location = models.PointField(_("location"), srid=GEO_SRID, spatial_index=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, db_index=False, verbose_name=_("area"))
    key = models.CharField(_("key"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            # The diagnosis counts an area's incidents by period and category from this index
            # alone (an index-only scan on PostgreSQL); a plan's evaluation places them from
            # it too (the point is included, on PostgreSQL).
            models.Index(
                fields=["area", "occurred_at", "category"],
                include=["location"],
                name="incident_area_time_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.occurred_at:%Y-%m-%d %H:%M}"
