"""Back office for the engagement app: meetings, residents' questions and presence days, read
only and scoped to the user's areas. They are written on the police pages (and the public
meeting page, for questions) through the audited services."""

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from blisko.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from blisko.core.periods import serving_on
from blisko.engagement.models import Meeting, PresenceDay, Question
from blisko.officers.models import Assignment


class QuestionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Question
    extra = 0
    fields = ["created_at", "text", "status", "answer", "merged_into", "reject_reason"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "area", "kind", "starts_at", "status", "attendance"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "area__code", "area__name_official", "address"]
    list_select_related = ["area"]
    date_hierarchy = "starts_at"
    exclude = ["location"]
    readonly_fields = ["uid", "sequence"]
    inlines = [QuestionInline]
    # Online links are https only (the services refuse any other).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(area__in=areas)


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "meeting", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["text", "meeting__title"]
    list_select_related = ["meeting"]
    date_hierarchy = "created_at"
    # The client key serves the daily limit only.
    exclude = ["client_hash"]

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        return queryset.filter(meeting__area__in=areas)


@admin.register(PresenceDay)
class PresenceDayAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["day", "officer", "hours_in", "hours_out", "reason_out"]
    list_filter = ["reason_out"]
    search_fields = ["officer__last_name", "officer__badge_number"]
    list_select_related = ["officer"]
    date_hierarchy = "day"

    def scope_queryset(self, queryset: QuerySet, areas: QuerySet) -> QuerySet:
        # The days of the officers serving the user's areas today.
        officers = Assignment.objects.filter(
            serving_on(timezone.localdate()), area__in=areas
        ).values("officer_id")
        return queryset.filter(officer_id__in=officers)
