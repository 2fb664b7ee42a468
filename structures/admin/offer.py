"""Offers and contacts, each with its own page (reachable from the structure page).

Both are versioned (``structures.admin.concurrency``); an offer's coverage and markets are rows
of its page, covered by the offer's version (claimed on every save of the page).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_inlines import LabelledTabularInline
from core.text import normalize_name
from structures.admin.competence import PREVIEW_MEDIA, CompetencePreviewAdminMixin
from structures.admin.concurrency import VersionedAdminMixin
from structures.admin.filters import OfferRegionFilter
from structures.admin.forms import ContactForm, OfferAdminForm
from structures.admin.history import ScopedHistoryAdmin
from structures.admin.navigation import ReturnToOriginMixin
from structures.admin.scoping import StructureScopedMixin
from structures.fields import CONTACT_WRITABLE
from structures.models import Contact, Offer, OfferCoverage, OfferMarket
from structures.permissions import editable_structure_ids, is_registry_admin


class OfferCoverageInline(StructureScopedMixin, LabelledTabularInline):
    model = OfferCoverage
    structure_path = "offer__structure"
    extra = 0
    autocomplete_fields = ["territory"]
    verbose_name_plural = _(
        "territoires couverts par l'offre (laisser vide pour reprendre ceux de la structure)"
    )


class OfferMarketInline(StructureScopedMixin, LabelledTabularInline):
    model = OfferMarket
    structure_path = "offer__structure"
    extra = 0
    fields = ["country", "status"]
    autocomplete_fields = ["country"]
    verbose_name_plural = _(
        "marchés cibles (pays ; seul un marché « actif » vaut compétence pour ce pays)"
    )


class SingleStructureInitialMixin:
    """Pre-fill the structure when the user belongs to exactly one (the usual case)."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "structure" not in initial and not is_registry_admin(request.user):
            ids = editable_structure_ids(request.user)
            if len(ids) == 1:
                initial["structure"] = next(iter(ids))
        return initial


@admin.register(Offer)
class OfferAdmin(
    ReturnToOriginMixin,
    CompetencePreviewAdminMixin,
    SingleStructureInitialMixin,
    VersionedAdminMixin,
    StructureScopedMixin,
    ScopedHistoryAdmin,
):
    form = OfferAdminForm

    class Media:
        js = PREVIEW_MEDIA["js"]
        css = PREVIEW_MEDIA["css"]

    list_display = [
        "structure",
        "service",
        "contact",
        "delivery",
        "cost",
        "members_only",
        "is_active",
    ]
    list_display_links = ["structure", "service"]
    list_select_related = ["structure", "service", "contact"]
    list_filter = [
        "service",
        OfferRegionFilter,
        "is_active",
        "delivery",
        "cost",
        "members_only",
        "application_required",
        "intensity",
    ]
    search_fields = ["structure__search_name", "service__name", "contact__name"]
    search_help_text = _("Nom ou sigle de la structure, nom du service ou du contact.")
    autocomplete_fields = ["structure", "contact", "sectors", "naf_include", "naf_exclude"]
    inlines = [OfferCoverageInline, OfferMarketInline]
    list_per_page = 50
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["structure", "service", "contact", "description", "is_active"]}),
        (
            _("Modalités"),
            {"fields": [("delivery", "cost"), "members_only", "application_required", "intensity"]},
        ),
        (
            _("Secteurs et éligibilité (vide : ouverte à toutes les entreprises)"),
            {
                "fields": [
                    "sectors",
                    ("min_employees", "max_employees"),
                    "min_age_years",
                    "naf_include",
                    "naf_exclude",
                ]
            },
        ),
        (
            _("Suivi"),
            {"classes": ["collapse"], "fields": ["created_at", "updated_at", "loaded_version"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = ["created_at", "updated_at"]
        if obj is not None:
            # Moving an offer to another structure would carry its history and contact along.
            fields.append("structure")
        return fields

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(
            request, queryset, normalize_name(search_term) or search_term
        )


@admin.register(Contact)
class ContactAdmin(
    ReturnToOriginMixin,
    SingleStructureInitialMixin,
    VersionedAdminMixin,
    StructureScopedMixin,
    ScopedHistoryAdmin,
):
    form = ContactForm
    list_display = ["name", "role", "kind", "structure", "email", "phone", "is_public"]
    list_select_related = ["structure"]
    list_filter = ["kind", "is_public"]
    search_fields = ["name", "role", "email", "structure__search_name"]
    search_help_text = _("Nom, fonction ou courriel du contact, nom de la structure.")
    autocomplete_fields = ["structure"]
    list_per_page = 50
    fields = ["structure", *CONTACT_WRITABLE, "loaded_version"]

    def get_readonly_fields(self, request, obj=None):
        return ["structure"] if obj is not None else []
