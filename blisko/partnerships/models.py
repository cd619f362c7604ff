"""Memoranda and agreements (меморандум про співпрацю, porozumienie): who signed (a police unit
or headquarters; one or more communities and their heads; other partners such as a school or an
NGO), from when and until when, the signed document (police only), and what each party promised
(the obligations) with their fulfilment over time. The community heads' accounts and the
programme's rollout targets live here too. Changes go through `blisko.partnerships.services`,
each one an audit event."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from blisko.core.models import TimeStampedModel
from blisko.officers.models import Unit
from blisko.territories.models import Area, Country

# The signed documents are police-only: never served as public media (blisko.core.views).
DOCUMENT_PREFIX = "partnerships/"


class MemorandumKind(models.TextChoices):
    MEMORANDUM = "memorandum", _("memorandum of cooperation")
    AGREEMENT = "agreement", _("partnership agreement")


class MemorandumStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_FORCE = "in_force", _("in force")
    EXPIRED = "expired", _("expired")
    TERMINATED = "terminated", _("terminated")


def in_force_on(day, prefix: str = "") -> Q:
    """The memoranda in force on `day` (a date): signed, not a draft, begun by then, not yet
    past their end, not terminated by then. `prefix` reaches them through a relation
    (`"memorandum__"` from a community party). Expiry need not have been recorded yet."""
    p = prefix
    return (
        ~Q(**{f"{p}status": MemorandumStatus.DRAFT})
        & Q(**{f"{p}signed_on__lte": day})
        & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gte": day}))
        & (Q(**{f"{p}terminated_on__isnull": True}) | Q(**{f"{p}terminated_on__gt": day}))
    )


class Memorandum(TimeStampedModel):
    kind = models.CharField(
        _("kind"), max_length=16, choices=MemorandumKind.choices, default=MemorandumKind.MEMORANDUM
    )
    title = models.CharField(_("title"), max_length=300)
    number = models.CharField(_("registration number"), max_length=64, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("police unit or headquarters"),
        on_delete=models.PROTECT,
        related_name="memoranda",
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty when open-ended.")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MemorandumStatus.choices,
        default=MemorandumStatus.DRAFT,
        db_index=True,
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), max_length=1000, blank=True)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    document = models.FileField(
        _("signed document (PDF)"), upload_to=DOCUMENT_PREFIX + "%Y/", blank=True
    )
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("memorandum")
        verbose_name_plural = _("memoranda")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(valid_until__gte=F("signed_on")),
                name="memorandum_valid_after_signed",
            ),
            models.CheckConstraint(
                condition=Q(status=MemorandumStatus.DRAFT) | Q(signed_on__isnull=False),
                name="memorandum_signed_unless_draft",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MemorandumArea(models.Model):
    """A community that is a party, with its head as they signed (name and office)."""

    memorandum = models.ForeignKey(
        Memorandum, verbose_name=_("memorandum"), on_delete=models.CASCADE, related_name="parties"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="memorandum_parts"
    )
    head_name = models.CharField(_("head's name"), max_length=200)
    head_office = models.CharField(
        _("head's office"), max_length=200, help_text=_("E.g. “Head of the hromada”, “Mayor”.")
    )

    class Meta:
        verbose_name = _("community party")
        verbose_name_plural = _("community parties")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["memorandum", "area"], name="memorandum_area_once")
        ]

    def __str__(self) -> str:
        return f"{self.area} — {self.head_name}"


class PartnerKind(models.TextChoices):
    SCHOOL = "school", _("school")
    NGO = "ngo", _("non-governmental organisation")
    BUSINESS = "business", _("business")
    PUBLIC_BODY = "public_body", _("public body")
    OTHER = "other", _("other")


class Partner(models.Model):
    """Another party: a school, an NGO, a business, a public body."""

    memorandum = models.ForeignKey(
        Memorandum, verbose_name=_("memorandum"), on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    representative = models.CharField(
        _("representative (name and office)"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PartyKind(models.TextChoices):
    POLICE = "police", _("the police")
    COMMUNITY = "community", _("the community")
    PARTNER = "partner", _("a partner")


class ObligationKind(models.TextChoices):
    OFFICE = "office", _("office")
    VEHICLE = "vehicle", _("vehicle")
    FUEL = "fuel", _("fuel")
    HOUSING = "housing", _("housing")
    EQUIPMENT = "equipment", _("equipment")
    FUNDING = "funding", _("funding")
    OTHER = "other", _("other")


class Recurrence(models.TextChoices):
    ONCE = "once", _("once")
    MONTHLY = "monthly", _("every month")
    QUARTERLY = "quarterly", _("every quarter")
    YEARLY = "yearly", _("every year")


class Obligation(TimeStampedModel):
    """What one party promised: typed, with free text, due once on a date or every period."""

    memorandum = models.ForeignKey(
        Memorandum,
        verbose_name=_("memorandum"),
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    party_kind = models.CharField(_("party"), max_length=16, choices=PartyKind.choices)
    party_area = models.ForeignKey(
        MemorandumArea,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    party_partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    kind = models.CharField(_("what"), max_length=16, choices=ObligationKind.choices)
    description = models.TextField(_("description"), max_length=2000)
    due_on = models.DateField(
        _("due on"), null=True, blank=True, help_text=_("The first (or only) due date.")
    )
    recurrence = models.CharField(
        _("recurs"), max_length=16, choices=Recurrence.choices, default=Recurrence.ONCE
    )

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["memorandum_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        party_kind=PartyKind.POLICE,
                        party_area__isnull=True,
                        party_partner__isnull=True,
                    )
                    | Q(
                        party_kind=PartyKind.COMMUNITY,
                        party_area__isnull=False,
                        party_partner__isnull=True,
                    )
                    | Q(
                        party_kind=PartyKind.PARTNER,
                        party_area__isnull=True,
                        party_partner__isnull=False,
                    )
                ),
                name="obligation_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    @property
    def party_name(self) -> str:
        if self.party_kind == PartyKind.COMMUNITY and self.party_area is not None:
            return str(self.party_area.area.name)
        if self.party_kind == PartyKind.PARTNER and self.party_partner is not None:
            return self.party_partner.name
        return str(self.memorandum.unit.name)


class FulfilmentState(models.TextChoices):
    FULFILLED = "fulfilled", _("fulfilled")
    PARTLY = "partly", _("partly fulfilled")
    NOT = "not", _("not fulfilled")


class Fulfilment(models.Model):
    """One check of an obligation: on a date, fulfilled, partly or not, with evidence."""

    obligation = models.ForeignKey(
        Obligation,
        verbose_name=_("obligation"),
        on_delete=models.CASCADE,
        related_name="fulfilments",
    )
    on = models.DateField(pgettext_lazy("fulfilment", "on"))
    state = models.CharField(_("state"), max_length=16, choices=FulfilmentState.choices)
    evidence = models.CharField(
        pgettext_lazy("fulfilment", "evidence"),
        max_length=500,
        blank=True,
        help_text=_("What shows it: an act of transfer, a fuel card number, a photo's place."),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fulfilment")
        verbose_name_plural = _("fulfilments")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["obligation", "-on"], name="fulfilment_latest_idx")]

    def __str__(self) -> str:
        return f"{self.on} {self.get_state_display()}"


class CommunityHead(TimeStampedModel):
    """A community head's account: sees only their community (its memorandum, obligations,
    officer's presence as a monthly share, meetings and plans)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="community_head",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="heads"
    )
    name = models.CharField(_("name"), max_length=200)
    office = models.CharField(pgettext_lazy("position", "office"), max_length=200)
    is_active = models.BooleanField(_("is active"), default=True)

    class Meta:
        verbose_name = _("community head")
        verbose_name_plural = _("community heads")
        ordering = ["area__code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.area})"


class RolloutTarget(models.Model):
    """A point of the programme's plan: by this date, so many officers, communities and regions
    covered (e.g. 34 officers at the start → 364). The rollout chart draws a line through them."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    on = models.DateField(pgettext_lazy("target", "by"))
    officers = models.PositiveIntegerField(_("officers assigned"))
    communities = models.PositiveIntegerField(_("communities covered"))
    regions = models.PositiveIntegerField(_("regions covered"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rollout target")
        verbose_name_plural = _("rollout targets")
        ordering = ["country", "on"]
        constraints = [
            models.UniqueConstraint(fields=["country", "on"], name="rollout_target_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.on}: {self.officers}/{self.communities}/{self.regions}"
