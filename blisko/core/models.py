from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One change of something that matters (an assignment, a report): who, when, from, to, why."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entity = models.CharField(_("entity"), max_length=64)
    entity_id = models.CharField(_("entity id"), max_length=64)
    action = models.CharField(_("action"), max_length=64)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"], name="audit_entity_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.entity}#{self.entity_id} {self.action}"


class DirectoryChange(models.Model):
    """The change log behind `GET /api/v1/directory?since=`: one row per changed record.

    The row's id is the directory version; offline apps ask for what changed after theirs.
    """

    class Entity(models.TextChoices):
        AREA = "area", _("area")
        OFFICER = "officer", _("officer")
        UNIT = "unit", _("police unit")
        ASSIGNMENT = "assignment", _("assignment")

    entity = models.CharField(_("entity"), max_length=16, choices=Entity.choices)
    entity_id = models.BigIntegerField(_("entity id"))
    is_deleted = models.BooleanField(_("is deleted"), default=False)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("directory change")
        verbose_name_plural = _("directory changes")
        indexes = [models.Index(fields=["entity", "entity_id"], name="dirchange_entity_idx")]

    def __str__(self) -> str:
        return f"v{self.pk} {self.entity}#{self.entity_id}{' deleted' if self.is_deleted else ''}"
