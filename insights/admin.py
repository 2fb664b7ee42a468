"""Admin of territorial events and priorities: what coordinators record (docs/insights.md).

Thin: each page shows only the rows of the user's territories (``insights.access``), offers only
régions, départements and EPCI of that scope as territory, and saves and deletes through the
services (``insights.services``), which check the scope again, claim the loaded version (no lost
update: ``VersionedModelForm`` carries it) and keep the history.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from insights import services
from insights.access import writable_rows
from insights.enums import INSIGHT_LEVELS
from insights.models import TerritorialEvent, TerritorialPriority
from structures.admin.concurrency import VersionedAdminMixin, VersionedModelForm
from structures.admin.history import ScopedHistoryAdmin
from structures.permissions import caller_for
from territories.enums import TerritoryLevel
from territories.models import Territory


class TerritoryLevelFilter(admin.SimpleListFilter):
    title = _("niveau du territoire")
    parameter_name = "niveau"

    def lookups(self, request, model_admin):
        return [(level, TerritoryLevel(level).label) for level in INSIGHT_LEVELS]

    def queryset(self, request, queryset):
        if self.value() in INSIGHT_LEVELS:
            return queryset.filter(territory__level=self.value())
        return queryset


class _CoordinatorAdmin(VersionedAdminMixin, ScopedHistoryAdmin):
    """Scope, choices and writes shared by both models."""

    fields_written: frozenset[str] = frozenset()
    list_select_related = ["territory"]

    def get_queryset(self, request):
        return writable_rows(caller_for(request), super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "territory":
            kwargs["queryset"] = writable_rows(
                caller_for(request),
                Territory.objects.filter(level__in=INSIGHT_LEVELS).order_by("-rank", "code"),
                territory_path="pk",
            )
        elif db_field.name == "country":
            kwargs["queryset"] = Territory.objects.filter(level=TerritoryLevel.COUNTRY).order_by(
                "name"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _data(self, form) -> dict:
        return {k: v for k, v in form.cleaned_data.items() if k in self.fields_written}

    def save_model(self, request, obj, form, change):
        caller = caller_for(request)
        if change:
            saved = self.update(
                caller=caller,
                obj=obj,
                data=self._data(form),
                expected_version=form.cleaned_data.get("loaded_version"),
            )
        else:
            saved = self.create(caller=caller, data=self._data(form))
        # The admin reads the saved row back (its pk for the redirect and the journal).
        obj.pk, obj.version = saved.pk, saved.version

    def delete_model(self, request, obj):
        self.delete(
            caller=caller_for(request), obj=obj, expected_version=self.seen_version(request, obj)
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class TerritorialEventForm(VersionedModelForm):
    class Meta:
        model = TerritorialEvent
        fields = "__all__"


@admin.register(TerritorialEvent)
class TerritorialEventAdmin(_CoordinatorAdmin):
    form = TerritorialEventForm
    fields_written = services.EVENT_FIELDS
    list_display = ["title", "kind", "territory", "start_date", "end_date", "country"]
    list_filter = ["kind", TerritoryLevelFilter, "start_date"]
    search_fields = ["title", "description", "territory__name", "=territory__code"]
    date_hierarchy = "start_date"
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["territory", "kind", "title", "start_date", "end_date"]}),
        (_("Détails"), {"fields": ["description", "country", "sector"]}),
        (
            _("Suivi"),
            {"fields": ["created_by", "created_at", "updated_by", "updated_at", "loaded_version"]},
        ),
    ]

    def create(self, *, caller, data):
        return services.create_event(caller=caller, data=data)

    def update(self, *, caller, obj, data, expected_version):
        return services.update_event(
            caller=caller, event=obj, data=data, expected_version=expected_version
        )

    def delete(self, *, caller, obj, expected_version):
        services.delete_event(caller=caller, event=obj, expected_version=expected_version)


class TerritorialPriorityForm(VersionedModelForm):
    class Meta:
        model = TerritorialPriority
        fields = "__all__"


@admin.register(TerritorialPriority)
class TerritorialPriorityAdmin(_CoordinatorAdmin):
    form = TerritorialPriorityForm
    fields_written = services.PRIORITY_FIELDS
    list_display = ["__str__", "kind", "territory", "start_year", "end_year"]
    list_filter = ["kind", TerritoryLevelFilter]
    search_fields = [
        "label",
        "notes",
        "territory__name",
        "=territory__code",
        "country__name",
        "=country__code",
        "sector__name",
        "=sector__code",
    ]
    list_select_related = ["territory", "country", "sector"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["territory", "kind", "country", "sector", "label"]}),
        (_("Période et notes"), {"fields": ["start_year", "end_year", "notes"]}),
        (
            _("Suivi"),
            {"fields": ["created_by", "created_at", "updated_by", "updated_at", "loaded_version"]},
        ),
    ]

    def create(self, *, caller, data):
        return services.create_priority(caller=caller, data=data)

    def update(self, *, caller, obj, data, expected_version):
        return services.update_priority(
            caller=caller, priority=obj, data=data, expected_version=expected_version
        )

    def delete(self, *, caller, obj, expected_version):
        services.delete_priority(caller=caller, priority=obj, expected_version=expected_version)
