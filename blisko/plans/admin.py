"""Back office for the plans: read only, scoped to the user's areas. Plans and their actions
are written, approved and evaluated on the police pages, through the audited services."""

from django.contrib import admin
from django.db.models import QuerySet

from blisko.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from blisko.plans.models import Plan, PlanAction


class PlanActionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanAction
    extra = 0
    fields = ["kind", "description", "starts_on", "ends_on", "partners", "status", "done_on"]
    readonly_fields = fields


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "area", "threat", "officer", "starts_on", "ends_on", "status"]
    list_filter = ["status", "threat"]
    search_fields = ["title", "area__code", "area__name_official", "officer__last_name"]
    list_select_related = ["area", "threat", "officer"]
    date_hierarchy = "starts_on"
    exclude = ["place"]
    inlines = [PlanActionInline]

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas)
