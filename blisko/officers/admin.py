"""Back office for police units, officers and their assignments.

Every save and delete goes through blisko.officers.services; a supervisor sees and assigns
only within their own areas (ScopedAdminMixin).
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from blisko.core.admin import (
    ReadOnlyMapMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
    scope_areas,
)
from blisko.core.exceptions import ApplicationError
from blisko.officers.models import Assignment, Officer, Unit
from blisko.officers.selectors.coverage import coverage_by_region
from blisko.officers.services.assignments import assignment_delete, assignment_save
from blisko.officers.services.officers import officer_delete, officer_save
from blisko.officers.services.units import unit_delete, unit_save
from blisko.territories.admin import AreaAdmin, AreaLevelFilter
from blisko.territories.models import Area, Level


@admin.register(Unit)
class UnitAdmin(
    ServiceAdminMixin, ScopedAdminMixin, ReadOnlyMapMixin, LeafletGeoAdminMixin, admin.ModelAdmin
):
    readonly_maps = ("location",)
    list_display = ["name", "country", "address", "phone", "opening_hours", "area", "parent"]
    list_filter = ["country"]
    search_fields = ["name", "address", "phone"]
    list_select_related = ["area", "parent"]
    autocomplete_fields = ["parent", "area"]
    fieldsets = [
        (None, {"fields": ["country", "name", "parent", "area"]}),
        (
            _("Contact"),
            {"fields": ["address", "phone", "duty_phone", "email", "opening_hours"]},
        ),
        (_("Location"), {"fields": ["location"]}),
    ]

    @admin.display(description=_("location"))
    def location_map(self, obj: Unit) -> str:
        return self.map_html(obj, "location")

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas.values("pk"))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("area__boundary")

    def service_save(self, *, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        unit_save(unit=obj, actor=request.user)

    def service_delete(self, *, request: HttpRequest, obj: Unit) -> None:
        unit_delete(unit=obj, actor=request.user)


@admin.register(Officer)
class OfficerAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    # Status colours and Blisko's admin classes (no style="" attribute under the CSP).
    class Media:
        css = {"all": ["css/status.css", "css/admin.css"]}

    list_display = ["last_name", "first_name", "rank", "badge_number", "unit", "is_active"]
    list_filter = ["is_active", "unit__country"]
    search_fields = ["first_name", "last_name", "badge_number"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "user"]
    readonly_fields = ["photo_preview"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "rank", "badge_number", "unit"]}),
        (_("Public card"), {"fields": ["photo", "photo_preview", "bio"]}),
        (_("Account"), {"fields": ["user", "is_active"]}),
    ]

    @admin.display(description=_("photo"))
    def photo_preview(self, obj: Officer) -> str:
        if not obj.photo:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" class="blisko-admin-photo">',
            obj.photo.url,
            obj.full_name,
        )

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        # An officer is in scope through their unit's area or any assignment there.
        assigned = Assignment.objects.filter(area__in=areas.values("pk")).values("officer_id")
        return queryset.filter(Q(unit__area__in=areas.values("pk")) | Q(pk__in=assigned))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # Linking user accounts is for administrators: the choice would list every user.
        if scope_areas(request) is not None:
            fields.append("user")
        return fields

    def service_save(self, *, request: HttpRequest, obj: Officer, form: Any, change: bool) -> None:
        officer_save(officer=obj, actor=request.user)

    def service_delete(self, *, request: HttpRequest, obj: Officer) -> None:
        officer_delete(officer=obj, actor=request.user)


@admin.register(Assignment)
class AssignmentAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["officer", "role", "area", "period", "is_primary", "cover"]
    list_filter = ["role", "is_primary", AreaLevelFilter, "area__country"]
    search_fields = [
        "officer__first_name",
        "officer__last_name",
        "officer__badge_number",
        "area__code",
        "area__name_official",
    ]
    list_select_related = ["officer", "area", "covers__officer"]
    autocomplete_fields = ["officer", "area", "covers"]
    readonly_fields = ["is_primary"]
    date_hierarchy = "starts_on"
    fieldsets = [
        (None, {"fields": ["officer", "area", "role", "is_primary"]}),
        (_("Period"), {"fields": ["starts_on", "ends_on"]}),
        (_("Cover during an absence"), {"fields": ["covers", "cover_reason"]}),
    ]

    @admin.display(description=_("period"), ordering="starts_on")
    def period(self, obj: Assignment) -> str:
        starts = date_format(obj.starts_on, "SHORT_DATE_FORMAT")
        ends = date_format(obj.ends_on, "SHORT_DATE_FORMAT") if obj.ends_on else ""
        return f"{starts} – {ends}" if ends else gettext("from %(date)s") % {"date": starts}

    @admin.display(description=_("covers for"))
    def cover(self, obj: Assignment) -> str:
        if obj.covers is None:
            return "—"
        return f"{obj.covers.officer.full_name} ({obj.get_cover_reason_display()})"

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas.values("pk"))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("area__boundary")

    def service_save(
        self, *, request: HttpRequest, obj: Assignment, form: Any, change: bool
    ) -> None:
        areas = scope_areas(request)
        if areas is not None and not areas.filter(pk=obj.area_id).exists():
            raise ApplicationError(
                gettext("You can only assign officers in your own areas."), {"field": "area"}
            )
        assignment_save(assignment=obj, actor=request.user)

    def service_delete(self, *, request: HttpRequest, obj: Assignment) -> None:
        assignment_delete(assignment=obj, actor=request.user)


# The areas' admin (blisko.territories) gains the coverage page here, where the officers are
# known: the territories app knows nothing of officers.
admin.site.unregister(Area)


@admin.register(Area)
class AreaWithCoverageAdmin(AreaAdmin):
    def get_urls(self) -> list:
        coverage = path(
            "coverage/",
            self.admin_site.admin_view(self.coverage_view),
            name="territories_area_coverage",
        )
        return [coverage, *super().get_urls()]

    def coverage_view(self, request: HttpRequest) -> HttpResponse:
        """Per region: the communities with no officer assigned today, and the counts."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        areas = scope_areas(request)
        regions = None
        if areas is not None:
            regions = list(
                Area.objects.filter(level=Level.REGION)
                .filter(pk__in=_regions_of(areas))
                .defer("boundary")
            )
        today = timezone.localdate()
        rows = coverage_by_region(on=today, regions=regions)
        # Who has no officer is shown for the whole region; links only where the user may go.
        linkable = None
        if areas is not None:
            listed = [area.pk for row in rows for area in row.uncovered]
            linkable = set(areas.filter(pk__in=listed).values_list("pk", flat=True))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Coverage"),
            "subtitle": None,
            "opts": self.opts,
            "on": today,
            "rows": [
                {
                    "region": row.region,
                    "communities": row.communities,
                    "covered": row.covered,
                    "uncovered": [
                        {
                            "area": area,
                            "url": reverse(
                                "admin:territories_area_change",
                                args=[area.pk],
                                current_app=self.admin_site.name,
                            )
                            if linkable is None or area.pk in linkable
                            else "",
                        }
                        for area in row.uncovered
                    ],
                }
                for row in rows
            ],
        }
        return TemplateResponse(request, "admin/coverage.html", context)


def _regions_of(areas: QuerySet) -> set[int]:
    """Ids of the regions the given areas lie in (regions themselves included)."""
    regions: set[int] = set()
    for area in areas.select_related("parent__parent__parent").defer(
        "boundary",
        "parent__boundary",
        "parent__parent__boundary",
        "parent__parent__parent__boundary",
    ):
        node: Area | None = area
        for _step in range(4):
            if node is None:
                break
            if node.level == Level.REGION:
                regions.add(node.pk)
                break
            node = node.parent
    return regions
