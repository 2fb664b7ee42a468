"""Unmet searches and freshness reminders in the admin: read-only, for registry administrators.

The rows are counters written by the relay lookups (``structures.unmet_searches``) and deleted by
``purge_unmet_searches``; nobody adds, edits or deletes them by hand, so that the figures shown
beside the gaps are the lookups' own.
"""

from __future__ import annotations

from django.contrib import admin

from structures.admin.reference import RegistryAdminOnlyMixin
from structures.models import FreshnessReminder, UnmetSearch


@admin.register(UnmetSearch)
class UnmetSearchAdmin(RegistryAdminOnlyMixin, admin.ModelAdmin):
    list_display = ["month", "commune", "service", "country", "count"]
    list_filter = ["service", "month"]
    list_select_related = ["commune", "service", "country"]
    search_fields = ["commune__name", "commune__code"]
    date_hierarchy = "month"
    ordering = ["-month", "commune__code", "service__position", "pk"]
    fields = ["month", "commune", "service", "country", "count"]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FreshnessReminder)
class FreshnessReminderAdmin(RegistryAdminOnlyMixin, admin.ModelAdmin):
    """The reminders sent (``send_freshness_reminders``): read-only, for registry
    administrators answering "did they get a reminder?"."""

    list_display = ["structure", "user", "sent_at", "structure_version"]
    list_select_related = ["structure", "user"]
    search_fields = ["structure__name", "user__username", "user__email"]
    date_hierarchy = "sent_at"
    ordering = ["-sent_at", "pk"]
    fields = ["structure", "user", "sent_at", "structure_version"]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
