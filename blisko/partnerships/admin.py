"""Back office for the partnerships.

Memoranda, their parties, partners, obligations and fulfilment are read only here and scoped to
the user's areas (a memorandum is in reach when one of its communities is): they are written,
signed and kept on the police pages (`/police/partnerships/`) through the audited services.
Rollout targets and the community heads' accounts are the administrator's, edited here, each
change an audit event; a head's account joins the `community_head` group.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from blisko.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from blisko.core.roles import COMMUNITY_HEAD
from blisko.core.services import audit_record
from blisko.partnerships.models import (
    CommunityHead,
    Fulfilment,
    Memorandum,
    MemorandumArea,
    Obligation,
    Partner,
    RolloutTarget,
)
from blisko.territories.models import Level


def _in_reach(queryset: QuerySet, areas: QuerySet, path: str = "") -> QuerySet:
    """The rows whose memorandum (reached through `path`; the row itself when empty) has a
    community party among `areas`."""
    memoranda = MemorandumArea.objects.filter(area__in=areas).values("memorandum_id")
    return queryset.filter(**{f"{path}__in" if path else "pk__in": memoranda})


class MemorandumAreaInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MemorandumArea
    extra = 0
    fields = ["area", "head_name", "head_office"]
    readonly_fields = fields


class PartnerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Partner
    extra = 0
    fields = ["name", "kind", "representative"]
    readonly_fields = fields


class ObligationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ["party_kind", "party_area", "party_partner", "kind", "description", "due_on"]
    readonly_fields = [*fields, "recurrence"]
    show_change_link = True


@admin.register(Memorandum)
class MemorandumAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "number", "unit", "status", "signed_on", "valid_until"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "number", "parties__area__name_official", "partners__name"]
    list_select_related = ["unit"]
    date_hierarchy = "signed_on"
    # The signed document is police-only and served by its own page, never as a media link.
    exclude = ["document"]
    inlines = [MemorandumAreaInline, PartnerInline, ObligationInline]

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return _in_reach(queryset, areas)


@admin.register(MemorandumArea)
class MemorandumAreaAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["area", "memorandum", "head_name", "head_office"]
    search_fields = ["area__name_official", "area__code", "head_name", "memorandum__title"]
    list_select_related = ["area", "memorandum"]

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return _in_reach(queryset, areas, "memorandum")


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "representative", "memorandum"]
    list_filter = ["kind"]
    search_fields = ["name", "memorandum__title"]
    list_select_related = ["memorandum"]

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return _in_reach(queryset, areas, "memorandum")


class FulfilmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Fulfilment
    extra = 0
    fields = ["on", "state", "evidence", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["memorandum", "party_kind", "kind", "due_on", "recurrence"]
    list_filter = ["kind", "party_kind", "recurrence"]
    search_fields = ["description", "memorandum__title"]
    list_select_related = ["memorandum"]
    inlines = [FulfilmentInline]

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return _in_reach(queryset, areas, "memorandum")


@admin.register(Fulfilment)
class FulfilmentAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["obligation", "on", "state", "recorded_by", "recorded_at"]
    list_filter = ["state"]
    search_fields = ["evidence", "note", "obligation__memorandum__title"]
    list_select_related = ["obligation", "recorded_by"]
    date_hierarchy = "on"

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return _in_reach(queryset, areas, "obligation__memorandum")


def _fields_of(obj: Any, names: list[str]) -> dict[str, str]:
    return {name: str(getattr(obj, name)) for name in names}


class _AuditedAdmin(admin.ModelAdmin):
    """Each save and delete an audit event (entity `audit_entity`) with the changed fields."""

    audit_entity = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change:
            previous = type(obj).objects.get(pk=obj.pk)
            before = _fields_of(previous, list(form.changed_data))
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            entity=self.audit_entity,
            entity_id=obj.pk,
            action="changed" if change else "created",
            before=before,
            after=_fields_of(obj, list(form.changed_data)),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = _fields_of(obj, [f.name for f in obj._meta.concrete_fields])
        pk = obj.pk
        super().delete_model(request, obj)
        audit_record(
            actor=request.user,
            entity=self.audit_entity,
            entity_id=pk,
            action="removed",
            before=before,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RolloutTarget)
class RolloutTargetAdmin(_AuditedAdmin):
    """The programme's plan figures (e.g. 34 → 364 officers), the rollout chart's target."""

    audit_entity = "rollout_target"
    list_display = ["country", "on", "officers", "communities", "regions", "note"]
    list_filter = ["country"]
    date_hierarchy = "on"


class CommunityHeadForm(forms.ModelForm):
    class Meta:
        model = CommunityHead
        fields = ["user", "area", "name", "office", "is_active"]

    def clean_area(self) -> Any:
        area = self.cleaned_data.get("area")
        if area is not None and area.level != Level.COMMUNITY:
            raise forms.ValidationError(_("A head's account is tied to a community."))
        return area

    def clean_user(self) -> Any:
        user = self.cleaned_data.get("user")
        if user is not None and (user.is_staff or user.is_superuser):
            raise forms.ValidationError(
                _("A community head's account is not a back-office account: choose another.")
            )
        return user


@admin.register(CommunityHead)
class CommunityHeadAdmin(_AuditedAdmin):
    """The community heads' accounts: each sees only their community's page."""

    audit_entity = "community_head"
    form = CommunityHeadForm
    list_display = ["name", "office", "area", "user", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "area__name_official", "area__code", "user__username"]
    list_select_related = ["area", "user"]
    autocomplete_fields = ["area", "user"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        group, _created = Group.objects.get_or_create(name=COMMUNITY_HEAD)
        obj.user.groups.add(group)
