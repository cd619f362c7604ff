from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from blisko.core.geo import GEO_SRID
from blisko.core.models import TimeStampedModel


class Country(models.TextChoices):
    UKRAINE = "UA", _("Ukraine")
    POLAND = "PL", _("Poland")


class Level(models.TextChoices):
    COUNTRY = "country", _("country")
    REGION = "region", _("region")
    DISTRICT = "district", _("district")
    COMMUNITY = "community", _("community")
    SERVICE_AREA = "service_area", _("service area")


LEVEL_ORDER = [Level.COUNTRY, Level.REGION, Level.DISTRICT, Level.COMMUNITY, Level.SERVICE_AREA]


class Area(TimeStampedModel):
    """One territory: a country, region, district, community or service area (beat).

    The area's identity (code, names, parent) is stable; its boundary is versioned in
    AreaBoundary, and `boundary` here is a copy of the version in force today.
    """

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    code = models.CharField(
        _("official code"),
        max_length=32,
        unique=True,
        help_text=_("KATOTTH in Ukraine, TERYT in Poland; service areas: community code + suffix."),
    )
    name_official = models.CharField(_("official name"), max_length=200)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200, blank=True)
    name_pl = models.CharField(_("name in Polish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    boundary = models.MultiPolygonField(_("boundary"), srid=GEO_SRID, null=True, blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Empty while the area exists.")
    )
    contact_phone = models.CharField(
        _("area phone"),
        max_length=32,
        blank=True,
        help_text=_("The area's own phone: it stays with the area when its officer changes."),
    )
    contact_email = models.EmailField(_("area e-mail"), blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["country", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="area_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def name(self) -> str:
        """The name in the active language, falling back to the official name."""
        lang = (get_language() or "uk")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_official

    def ancestors(self) -> list["Area"]:
        """Parents from the nearest up; stops at a loop instead of following it forever."""
        chain: list[Area] = []
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen and len(chain) < len(LEVEL_ORDER):
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class AreaBoundary(models.Model):
    """One version of an area's boundary, in force from valid_from until valid_to (exclusive)."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="boundaries"
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=GEO_SRID)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    was_repaired = models.BooleanField(_("was repaired"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("boundary version")
        verbose_name_plural = _("boundary versions")
        ordering = ["area", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(valid_to__isnull=True),
                name="one_open_boundary_per_area",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="boundary_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.valid_from}–{self.valid_to or ''}"


class PlaceKind(models.TextChoices):
    CITY = "city", _("city")
    SETTLEMENT = "settlement", _("urban settlement")
    VILLAGE = "village", _("village")
    CITY_DISTRICT = "city_district", _("city district")
    COMMUNITY = "community", _("community")
    SERVICE_AREA = "service_area", _("service area")


class Place(models.Model):
    """A named place residents search for (a city, a village, a community), with its community."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_latin = models.CharField(_("name in Latin script"), max_length=200, blank=True)
    search_name = models.CharField(_("search key"), max_length=200, db_index=True)
    search_latin = models.CharField(_("Latin search key"), max_length=200, db_index=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="places"
    )
    rank = models.PositiveSmallIntegerField(
        _("search order"), default=5, help_text=_("Lower numbers come first among equal matches.")
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name
