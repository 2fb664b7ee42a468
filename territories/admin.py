from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_inlines import LabelledTabularInline
from core.text import normalize_name
from territories.models import CommuneAlias, PostalCode, Territory


class PostalCodeInline(LabelledTabularInline):
    model = PostalCode
    extra = 0
    fields = ["code"]


class AliasInline(LabelledTabularInline):
    model = CommuneAlias
    extra = 0
    fields = ["code", "name", "reason"]
    verbose_name_plural = _("anciens codes qui mènent à cette commune")


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "level",
        "code",
        "parent",
        "population",
        "coordinate_precision",
        "is_current",
    ]
    list_filter = ["level", "zone", "is_current", "coordinate_precision"]
    search_fields = ["code", "search_name"]
    search_help_text = _("Nom (accents et majuscules indifférents) ou code officiel.")
    list_select_related = ["parent"]
    ordering = ["rank", "code"]
    readonly_fields = ["level", "code", "search_name", "rank", "updated_at"]
    raw_id_fields = ["parent"]
    list_per_page = 50
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # search_name is stored accent-free: normalise the term the same way so "évry" finds it.
        return super().get_search_results(
            request, queryset, normalize_name(search_term) or search_term
        )

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_place:
            return [PostalCodeInline, AliasInline]
        return []


@admin.register(CommuneAlias)
class CommuneAliasAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "commune", "reason"]
    list_filter = ["reason"]
    search_fields = ["code", "name", "commune__search_name"]
    autocomplete_fields = ["commune"]
    list_select_related = ["commune"]
