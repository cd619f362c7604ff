"""Unlocking sign-in from the back office: axes' failed attempts, with an "unlock" action
that goes through `signin_unlock` (audited) instead of a plain delete."""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from blisko.accounts.services import signin_unlock

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = ["unlock"]

    def has_delete_permission(self, request, obj=None):
        return False  # every unlock goes through the action, which writes an audit event

    def has_change_permission(self, request, obj=None):
        return False

    def has_unlock_permission(self, request):
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(description=_("Unlock: forget these failed sign-ins"), permissions=["unlock"])
    def unlock(self, request, queryset):
        count = signin_unlock(actor=request.user, attempts=queryset)
        text = ngettext(
            "%(count)d failed sign-in record forgotten; sign-in is open again.",
            "%(count)d failed sign-in records forgotten; sign-in is open again.",
            count,
        )
        self.message_user(request, text % {"count": count}, messages.SUCCESS)
