"""The back office's shared admin pieces.

- `ServiceAdminMixin`: saves and deletes go through the app's services; a refusal
  (ApplicationError) is shown on the form, or as a message, and nothing is written.
- `ScopedAdminMixin`: a supervisor or an officer sees only the rows of their own areas
  (`areas_for_user`), in lists, on object pages and among the choices of foreign keys.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.core.roles import ADMINISTRATOR

admin.site.site_header = _("Blisko back office")
admin.site.site_title = _("Blisko")
admin.site.index_title = _("Territories, officers and assignments")


class _Refused(Exception):
    """A service refused the change; raised through the admin view to roll it back."""

    def __init__(self, error: ApplicationError):
        super().__init__(error.message)
        self.error = error


class _RefusalFormMixin:
    """Shows the refusal of the first attempt as an error of the re-validated form."""

    refusal: ApplicationError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        form: Any = self
        by_field = self.refusal.extra.get("fields")
        if isinstance(by_field, dict) and by_field:
            # A row that failed full_clean(): each message beside its own field.
            for name, errors in by_field.items():
                form.add_error(name if name in form.fields else None, errors)
            return cleaned
        name = self.refusal.extra.get("field")
        form.add_error(name if name in form.fields else None, self.refusal.message)
        return cleaned


class ServiceAdminMixin:
    """Route the admin's writes through services; show their refusals and write nothing.

    Subclasses implement `service_save` and `service_delete`. A refusal raised while saving
    unwinds the admin's own transaction (nothing half-written), then the form is validated
    again with the refusal as its error, so the user keeps what they typed.
    """

    def service_save(self, *, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raise NotImplementedError

    def service_delete(self, *, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            self.service_save(request=request, obj=obj, form=form, change=change)
        except ApplicationError as error:
            raise _Refused(error)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Related rows are written by the services; inlines here only show them.
        form.save_m2m()
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            self.service_delete(request=request, obj=obj)
        except ApplicationError as error:
            raise _Refused(error)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        refusal = getattr(request, "_blisko_refusal", None)
        if refusal is None:
            return form
        return type(form.__name__, (_RefusalFormMixin, form), {"refusal": refusal})

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except _Refused as refused:
            # The admin's transaction is rolled back; show the same form again, refused.
            request._blisko_refusal = refused.error  # type: ignore[attr-defined]
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        except _Refused as refused:
            messages.error(request, refused.error.message)
            opts = self.model._meta  # type: ignore[attr-defined]
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                    current_app=self.admin_site.name,  # type: ignore[attr-defined]
                )
            )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method != "POST":
            return super().changelist_view(request, extra_context)  # type: ignore[misc]
        # Bulk actions ("delete selected") run whole or not at all, their log entries too.
        try:
            with transaction.atomic():
                return super().changelist_view(request, extra_context)  # type: ignore[misc]
        except _Refused as refused:
            messages.error(request, refused.error.message)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyMapMixin:
    """For users who may only view an object: its geometry drawn on a map, not printed as WKT.

    Use with LeafletGeoAdminMixin. Each field in `readonly_maps` needs a `<field>_map` method
    returning `self.map_html(obj, "<field>")`; `edit_only_fields` are hidden from such users.
    """

    readonly_maps: tuple[str, ...] = ()
    edit_only_fields: tuple[str, ...] = ()

    def _view_only(self, request: HttpRequest, obj: Any) -> bool:
        model_admin: Any = self
        return obj is not None and not model_admin.has_change_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if not self._view_only(request, obj):
            return fieldsets
        shown = []
        for name, options in fieldsets:
            fields = [
                f"{field}_map" if field in self.readonly_maps else field
                for field in options["fields"]
                if field not in self.edit_only_fields
            ]
            shown.append((name, {**options, "fields": fields}))
        return shown

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if self._view_only(request, obj):
            fields += [f"{field}_map" for field in self.readonly_maps]
        return fields

    def map_html(self, obj: Any, field_name: str) -> str:
        """The field's map widget, not editable, with the scripts it needs."""
        value = getattr(obj, field_name)
        if value is None:
            return "—"
        field = obj._meta.get_field(field_name)
        widget_class = self._get_map_widget(field, self.widget)  # type: ignore[attr-defined]
        widget = widget_class()
        widget.modifiable = False
        element_id = f"id_{field_name}_view"
        html = widget.render(f"{field_name}_view", value, attrs={"id": element_id})
        return format_html("{}{}", widget.media, html)


def user_sees_everything(user: Any) -> bool:
    """Superusers and administrators see every area; everyone else sees `areas_for_user`."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_blisko_sees_everything", None)
    if cached is None:
        cached = user.groups.filter(name=ADMINISTRATOR).exists()
        user._blisko_sees_everything = cached
    return cached


# Which areas a user may see is the officers' knowledge (their assignments): blisko.officers
# registers it at start-up (`scope_register`), so this floor imports no domain app.
_areas_for_user: Callable[..., QuerySet] | None = None


def scope_register(areas_for_user: Callable[..., QuerySet]) -> None:
    """Make `areas_for_user(user=)` the rule of `scope_areas`; called from an AppConfig."""
    global _areas_for_user
    _areas_for_user = areas_for_user


def scope_areas(request: HttpRequest) -> QuerySet | None:
    """The areas the request's user may see, or None when they may see every area."""
    if user_sees_everything(request.user):
        return None
    cached = getattr(request, "_blisko_scope_areas", None)
    if cached is None:
        if _areas_for_user is None:
            raise ImproperlyConfigured("No app registered the admin's area scope.")
        cached = _areas_for_user(user=request.user)
        request._blisko_scope_areas = cached  # type: ignore[attr-defined]
    return cached


class ScopedAdminMixin:
    """Limit lists, object pages and foreign-key choices to the user's areas.

    Subclasses implement `scope_queryset(queryset, areas)`. An object outside the user's
    areas answers 403 (not the admin's "does not exist" redirect).
    """

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        areas = scope_areas(request)
        return queryset if areas is None else self.scope_queryset(queryset, areas)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None and scope_areas(request) is not None:
            model = self.model  # type: ignore[attr-defined]
            field = model._meta.get_field(from_field) if from_field else model._meta.pk
            try:
                exists = model._default_manager.filter(
                    **{field.name: field.to_python(object_id)}
                ).exists()
            except (ValueError, ValidationError):  # a malformed id: "does not exist"
                exists = False
            if exists:
                raise PermissionDenied
        return obj

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        if obj is None or scope_areas(request) is None:
            return form
        # A value already stored stays choosable, even when it lies outside the user's areas
        # (an officer of another unit assigned here): keeping it is not choosing it.
        for name, field in form.base_fields.items():
            current = getattr(obj, f"{name}_id", None)
            if isinstance(field, ModelChoiceField) and current is not None:
                model = field.queryset.model
                field.queryset = model._default_manager.filter(
                    Q(pk__in=field.queryset.values("pk")) | Q(pk=current)
                )
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        site = self.admin_site  # type: ignore[attr-defined]
        related = db_field.related_model
        if scope_areas(request) is not None and "queryset" not in kwargs:
            related_admin = site.get_model_admin(related) if site.is_registered(related) else None
            if isinstance(related_admin, ScopedAdminMixin):
                kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **kwargs
        )


class ReadOnlyAdminMixin:
    """A register to read: rows come from the services (imports, moves, audit), never from
    the admin's forms."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "entity", "entity_id", "action"]
    list_filter = ["entity", "action"]
    search_fields = ["entity_id", "note"]
    date_hierarchy = "at"
