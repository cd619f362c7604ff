"""The threat map: categories, reports, their history, attachments and confirmations.

Personal data is minimal: a report is anonymous; the optional e-mail and the client address
are visible to police only, and the address (with its keyed hash) is erased after
`BLISKO_REPORT_IP_RETENTION_DAYS` by `reports_erase_ips`.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from blisko.core.geo import GEO_SRID
from blisko.core.models import TimeStampedModel
from blisko.officers.models import Officer, Unit
from blisko.territories.models import Area, AreaBoundary


class VerifierRole(models.TextChoices):
    LOCAL = "local", _("community or district officer")
    TRAFFIC = "traffic", _("traffic officer")


class Precision(models.TextChoices):
    EXACT = "exact", _("exact")
    REDUCED = "reduced", _("reduced")
    HIDDEN = "hidden", _("hidden")


class Category(TimeStampedModel):
    """One kind of threat residents can report. A closed list: retired, never deleted."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_pl = models.CharField(_("name in Polish"), max_length=200)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    verifier_role = models.CharField(
        _("verified by"), max_length=16, choices=VerifierRole.choices, default=VerifierRole.LOCAL
    )
    precision = models.CharField(
        _("public location precision"),
        max_length=16,
        choices=Precision.choices,
        default=Precision.EXACT,
        help_text=_("How precisely the public map shows reports of this category."),
    )
    is_active = models.BooleanField(
        _("is active"), default=True, help_text=_("Retired categories keep their old reports.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "uk")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_en


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    IN_VERIFICATION = "in_verification", _("in verification")
    CONFIRMED = "confirmed", _("confirmed")
    NOT_CONFIRMED = "not_confirmed", _("not confirmed")
    RESOLVED = "resolved", _("resolved (threat eliminated)")
    REFERRED = "referred", _("referred to another body")
    DUPLICATE = "duplicate", _("duplicate")


OPEN_STATUSES = (Status.SUBMITTED, Status.IN_VERIFICATION, Status.CONFIRMED)
CLOSED_STATUSES = (Status.NOT_CONFIRMED, Status.RESOLVED, Status.REFERRED, Status.DUPLICATE)

# The colours of the public map, as KMZB shows them.
STATUS_COLOURS = {
    Status.SUBMITTED: "#2e9d46",
    Status.IN_VERIFICATION: "#e6b800",
    Status.CONFIRMED: "#d7263d",
    Status.NOT_CONFIRMED: "#8a8f98",
    Status.RESOLVED: "#2a6fdb",
    Status.REFERRED: "#7b4fc9",
    Status.DUPLICATE: "#b0b4ba",
}


class Report(TimeStampedModel):
    """A threat marked by a resident, routed to the officer of the area it lies in."""

    tracking_code = models.CharField(_("tracking code"), max_length=20)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    # No spatial index: police find reports by area, the public map by public_location; one
    # GiST index fewer makes bulk loads about a fifth faster.
    location = models.PointField(_("location"), srid=GEO_SRID, spatial_index=False)
    public_location = models.PointField(
        _("public location"),
        srid=GEO_SRID,
        null=True,
        blank=True,
        help_text=_(
            "Where the public map shows the report: reduced or absent for some categories."
        ),
    )
    # No index of its own: report_area_status_idx starts with the area.
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,
    )
    area_boundary = models.ForeignKey(
        AreaBoundary,
        verbose_name=_("area boundary version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    assigned_officer = models.ForeignKey(
        Officer,
        verbose_name=_("assigned officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,  # report_officer_status_idx starts with the officer
    )
    assigned_unit = models.ForeignKey(
        Unit,
        verbose_name=_("assigned unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    occurred_at = models.DateTimeField(_("time of the event"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=500, blank=True)
    reporter_email = models.EmailField(
        _("reporter's e-mail"), blank=True, help_text=_("For status updates; seen by police only.")
    )
    # Kept only with an e-mail, and erased with it: the language the status e-mails are in.
    # Nullable (None: not kept), so that SQLite adds the column in place instead of
    # rebuilding the largest table.
    reporter_language = models.CharField(
        _("reporter's language"),
        max_length=8,
        null=True,
        blank=True,
        help_text=_("The language of the page or app the report was sent from."),
    )
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    client_hash = models.CharField(
        _("client key"),
        max_length=64,
        blank=True,
        help_text=_("A keyed hash of the client address, for the daily limit."),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,  # report_duplicate_of_idx holds only the duplicates
    )
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    taken_up_at = models.DateTimeField(_("taken up at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    take_up_due_at = models.DateTimeField(_("take up due at"))
    verify_due_at = models.DateTimeField(_("verification due at"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    seen_count = models.PositiveIntegerField(_("seen by others"), default=0)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["area", "status"], name="report_area_status_idx"),
            # The diagnosis counts an area's reports by period and category from this index
            # alone (an index-only scan on PostgreSQL); a plan's evaluation places them and
            # counts the verified in time from it too (the included columns, PostgreSQL only).
            models.Index(
                fields=["area", "created_at", "category", "status"],
                include=["location", "verified_at", "verify_due_at"],
                name="report_area_created_idx",
            ),
            models.Index(fields=["assigned_officer", "status"], name="report_officer_status_idx"),
            models.Index(fields=["status", "created_at"], name="report_status_created_idx"),
            # Only reports from a client count towards its daily limit; imported ones have none.
            models.Index(
                fields=["client_hash", "created_at"],
                name="report_client_day_idx",
                condition=~Q(client_hash=""),
            ),
            models.Index(
                fields=["duplicate_of"],
                name="report_duplicate_of_idx",
                condition=Q(duplicate_of__isnull=False),
            ),
            # Deadlines matter only while a report waits for that move.
            models.Index(
                fields=["take_up_due_at"],
                name="report_take_up_due_idx",
                condition=Q(status="submitted"),
            ),
            models.Index(
                fields=["verify_due_at"],
                name="report_verify_due_idx",
                condition=Q(status__in=["submitted", "in_verification"]),
            ),
            # The public map's index picks up changed reports by updated_at (indexed by
            # TimeStampedModel; see selectors/map_index.py).
        ]
        constraints = [
            # Constraints rather than unique=True: no extra LIKE index on PostgreSQL, and
            # the idempotency index holds only the reports that came with a key.
            models.UniqueConstraint(fields=["tracking_code"], name="report_tracking_code_unique"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                name="report_idempotency_key_unique",
                condition=Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | Q(status="duplicate"),
                name="report_duplicate_has_status",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[Status(self.status)]


class ReportEvent(models.Model):
    """One move of a report's status (or a note): the report's audit trail and public history."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("previous status"), max_length=20, blank=True)
    to_status = models.CharField(_("new status"), max_length=20, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    photo = models.FileField(_("photo"), upload_to="reports/events/%Y/%m/", blank=True)
    is_public = models.BooleanField(_("shown to the public"), default=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.from_status}→{self.to_status}"


class Attachment(models.Model):
    """A file sent with a report. The original is for police; the public copy has no metadata."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="reports/original/%Y/%m/")
    public_file = models.FileField(
        _("public copy"),
        upload_to="reports/public/%Y/%m/",
        blank=True,
        help_text=_("Images re-encoded without location and camera metadata."),
    )
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.content_type}"


class SeenConfirmation(models.Model):
    """ "I have seen this too": one per client per report."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="seen"
    )
    client_hash = models.CharField(_("client key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.UniqueConstraint(fields=["report", "client_hash"], name="one_seen_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} seen"


class Open311Key(TimeStampedModel):
    """An API key for Open311 POST requests. Only its hash is kept."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    is_active = models.BooleanField(_("is active"), default=True)
    daily_cap = models.PositiveIntegerField(
        _("daily cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "The most service requests this key may create in a day (from local midnight), "
            "all its residents together. Empty: no cap; each resident still has the daily "
            "limit of one client."
        ),
    )

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return self.name
