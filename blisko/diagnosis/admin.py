"""Back office for the diagnosis: the statistic categories (the mapping to the map's
categories is edited here, and audited), the figures, the incident categories (their threat,
audited) and the incidents (read only: figures and incidents come by import)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from blisko.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from blisko.core.services import audit_record
from blisko.diagnosis.models import Incident, IncidentCategory, Statistic, StatisticCategory


@admin.register(StatisticCategory)
class StatisticCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_uk", "name_pl", "name_en", "valid_from", "valid_to"]
    search_fields = ["code", "name_uk", "name_pl", "name_en"]
    filter_horizontal = ["kmzb_categories"]
    readonly_fields = ["code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a closed list: new categories come with Blisko's migrations

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retired with "valid to", never deleted: old figures keep their category

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        obj = form.instance
        before = sorted(obj.kmzb_categories.values_list("code", flat=True))
        super().save_related(request, form, formsets, change)
        after = sorted(obj.kmzb_categories.values_list("code", flat=True))
        changed = list(form.changed_data)
        if before != after or [f for f in changed if f != "kmzb_categories"]:
            audit_record(
                actor=request.user,
                entity="diagnosis.statisticcategory",
                entity_id=obj.pk,
                action="updated",
                before={"kmzb_categories": before},
                after={"kmzb_categories": after, "fields": changed},
            )


@admin.register(Statistic)
class StatisticAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Figures of the areas the user may see (supervisors: their region's)."""

    list_display = ["area", "period", "category", "count", "updated_at"]
    list_filter = ["category", "period"]
    search_fields = ["area__code", "area__name_official"]
    list_select_related = ["area", "category"]
    date_hierarchy = "period"

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas)


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(admin.ModelAdmin):
    """The incident categories and the threat each counts towards (audited). A force whose
    incident system uses other categories adds them here; one in use is never deleted."""

    list_display = ["code", "name_uk", "name_pl", "name_en", "statistic_category"]
    list_filter = ["statistic_category"]
    search_fields = ["code", "name_uk", "name_pl", "name_en"]
    list_select_related = ["statistic_category"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and Incident.objects.filter(category=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change:
            previous = IncidentCategory.objects.get(pk=obj.pk)
            before = {f: str(getattr(previous, f)) for f in form.changed_data}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            entity="diagnosis.incidentcategory",
            entity_id=obj.pk,
            action="updated" if change else "created",
            before=before,
            after={f: str(getattr(obj, f)) for f in form.changed_data},
        )


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Incidents of the areas the user may see (read only: they come by import)."""

    list_display = ["occurred_at", "category", "area", "created_at"]
    list_filter = ["category"]
    search_fields = ["area__code", "area__name_official"]
    list_select_related = ["area", "category"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas)
