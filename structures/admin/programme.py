"""Programmes and their local doors: reference data of registry administrators only.

Staff of a structure neither see nor change them (``RegistryAdminOnlyMixin``), even the doors at
their own structure: a door commits the registry to sending SMEs there. The doors are edited
inside their programme's page and have no version of their own: every save of the page claims
the programme's version (docs/architecture.md, "Inline rows").
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from structures.admin.concurrency import VersionedAdminMixin
from structures.admin.forms import ProgrammeForm
from structures.admin.reference import RegistryAdminOnlyMixin
from structures.models import Programme, ProgrammeEntryPoint


class ProgrammeEntryPointInline(admin.TabularInline):
    model = ProgrammeEntryPoint
    extra = 0
    fields = ["territory", "structure", "contact", "note"]
    autocomplete_fields = ["territory", "structure", "contact"]
    verbose_name = _("porte d'entrée locale")
    verbose_name_plural = _(
        "portes d'entrée locales (pour un lieu, la porte du territoire le plus fin l'emporte)"
    )


@admin.register(Programme)
class ProgrammeAdmin(VersionedAdminMixin, RegistryAdminOnlyMixin, admin.ModelAdmin):
    form = ProgrammeForm
    inlines = [ProgrammeEntryPointInline]
    list_display = [
        "name",
        "level",
        "operator_label",
        "area",
        "starts_on",
        "ends_on",
        "is_active",
        "doors",
    ]
    list_filter = ["level", "is_active", "services", "is_demo"]
    list_select_related = ["operator", "area"]
    search_fields = ["name", "operator_name", "operator__search_name", "eligibility"]
    search_help_text = _("Nom du dispositif, de son opérateur, ou mots de ses conditions.")
    autocomplete_fields = ["operator", "area"]
    filter_horizontal = ["services"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "level", "area", "summary", "loaded_version"]}),
        (_("Opérateur"), {"fields": ["operator", "operator_name", "official_url"]}),
        (
            _("Services et éligibilité"),
            {"fields": ["services", "eligibility", "min_employees", "max_employees"]},
        ),
        (_("Validité"), {"fields": ["starts_on", "ends_on", "is_active", "is_demo"]}),
        (_("Suivi"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(door_total=Count("entry_points"))

    @admin.display(description=_("opérateur"))
    def operator_label(self, obj) -> str:
        return obj.operator_label

    @admin.display(description=_("portes"), ordering="door_total")
    def doors(self, obj) -> int:
        return obj.door_total
