"""The structure page: what a chamber's staff keep current, on one screen.

Contacts, coverage, offers (with a link to each offer's full page for markets, sectors and
eligibility), member counts and network links are inlines of the structure, so a routine update
is one form and one save. No lost update (``structures.admin.concurrency``): every save of the
page claims the structure's version, and contact, offer and staff rows their own. Provenance and
validation are the registry administrators' business: read-only for staff.

Staff create listings within their network and name network heads under the rules of
``structures.moderation`` (``check_parent``, ``record_creation``): the page only offers the
structures they may name and shows the form errors those rules raise.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_inlines import LabelledTabularInline
from core.text import normalize_name
from structures import moderation, services
from structures.admin.concurrency import VersionedAdminMixin
from structures.admin.duplicates import DuplicatesAdminMixin
from structures.admin.filters import (
    ModerationFilter,
    RegionFilter,
    ServiceFilter,
    StaleFilter,
)
from structures.admin.forms import (
    ContactForm,
    OfferInlineForm,
    OfferInlineFormSet,
    StaffMembershipForm,
    StructureAdminForm,
)
from structures.admin.history import ScopedHistoryAdmin
from structures.admin.navigation import ReturnToOriginMixin
from structures.admin.scoping import StructureScopedMixin
from structures.enums import CLUSTER_KINDS, Freshness
from structures.fields import STRUCTURE_REGISTRY_ONLY
from structures.freshness import freshness_of
from structures.models import (
    Contact,
    Offer,
    StaffMembership,
    Structure,
    StructureCoverage,
    StructureLink,
    StructureMemberCount,
)
from structures.permissions import is_registry_admin

ALWAYS_READONLY_FIELDS = (
    "verified_at",
    "verified_by",
    "coordinates_warning",
    "created_at",
    "updated_at",
)


class ContactInline(StructureScopedMixin, admin.StackedInline):
    # Stacked, two fields a line: eight columns of text inputs made the page 2,200 px wide.
    model = Contact
    form = ContactForm
    extra = 0
    fields = [
        ("name", "kind"),
        ("role", "email"),
        ("phone", "languages"),
        ("is_public", "position"),
        "loaded_version",
    ]
    verbose_name_plural = _("contacts (services ou personnes à appeler)")


class StructureCoverageInline(StructureScopedMixin, LabelledTabularInline):
    model = StructureCoverage
    extra = 0
    autocomplete_fields = ["territory"]
    verbose_name_plural = _(
        "territoires couverts (par défaut pour toutes les offres : commune, EPCI, département, "
        "région ou France)"
    )


class OfferInline(StructureScopedMixin, LabelledTabularInline):
    model = Offer
    form = OfferInlineForm
    formset = OfferInlineFormSet
    extra = 0
    fields = [
        "service",
        "contact",
        "delivery",
        "cost",
        "members_only",
        "application_required",
        "intensity",
        "is_active",
        "loaded_version",
    ]
    show_change_link = True
    verbose_name_plural = _(
        "offres de service (le lien « Modifier » ouvre la couverture, les marchés et les "
        "secteurs de l'offre)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("structure", "service", "contact")

    def get_fields(self, request, obj=None):
        # Only pôles and clusters state an intensity (Offer.clean): elsewhere the column would
        # be empty and push the form past a laptop's width.
        fields = super().get_fields(request, obj)
        if obj is None or obj.kind not in CLUSTER_KINDS:
            fields = [name for name in fields if name != "intensity"]
        return fields


class MemberCountInline(StructureScopedMixin, LabelledTabularInline):
    model = StructureMemberCount
    extra = 0
    fields = ["kind", "count", "as_of", "source"]


class OutgoingLinkInline(StructureScopedMixin, LabelledTabularInline):
    model = StructureLink
    fk_name = "from_structure"
    structure_path = "from_structure"
    extra = 0
    fields = ["to_structure", "kind", "status", "countries", "since"]
    autocomplete_fields = ["to_structure", "countries"]
    verbose_name_plural = _("liens avec d'autres structures (réseau, alliances, partenariats)")


class StaffMembershipInline(LabelledTabularInline):
    model = StaffMembership
    form = StaffMembershipForm
    extra = 0
    fields = ["user", "role", "created_at", "loaded_version"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    verbose_name_plural = _("équipe autorisée à modifier la fiche")


def _is_parent_autocomplete(request) -> bool:
    """Whether ``request`` is the admin's autocomplete of a structure's network head."""
    match = getattr(request, "resolver_match", None)
    return (
        match is not None
        and match.url_name == "autocomplete"
        and request.GET.get("app_label") == Structure._meta.app_label
        and request.GET.get("model_name") == Structure._meta.model_name
        and request.GET.get("field_name") == "parent"
    )


@admin.register(Structure)
class StructureAdmin(
    DuplicatesAdminMixin,
    ReturnToOriginMixin,
    VersionedAdminMixin,
    StructureScopedMixin,
    ScopedHistoryAdmin,
):
    structure_path = ""
    form = StructureAdminForm
    # Rows with a page or an endpoint of their own carry their own version; the other inlines
    # (coverage, member counts, links) are covered by the structure's, claimed on every save.
    versioned_inline_models = (Offer, Contact, StaffMembership)

    list_display = [
        "name",
        "acronym",
        "kind",
        "commune",
        "freshness",
        "offer_count",
        "is_active",
        "is_validated",
    ]
    list_display_links = ["name"]
    list_select_related = ["commune"]
    list_filter = [
        "kind",
        "label_tier",
        RegionFilter,
        ServiceFilter,
        StaleFilter,
        "is_active",
        "is_validated",
        ModerationFilter,
    ]
    search_fields = ["search_name", "commune__search_name", "=commune__code", "=postal_code"]
    search_help_text = _(
        "Nom ou sigle de la structure, nom ou code INSEE de la commune, code postal "
        "(accents et majuscules indifférents)."
    )
    autocomplete_fields = ["parent", "commune", "country"]
    list_per_page = 50
    actions = ["confirm_up_to_date", "publish", "unpublish"]
    # Staff type "www.cci.fr": the model adds https:// anyway (normalize_website).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    save_on_top = True

    fieldsets = [
        (
            _("Identité"),
            {
                "fields": [
                    ("name", "acronym"),
                    "kind",
                    "label_tier",
                    "parent",
                    "legal_form",
                    "description",
                ]
            },
        ),
        (
            _("Joindre la structure"),
            {"fields": ["phone", "email", "website", "opening_hours"]},
        ),
        (
            _("Adresse et localisation"),
            {
                "fields": [
                    "address_line",
                    ("postal_code", "commune"),
                    "country",
                    ("latitude", "longitude"),
                    "coordinate_precision",
                    "coordinates_warning",
                ]
            },
        ),
        (
            _("Fraîcheur et publication"),
            {
                "fields": [
                    "confirm_up_to_date",
                    ("verified_at", "verified_by"),
                    "is_active",
                    "is_validated",
                ]
            },
        ),
        (
            _("Provenance des données"),
            {
                "classes": ["collapse"],
                "fields": ["source", "source_url", "licence", "is_demo", "slug"],
            },
        ),
        (
            _("Suivi"),
            {"classes": ["collapse"], "fields": ["created_at", "updated_at", "loaded_version"]},
        ),
    ]

    # --- scope and permissions ---------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if getattr(request, "_structures_changelist", False):
            queryset = queryset.annotate(offer_count=Count("offers"))
        return queryset

    def changelist_view(self, request, extra_context=None):
        request._structures_changelist = True
        return super().changelist_view(request, extra_context)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.coordinates_flagged:
            # The check is shown only when there is something to check.
            fieldsets = [
                (
                    name,
                    {
                        **options,
                        "fields": [f for f in options["fields"] if f != "coordinates_warning"],
                    },
                )
                for name, options in fieldsets
            ]
        pending, rejected = self._moderation_state(obj)
        if pending is not None or rejected is not None:
            title = (
                _("Modification en attente de validation")
                if pending is not None
                else _("Dernière proposition refusée")
            )
            return [(title, {"fields": ["pending_change"]}), *fieldsets]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = [*ALWAYS_READONLY_FIELDS, "pending_change"]
        if not is_registry_admin(request.user):
            fields += STRUCTURE_REGISTRY_ONLY
        return fields

    def get_inlines(self, request, obj):
        inlines = [
            ContactInline,
            StructureCoverageInline,
            OfferInline,
            MemberCountInline,
            OutgoingLinkInline,
        ]
        if is_registry_admin(request.user):
            inlines.append(StaffMembershipInline)
        return inlines

    def has_add_permission(self, request):
        # Staff hold ``add_structure`` through their group; they create within their network.
        return super().has_add_permission(request) and moderation.may_create_structures(
            request.user
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.editor = request.user  # a class built for this request (modelform_factory)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = moderation.parent_choices(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_validate_permission(self, request) -> bool:
        return is_registry_admin(request.user) and self.has_change_permission(request)

    def get_search_results(self, request, queryset, search_term):
        if _is_parent_autocomplete(request):
            # The network head's choices are wider than the listings one edits.
            queryset = moderation.parent_choices(request.user)
        # search_name is stored accent-free: normalise the term the same way ("cci herault").
        return super().get_search_results(
            request, queryset, normalize_name(search_term) or search_term
        )

    # --- saving ------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("confirm_up_to_date"):
            obj.verified_at = timezone.now()
            obj.verified_by = request.user
            obj._change_reason = _("Modification et confirmation : fiche à jour")
        if change:
            self._withhold_sensitive_changes(request, obj, form)
        super().save_model(request, obj, form, change)
        if not change and moderation.record_creation(structure=obj, user=request.user):
            self.message_user(
                request,
                _(
                    "La fiche « %(s)s » sera publiée après validation par un administrateur du "
                    "registre ; vous pouvez la compléter d'ici là."
                )
                % {"s": obj},
                messages.WARNING,
            )

    # --- moderation (structures.moderation): a published listing's sensitive fields -----------

    def _withhold_sensitive_changes(self, request, obj, form) -> None:
        """Keep the published values of the sensitive fields a non-administrator changed; they
        become the listing's pending change once the page's rows are saved (``save_related``)."""
        published = Structure.objects.get(pk=obj.pk)
        if not moderation.is_moderated(published, request.user):
            return
        changed = {
            name: form.cleaned_data[name]
            for name in moderation.SENSITIVE_FIELDS
            if name in form.changed_data and name in form.cleaned_data
        }
        split = moderation.split_sensitive(structure=published, fields=changed)
        for name in split.sensitive:
            setattr(obj, name, getattr(published, name))
        request._structure_moderation = {
            "published": published,
            "fields": split.sensitive,
            "coverage": [],
        }

    def save_formset(self, request, form, formset, change):
        state = getattr(request, "_structure_moderation", None)
        if state is None or formset.model is not StructureCoverage:
            super().save_formset(request, form, formset, change)
            return
        # Coverage rows widening the listing to a région or a country wait for validation;
        # removals and finer additions are saved as usual.
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        split = moderation.split_sensitive(
            structure=state["published"], fields={}, coverage=[row.territory for row in rows]
        )
        withheld = {territory.pk for territory in split.coverage_withheld}
        for row in rows:
            if row.territory_id not in withheld:
                row.save()
        state["coverage"] = split.coverage_withheld

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        state = getattr(request, "_structure_moderation", None)
        if state is None:
            return
        pending = moderation.propose_changes(
            structure=form.instance,
            fields=state["fields"],
            coverage_added=state["coverage"],
            user=request.user,
        )
        if pending is not None:
            waiting = [*state["fields"]]
            if state["coverage"]:
                waiting.append(moderation.COVERAGE)
            self.message_user(request, moderation.waiting_message(waiting), messages.WARNING)

    @staticmethod
    def _moderation_state(obj):
        """(pending change, last rejected change) of ``obj``, read once per request."""
        if obj is None or obj.pk is None:
            return None, None
        state = getattr(obj, "_moderation_state", None)
        if state is None:
            pending = moderation.pending_change_for(obj)
            rejected = moderation.last_rejection_for(obj) if pending is None else None
            state = obj._moderation_state = (pending, rejected)
        return state

    @admin.display(description=_("proposition"))
    def pending_change(self, obj: Structure):
        pending, rejected = self._moderation_state(obj)
        if rejected is not None:
            return format_html(
                "<p>{}</p><p>{}</p>",
                _("Proposition %(fields)s refusée le %(when)s ; motif :")
                % {
                    "fields": f"({moderation.field_labels(moderation.changed_field_names(rejected))})",
                    "when": date_format(localtime(rejected.decided_at), "j F Y"),
                },
                rejected.reason,
            )
        if pending is None:
            return "—"
        author = pending.author
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _(
                "Proposée par %(who)s le %(when)s ; la fiche publiée reste inchangée jusqu'à "
                "la validation par un administrateur du registre."
            )
            % {
                "who": (author.get_full_name() or author.get_username()) if author else "—",
                "when": date_format(localtime(pending.updated_at), "j F Y à H:i"),
            },
            format_html_join(
                "",
                "<li>{} : {} → <strong>{}</strong></li>",
                ((row.label, row.published, row.proposed) for row in moderation.diff_rows(pending)),
            ),
        )

    # --- change list columns -----------------------------------------------------------------

    @admin.display(description=_("vérifiée le"), ordering="verified_at")
    def freshness(self, obj: Structure):
        # Flagged by the freshness rule (structures.freshness): a listing never confirmed counts
        # from its creation, as in the "fraîcheur" filter and "Mes fiches".
        if obj.verified_at is None:
            label = _("jamais vérifiée")
        else:
            label = obj.verified_at.date().strftime("%d/%m/%Y")
        if freshness_of(obj) != Freshness.FRESH:
            return format_html('<span class="registry-stale">{} ⚠</span>', label)
        return label

    @admin.display(description=_("coordonnées à vérifier"))
    def coordinates_warning(self, obj: Structure):
        if obj is None or not obj.coordinates_flagged:
            return ""
        return format_html(
            '<span class="registry-stale">⚠ {}</span>',
            _(
                "Le point tombe loin du département de la commune. Vérifiez la latitude et la "
                "longitude (inversées ?) ou la commune, puis enregistrez."
            ),
        )

    @admin.display(description=_("offres"), ordering="offer_count")
    def offer_count(self, obj: Structure):
        return getattr(obj, "offer_count", None)

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description=_("Confirmer que la fiche est à jour"), permissions=["change"])
    def confirm_up_to_date(self, request, queryset):
        count = 0
        for structure in queryset:
            services.confirm_up_to_date(structure=structure, user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d fiche confirmée à jour.",
                "%(count)d fiches confirmées à jour.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Valider (publier) les fiches"), permissions=["validate"])
    def publish(self, request, queryset):
        self._set_validation(request, queryset, True)

    @admin.action(description=_("Retirer la validation (dépublier)"), permissions=["validate"])
    def unpublish(self, request, queryset):
        self._set_validation(request, queryset, False)

    def _set_validation(self, request, queryset, is_validated: bool) -> None:
        count = 0
        for structure in queryset.exclude(is_validated=is_validated):
            services.set_structure_validation(
                structure=structure, is_validated=is_validated, user=request.user
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d fiche mise à jour.", "%(count)d fiches mises à jour.", count)
            % {"count": count},
            messages.SUCCESS,
        )
