"""API tokens, managed by registry administrators in the admin (versioned: deactivating a token
is never silently undone by another administrator's stale form)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from structures.admin.concurrency import VersionedAdminMixin, VersionedModelForm
from structures.models import ApiToken
from structures.permissions import is_registry_admin


class ApiTokenForm(VersionedModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "scope", "is_active", "expires_at"]

    def clean(self):
        data = super().clean()
        user, scope = data.get("user"), data.get("scope")
        if user is not None and not scope and not is_registry_admin(user):
            self.add_error(
                "scope",
                _(
                    "Un jeton sans périmètre vaut pour toute la France : réservé aux "
                    "administrateurs du registre. Choisissez au moins un territoire."
                ),
            )
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "prefix", "user", "is_active", "expires_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    autocomplete_fields = ["user", "scope"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_module_permission(self, request):
        return is_registry_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_registry_admin(request.user)

    def has_add_permission(self, request):
        return is_registry_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_registry_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_registry_admin(request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            key = ApiToken.new_key()
            obj.set_key(key)
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                _(
                    "Clé du jeton « %(name)s » : %(key)s — copiez-la maintenant, elle ne sera "
                    "plus jamais affichée."
                )
                % {"name": obj.name, "key": key},
            )
            return
        super().save_model(request, obj, form, change)
