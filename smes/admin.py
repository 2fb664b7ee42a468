"""Admin of SMEs. SME records are private: only users holding the ``smes`` model permissions
(or superusers) see this section; Django's default permissions do the gating.

A firm larger than an SME (250 employees or 50 M€) is recorded anyway: the admin shows a
warning message after saving and on the form, never a refusal.

No lost update: the page carries the version it loaded (``structures.admin.concurrency``); every
save claims the SME's version, memberships rows included (they have no page of their own).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_inlines import LabelledTabularInline
from smes.access import within_scope
from smes.models import SME, SMEMembership
from smes.services import UNSET, sector_for_naf
from smes.services.sme import locate_sme
from structures.admin.concurrency import VersionedAdminMixin, VersionedModelForm
from structures.permissions import caller_for
from territories.enums import TerritoryLevel
from territories.models import Territory


class DepartementFilter(admin.SimpleListFilter):
    title = _("département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        # Only the départements of the SMEs this user may see (the account's scope): listing the
        # others would tell where SMEs are registered outside it.
        visible = model_admin.get_queryset(request)
        departements = (
            Territory.objects.filter(
                level=TerritoryLevel.DEPARTEMENT,
                descendant_links__descendant__smes__in=visible,
            )
            .distinct()
            .order_by("code")
        )
        return [(d.code, f"{d.code} — {d.name}") for d in departements]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        departement = Territory.objects.filter(
            level=TerritoryLevel.DEPARTEMENT, code=self.value()
        ).first()
        return queryset.in_territory(departement) if departement else queryset.none()


class SMEMembershipInline(LabelledTabularInline):
    model = SMEMembership
    extra = 0
    fields = ["structure", "role", "since"]
    autocomplete_fields = ["structure"]
    verbose_name = _("adhésion à une structure")
    verbose_name_plural = _("adhésions (club, pôle, groupement export…)")


class SMEAdminForm(VersionedModelForm):
    class Meta:
        model = SME
        fields = "__all__"


@admin.register(SME)
class SMEAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = SMEAdminForm
    list_display = [
        "name",
        "siret",
        "commune",
        "naf_code",
        "export_stage",
        "is_innovative",
        "size_flag",
    ]
    list_filter = ["export_stage", "is_innovative", DepartementFilter, "is_demo"]
    list_select_related = ["commune"]
    search_fields = ["name", "=siren", "=siret"]
    autocomplete_fields = ["commune", "target_markets", "needs"]
    readonly_fields = [
        "siren",
        "sector",
        "location_precision",
        "size_warnings_display",
        "created_at",
        "updated_at",
    ]
    inlines = [SMEMembershipInline]
    fieldsets = [
        (
            _("Identification"),
            {
                "fields": [
                    "siret",
                    "siren",
                    "name",
                    "legal_form",
                    "naf_code",
                    "sector",
                    "created_on",
                ]
            },
        ),
        (
            _("Taille"),
            {"fields": ["employees", "employee_range", "turnover_eur", "size_warnings_display"]},
        ),
        (
            _("Localisation"),
            {
                "fields": [
                    "address_line",
                    "postal_code",
                    "commune",
                    "latitude",
                    "longitude",
                    "location_precision",
                ]
            },
        ),
        (
            _("International"),
            {
                "fields": [
                    "export_stage",
                    "export_share",
                    "target_markets",
                    "needs",
                    "is_innovative",
                    "partner_search_consent",
                    "partner_search_consent_at",
                ]
            },
        ),
        (
            _("Provenance"),
            {"fields": ["source", "is_demo", "created_at", "updated_at", "loaded_version"]},
        ),
    ]

    def get_queryset(self, request):
        # The account's territorial scope, as in the API (smes.access).
        return within_scope(caller_for(request), super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commune":
            kwargs["queryset"] = within_scope(
                caller_for(request), Territory.objects.all(), commune_path="pk"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # "732 829 320 00074" is searched as typed on a Kbis: strip the spaces for identifiers.
        compact = search_term.replace(" ", "")
        if compact.isdigit() and len(compact) in (9, 14):
            field = "siren" if len(compact) == 9 else "siret"
            return queryset.filter(**{field: compact}), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("au-delà d'une PME"), boolean=True)
    def size_flag(self, obj: SME) -> bool:
        return obj.is_larger_than_sme

    @admin.display(description=_("seuils PME"))
    def size_warnings_display(self, obj: SME) -> str:
        warnings = obj.size_warnings() if obj.pk else []
        return " ".join(warnings) if warnings else _("Dans les seuils d'une PME.")

    def save_model(self, request, obj: SME, form, change: bool) -> None:
        obj.sector = sector_for_naf(obj.naf_code) if obj.naf_code else None
        coordinates_edited = {"latitude", "longitude"} & set(form.changed_data)
        locate_sme(
            obj,
            latitude=obj.latitude if coordinates_edited else UNSET,
            longitude=obj.longitude if coordinates_edited else UNSET,
            commune_changed="commune" in form.changed_data,
        )
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        for warning in obj.size_warnings():
            self.message_user(request, warning, level=messages.WARNING)
