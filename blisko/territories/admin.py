"""Back office for territories: areas (boundaries drawn on a map) and places. The coverage
page (communities without an officer) is added to the areas' admin by blisko.officers."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import json_script
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from blisko.core.admin import (
    ReadOnlyAdminMixin,
    ReadOnlyMapMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
)
from blisko.territories.models import Area, AreaBoundary, Level, Place
from blisko.territories.selectors.areas import area_boundary
from blisko.territories.services.areas import area_delete, area_save

# Reference outlines drawn under the boundary being edited: simplified (degrees, ~20 m) and
# at most this many siblings, so the page stays light.
_REFERENCE_TOLERANCE = 0.0002
_REFERENCE_MAX_SIBLINGS = 120


class AreaAdminForm(forms.ModelForm):
    boundary_valid_from = forms.DateField(
        label=_("New boundary valid from"),
        required=False,
        help_text=_(
            "When a changed boundary takes effect; empty: today. The previous boundary is "
            "kept as history."
        ),
        widget=admin.widgets.AdminDateWidget,
    )

    class Meta:
        model = Area
        fields = [
            "country",
            "level",
            "code",
            "parent",
            "name_official",
            "name_uk",
            "name_pl",
            "name_en",
            "contact_phone",
            "contact_email",
            "boundary",
            "population",
            "valid_from",
            "valid_to",
        ]


class AreaBoundaryInline(admin.TabularInline):
    """The area's boundary versions, newest first: history, never edited by hand."""

    model = AreaBoundary
    fields = ["valid_from", "valid_to", "source", "was_repaired", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Whoever may see the area may see its history.
        return request.user.has_perm("territories.view_area")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("boundary")


class AreaLevelFilter(admin.SimpleListFilter):
    """Filter rows by the level of their area (`area__level`): for the admins of the apps
    whose rows belong to an area (assignments, reports)."""

    title = _("area level")
    parameter_name = "area_level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Level.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(area__level=self.value()) if self.value() else queryset


@admin.register(Area)
class AreaAdmin(
    ServiceAdminMixin, ScopedAdminMixin, ReadOnlyMapMixin, LeafletGeoAdminMixin, admin.ModelAdmin
):
    form = AreaAdminForm
    readonly_maps = ("boundary",)
    edit_only_fields = ("boundary_valid_from",)
    list_display = [
        "name_official",
        "level",
        "code",
        "parent",
        "population",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["level", "country"]
    search_fields = ["name_official", "name_uk", "name_pl", "name_en", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [AreaBoundaryInline]
    map_template = "territories/admin/boundary_widget.html"
    fieldsets = [
        (None, {"fields": ["country", "level", "code", "parent"]}),
        (
            _("Names"),
            {"fields": ["name_official", "name_uk", "name_pl", "name_en"]},
        ),
        (_("Contact"), {"fields": ["contact_phone", "contact_email"]}),
        (_("Boundary"), {"fields": ["boundary", "boundary_valid_from"]}),
        (_("Validity"), {"fields": ["population", "valid_from", "valid_to"]}),
    ]

    @admin.display(description=_("boundary"))
    def boundary_map(self, obj: Area) -> str:
        return self.map_html(obj, "boundary")

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=areas.values("pk"))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Lists and choices never need the polygons; an object page loads its own on access.
        return super().get_queryset(request).defer("boundary", "parent__boundary")

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Show and edit the version in force today: the copy on the row waits for the
            # daily `territories_refresh` on the day a future version starts.
            obj.boundary = area_boundary(area=obj)
        return obj

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        field = form.base_fields.get("boundary")
        if field is not None:
            parent = obj.parent if obj is not None else None
            if parent is None and request.GET.get("parent", "").isdigit():
                parent = self.get_queryset(request).filter(pk=request.GET["parent"]).first()
            reference = _reference_outlines(area=obj, parent=parent)
            field.widget.attrs["reference_script"] = json_script(reference, "id_boundary-reference")
        return form

    def service_save(self, *, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        area_save(
            area=obj,
            actor=request.user,
            boundary_valid_from=form.cleaned_data.get("boundary_valid_from"),
        )

    def service_delete(self, *, request: HttpRequest, obj: Area) -> None:
        area_delete(area=obj, actor=request.user)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Places are derived from the area (its names, the codifier) and go with it, though
        # nobody edits or deletes them one by one here.
        perms_needed.discard(Place._meta.verbose_name)
        return deleted, counts, perms_needed, protected


def _reference_outlines(*, area: Area | None, parent: Area | None) -> dict[str, Any] | None:
    """A GeoJSON FeatureCollection of the parent's outline and its other children.

    Drawn under the map widget, so a service area can be drawn inside its community even
    when the map has no base layer.
    """
    if parent is None:
        return None
    features = []
    if parent.boundary is not None:
        features.append(_feature(parent, kind="parent"))
    siblings = (
        Area.objects.filter(parent=parent, valid_to__isnull=True, boundary__isnull=False)
        .exclude(pk=area.pk if area is not None else None)
        .order_by("code")[:_REFERENCE_MAX_SIBLINGS]
    )
    features += [_feature(sibling, kind="sibling") for sibling in siblings]
    return {"type": "FeatureCollection", "features": features} if features else None


def _feature(area: Area, *, kind: str) -> dict[str, Any]:
    import json

    geometry = area.boundary.simplify(_REFERENCE_TOLERANCE, preserve_topology=True)
    return {
        "type": "Feature",
        "geometry": json.loads(geometry.geojson),
        "properties": {"name": str(area), "kind": kind},
    }


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Places come from the KATOTTH codifier and the areas' names: searchable, not edited here.

    Re-run `territories_import` (codifier) or rename the area instead; both keep the search
    keys in step.
    """

    list_display = ["name", "kind", "code", "area", "rank"]
    list_filter = ["kind"]
    search_fields = ["name", "name_latin", "code", "search_name", "search_latin"]
    list_select_related = ["area"]
    readonly_fields = ["code", "kind", "name", "name_latin", "area", "rank"]
    fields = readonly_fields

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas.values("pk"))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("area__boundary")
