"""Back office for the threat map: categories, reports (read only) and Open311 API keys.

- Categories: add, edit, retire and reactivate; one with reports is never deleted (the page
  says so). Saving goes through `category_save`, which moves the public location of the
  category's reports when its precision changes.
- Reports: a read-only register with filters and the history; the workflow itself happens on
  the police pages (/police/), through the workflow services.
- Open311 keys: a new key is shown once, as a message; only its hash is kept.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from blisko.core.admin import (
    ReadOnlyAdminMixin,
    ReadOnlyMapMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
    scope_areas,
)
from blisko.reports.models import Attachment, Category, Open311Key, Report, ReportEvent
from blisko.reports.selectors.access import reports_for_user
from blisko.reports.services import categories as category_services
from blisko.reports.services import open311_keys as key_services
from blisko.territories.admin import AreaLevelFilter

# --- categories ---------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name_pl",
        "name_uk",
        "name_en",
        "verifier_role",
        "precision",
        "sort_order",
        "is_active",
        "report_count",
    ]
    list_filter = ["is_active", "verifier_role", "precision"]
    search_fields = ["code", "name_pl", "name_uk", "name_en"]
    readonly_fields = ["reports_note"]
    actions = ["retire", "reactivate"]
    fieldsets = [
        (None, {"fields": ["code", "name_pl", "name_uk", "name_en"]}),
        (
            _("Handling"),
            {"fields": ["verifier_role", "precision", "sort_order", "is_active", "reports_note"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_report_count=Count("reports"))

    @admin.display(description=_("reports"), ordering="_report_count")
    def report_count(self, obj: Category) -> int:
        return getattr(obj, "_report_count", None) or obj.reports.count()

    @admin.display(description=_("reports"))
    def reports_note(self, obj: Category | None) -> str:
        count = obj.reports.count() if obj is not None and obj.pk else 0
        if not count:
            return gettext("No reports yet.")
        return ngettext(
            "%(count)d report. A category with reports is never deleted: retire it instead "
            "(untick “is active”); its reports keep it.",
            "%(count)d reports. A category with reports is never deleted: retire it instead "
            "(untick “is active”); its reports keep it.",
            count,
        ) % {"count": count}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # Open311 clients and saved links use the code: once it has reports it stays.
        if obj is not None and obj.reports.exists():
            fields.append("code")
        return fields

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Categories are retired, not deleted in bulk.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.reports.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Retire the selected categories"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        for category in queryset:
            category_services.category_retire(category=category, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d category retired; its reports keep it.",
                "%(count)d categories retired; their reports keep them.",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate the selected categories"), permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        for category in queryset:
            category_services.category_reactivate(category=category, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d category offered to residents again.",
                "%(count)d categories offered to residents again.",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    def service_save(self, *, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        category_services.category_save(category=obj, actor=request.user)

    def service_delete(self, *, request: HttpRequest, obj: Category) -> None:
        category_services.category_delete(category=obj, actor=request.user)


# --- reports ------------------------------------------------------------------------------


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReportEventInline(_ReadOnlyInline):
    model = ReportEvent
    verbose_name_plural = _("history")
    fields = readonly_fields = (
        "at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "note",
        "photo",
        "is_public",
    )
    ordering = ["at", "id"]


class AttachmentInline(_ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = (
        "file",
        "public_file",
        "content_type",
        "size",
        "sha256",
        "created_at",
    )


@admin.register(Report)
class ReportAdmin(
    ReadOnlyAdminMixin, ScopedAdminMixin, ReadOnlyMapMixin, LeafletGeoAdminMixin, admin.ModelAdmin
):
    """The register of reports, read only: moves happen on the police pages, not here."""

    # Status colours and Blisko's admin classes (no style="" attribute under the CSP).
    class Media:
        css = {"all": ["css/status.css", "css/admin.css"]}

    readonly_maps = ("location", "public_location")
    list_display = [
        "tracking_code",
        "category",
        "status_badge",
        "area",
        "assigned_officer",
        "assigned_unit",
        "created_at",
        "verify_due_at",
    ]
    list_filter = ["status", "category", AreaLevelFilter, "area__country"]
    search_fields = ["tracking_code"]
    list_select_related = ["category", "area", "assigned_officer", "assigned_unit"]
    date_hierarchy = "created_at"
    inlines = [ReportEventInline, AttachmentInline]
    fieldsets = [
        (
            None,
            {"fields": ["tracking_code", "category", "status", "description", "occurred_at"]},
        ),
        (
            _("Place"),
            {"fields": ["location", "public_location", "area", "area_boundary"]},
        ),
        (
            _("Routing"),
            {"fields": ["assigned_officer", "assigned_unit", "duplicate_of", "referred_to"]},
        ),
        (
            _("Deadlines"),
            {
                "fields": [
                    "created_at",
                    "take_up_due_at",
                    "taken_up_at",
                    "verify_due_at",
                    "verified_at",
                    "closed_at",
                    "escalated_at",
                    "seen_count",
                ]
            },
        ),
        (
            _("Seen by police only"),
            {"fields": ["reporter_email", "reporter_language", "client_ip"]},
        ),
    ]

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Report) -> str:
        return format_html(
            '<span class="blisko-admin-dot status-colour--{}"></span>{}',
            obj.status,
            obj.get_status_display(),
        )

    @admin.display(description=_("location"))
    def location_map(self, obj: Report) -> str:
        return self.map_html(obj, "location")

    @admin.display(description=_("public location"))
    def public_location_map(self, obj: Report) -> str:
        return self.map_html(obj, "public_location")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["created_at"]

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas.values("pk"))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The same reports as the police pages: the user's areas plus the reports assigned
        # to their own officer (reports_for_user), not the areas alone.
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if scope_areas(request) is not None:
            queryset = queryset & reports_for_user(user=request.user)
        return queryset.defer("area__boundary", "assigned_unit__location")


# --- Open311 keys -------------------------------------------------------------------------


@admin.register(Open311Key)
class Open311KeyAdmin(ServiceAdminMixin, admin.ModelAdmin):
    # Status colours and Blisko's admin classes (no style="" attribute under the CSP).
    class Media:
        css = {"all": ["css/status.css", "css/admin.css"]}

    list_display = ["name", "is_active", "daily_cap", "created_at", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    actions = ["deactivate"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new key is only named: the key itself is made by the service and shown once.
        if obj is None:
            return ["name"]
        return ["name", "is_active", "daily_cap", "key_hash", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["key_hash", "created_at"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Keys stay on record; a key that should stop working is deactivated.
        return False

    @admin.action(description=_("Deactivate the selected keys"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        for key in queryset:
            key_services.open311_key_deactivate(key=key, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d key deactivated.", "%(count)d keys deactivated.", queryset.count())
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    def service_save(
        self, *, request: HttpRequest, obj: Open311Key, form: Any, change: bool
    ) -> None:
        if change:
            key_services.open311_key_save(key=obj, actor=request.user)
            return
        key, raw_key = key_services.open311_key_create(name=obj.name, actor=request.user)
        # The admin goes on with `obj` (its log entry and redirect): make it the saved row.
        obj.pk, obj.key_hash = key.pk, key.key_hash
        obj.created_at, obj.updated_at = key.created_at, key.updated_at
        obj._state.adding = False
        obj._state.db = key._state.db
        messages.warning(
            request,
            format_html(
                '{} <code class="blisko-admin-key">{}</code>',
                gettext(
                    "The new API key for %(name)s, shown only this once (only its hash is "
                    "kept): copy it now."
                )
                % {"name": key.name},
                raw_key,
            ),
        )

    def service_delete(self, *, request: HttpRequest, obj: Open311Key) -> None:
        raise NotImplementedError  # keys are never deleted: see has_delete_permission
