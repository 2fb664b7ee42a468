"""Reference catalogues and staff memberships: registry administrators' pages.

Staff may read the catalogues (they pick services and sectors in their offers: the autocomplete
needs the view permission) but only registry administrators change them or decide who edits
which structure. Every change form here is versioned (``structures.admin.concurrency``).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from structures.admin.concurrency import VersionedAdminMixin
from structures.admin.forms import SectorForm, ServiceForm, StaffMembershipForm
from structures.models import Sector, Service, StaffMembership
from structures.permissions import is_registry_admin


class RegistryAdminOnlyChangesMixin:
    """Anyone with the view permission reads; only registry administrators write."""

    def has_add_permission(self, request, *args):
        return is_registry_admin(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_registry_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_registry_admin(request.user) and super().has_delete_permission(request, obj)


class RegistryAdminOnlyMixin(RegistryAdminOnlyChangesMixin):
    def has_view_permission(self, request, obj=None):
        return is_registry_admin(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return is_registry_admin(request.user) and super().has_module_permission(request)


@admin.register(Service)
class ServiceAdmin(VersionedAdminMixin, RegistryAdminOnlyChangesMixin, admin.ModelAdmin):
    form = ServiceForm
    list_display = ["name", "code", "name_en", "is_hard_core", "position"]
    list_editable = ["position"]
    list_filter = ["is_hard_core"]
    search_fields = ["name", "name_en", "code"]
    ordering = ["position", "code"]


@admin.register(Sector)
class SectorAdmin(VersionedAdminMixin, RegistryAdminOnlyChangesMixin, admin.ModelAdmin):
    form = SectorForm
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent", "naf_divisions"]
    ordering = ["kind", "code"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(VersionedAdminMixin, RegistryAdminOnlyMixin, admin.ModelAdmin):
    form = StaffMembershipForm
    fields = ["user", "structure", "role", "loaded_version"]
    list_display = ["user", "structure", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "structure"]
    search_fields = ["user__username", "user__email", "user__last_name", "structure__search_name"]
    search_help_text = _("Identifiant, courriel ou nom de l'utilisateur, nom de la structure.")
    autocomplete_fields = ["user", "structure"]
