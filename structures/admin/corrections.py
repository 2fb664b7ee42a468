"""Reports of errors from the public, in the admin: the registry administrators' list.

Read-only: a report is decided in the staff inbox (``/espace/signalements/``), where accepting it
goes through the write service (validation, history, version check) and the reporter is told.
Registry administrators may delete one (spam that got through); nobody adds or edits one here.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from structures.admin.reference import RegistryAdminOnlyMixin
from structures.models import CorrectionReport


@admin.register(CorrectionReport)
class CorrectionReportAdmin(RegistryAdminOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "structure", "field", "short_message", "status", "decided_at"]
    list_filter = ["status", "field", "created_at"]
    list_select_related = ["structure"]
    search_fields = ["structure__name", "structure__acronym", "message", "proposed_value"]
    search_help_text = _("Nom ou sigle de la structure, texte du signalement, valeur proposée.")
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = [
        "structure",
        "offer",
        "contact",
        "field",
        "message",
        "proposed_value",
        "reporter_email",
        "consent_given",
        "consent_version",
        "created_at",
        "status",
        "decision_reason",
        "applied_value",
        "decided_by",
        "decided_at",
        "reporter_notified_at",
        "decide_link",
    ]
    readonly_fields = fields

    @admin.display(description=_("signalement"))
    def short_message(self, obj: CorrectionReport) -> str:
        return obj.message if len(obj.message) <= 80 else obj.message[:79] + "…"

    @admin.display(description=_("traiter"))
    def decide_link(self, obj: CorrectionReport) -> str:
        try:
            url = reverse("staff-correction", args=[obj.pk])
        except NoReverseMatch:  # the site's URLs are not mounted (API-only deployment)
            return "—"
        return format_html('<a href="{}">{}</a>', url, _("Ouvrir dans la boîte des signalements"))

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
