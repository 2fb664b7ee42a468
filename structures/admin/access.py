"""API tokens and account scopes, managed by registry administrators in the admin (tokens are
versioned: deactivating one is never silently undone by another administrator's stale form)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from structures.admin.concurrency import VersionedAdminMixin, VersionedModelForm
from structures.models import AccountScope, ApiToken
from structures.permissions import account_scope_ids, is_registry_admin


class ApiTokenForm(VersionedModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "scope", "is_active", "expires_at"]

    def clean(self):
        data = super().clean()
        user, scope = data.get("user"), data.get("scope")
        if (
            user is not None
            and not scope
            and not is_registry_admin(user)
            and not account_scope_ids(user)
        ):
            self.add_error(
                "scope",
                _(
                    "Ce compte n'a pas de périmètre : un jeton sans périmètre vaudrait pour toute "
                    "la France, ce qui est réservé aux administrateurs du registre. Choisissez au "
                    "moins un territoire (ou donnez un périmètre au compte)."
                ),
            )
        return data


class RegistryAdminOnlyMixin:
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


class AccountScopeForm(VersionedModelForm):
    class Meta:
        model = AccountScope
        fields = ["user", "territories", "language"]


@admin.register(AccountScope)
class AccountScopeAdmin(VersionedAdminMixin, RegistryAdminOnlyMixin, admin.ModelAdmin):
    form = AccountScopeForm
    list_display = ["user", "territory_list", "language", "updated_at"]
    search_fields = ["user__username", "user__email", "territories__name", "territories__code"]
    list_filter = ["territories__level"]
    autocomplete_fields = ["user", "territories"]
    readonly_fields = ["updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("territories")

    @admin.display(description=_("territoires"))
    def territory_list(self, obj: AccountScope) -> str:
        return ", ".join(str(t) for t in obj.territories.all()) or _("aucun")


@admin.register(ApiToken)
class ApiTokenAdmin(VersionedAdminMixin, RegistryAdminOnlyMixin, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "prefix", "user", "is_active", "expires_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    autocomplete_fields = ["user", "scope"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

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
