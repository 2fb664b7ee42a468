"""The validation queue of registry administrators: changes of published listings waiting for a
decision (``PendingChange``). New listings waiting for publication are the structures' "à
valider" filter (``structures.admin.filters.ModerationFilter``).

Thin: every decision goes through ``structures.moderation`` (approve, reject with a reason).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.text import normalize_name
from structures import moderation
from structures.admin.filters import RegionFilter
from structures.enums import PendingChangeStatus
from structures.exceptions import PendingChangeConflict
from structures.models import PendingChange
from structures.permissions import is_registry_admin

APPROVE, REJECT = "approve", "reject"


class PendingChangeRegionFilter(RegionFilter):
    commune_path = "structure__commune_id"


class PendingStatusFilter(admin.SimpleListFilter):
    """The queue opens on what waits for a decision; decided changes stay one click away."""

    title = _("statut")
    parameter_name = "statut"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*PendingChangeStatus.choices, (self.ALL, _("Toutes"))]

    def current(self) -> str:
        return self.value() or PendingChangeStatus.PENDING

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.current() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.current() == self.ALL:
            return queryset
        if self.current() not in PendingChangeStatus.values:
            return queryset.none()
        return queryset.filter(status=self.current())


class PendingChangeDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[(APPROVE, _("Valider : appliquer à la fiche publiée")), (REJECT, _("Refuser"))],
        widget=forms.RadioSelect,
        help_text=_("Le motif est obligatoire pour un refus ; il est montré à l'auteur."),
    )

    class Meta:
        model = PendingChange
        fields = ["reason"]

    def clean(self):
        cleaned_data = super().clean()
        decision = cleaned_data.get("decision")
        if decision == REJECT and not (cleaned_data.get("reason") or "").strip():
            self.add_error("reason", _("Indiquez le motif du refus."))
        if decision == APPROVE:
            try:
                moderation.check_approvable(self.instance)
            except PendingChangeConflict as conflict:
                raise ValidationError(conflict.message, code="conflict") from None
        return cleaned_data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("motif du refus"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Montré aux auteurs des propositions refusées."),
    )


@admin.register(PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    form = PendingChangeDecisionForm
    list_display = [
        "structure_link",
        "changed_fields",
        "author",
        "updated_at",
        "status",
        "reviewer",
        "decided_at",
    ]
    list_select_related = ["structure", "author", "reviewer"]
    list_filter = [PendingStatusFilter, "structure__kind", PendingChangeRegionFilter]
    search_fields = [
        "structure__search_name",
        "author__username",
        "author__last_name",
        "reason",
    ]
    search_help_text = _(
        "Nom de la structure, identifiant ou nom de l'auteur, motif (accents et majuscules "
        "indifférents)."
    )
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected"]
    fields = [
        "structure_link",
        "diff",
        "author",
        "updated_at",
        "base_version",
        "status",
        "reviewer",
        "decided_at",
        "decision",
        "reason",
    ]
    readonly_fields = [
        "structure_link",
        "diff",
        "author",
        "updated_at",
        "base_version",
        "status",
        "reviewer",
        "decided_at",
    ]

    # --- permissions: registry administrators only; a decided change is read-only ------------

    def has_module_permission(self, request):
        return is_registry_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_registry_admin(request.user)

    def has_change_permission(self, request, obj=None):
        if not is_registry_admin(request.user):
            return False
        return obj is None or obj.status == PendingChangeStatus.PENDING

    def has_add_permission(self, request):
        return False  # proposals come from the edits of the listings themselves

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who proposed what, and of the decision, is kept

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return [name for name in self.fields if name != "decision"]
        return self.fields

    def get_search_results(self, request, queryset, search_term):
        # search_name is stored accent-free: normalise the term the same way ("cci herault").
        return super().get_search_results(
            request, queryset, normalize_name(search_term) or search_term
        )

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("structure"), ordering="structure__name")
    def structure_link(self, obj: PendingChange):
        url = reverse("admin:structures_structure_change", args=[obj.structure_id])
        return format_html('<a href="{}">{}</a>', url, obj.structure)

    @admin.display(description=_("champs modifiés"))
    def changed_fields(self, obj: PendingChange):
        return moderation.field_labels(moderation.changed_field_names(obj))

    @admin.display(description=_("version publiée et proposition"))
    def diff(self, obj: PendingChange):
        rows = moderation.diff_rows(obj)
        if not rows:
            return _("(rien à appliquer)")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("champ"),
            _("version publiée"),
            _("proposition"),
            format_html_join(
                "",
                "<tr><th>{}</th><td>{}</td><td><strong>{}</strong></td></tr>",
                ((row.label, row.published, row.proposed) for row in rows),
            ),
        )

    # --- decisions -----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if form.cleaned_data["decision"] == APPROVE:
            moderation.approve_pending_change(pending=obj, user=request.user)
            self.message_user(
                request,
                _("Modification de « %(s)s » validée : la fiche publiée est à jour.")
                % {"s": obj.structure},
                messages.SUCCESS,
            )
        else:
            moderation.reject_pending_change(
                pending=obj, user=request.user, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request,
                _("Modification de « %(s)s » refusée : la fiche publiée reste inchangée.")
                % {"s": obj.structure},
                messages.SUCCESS,
            )

    def save_related(self, request, form, formsets, change):
        pass  # the services wrote everything

    def response_change(self, request, obj):
        return HttpResponseRedirect(reverse("admin:structures_pendingchange_changelist"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One decision per change: no "save and continue editing".
        extra_context = {**(extra_context or {}), "show_save_and_continue": False}
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (PendingChangeConflict, ValidationError) as error:
            # Lost a race after the form's checks (someone changed the listing, or decided
            # first): the transaction was rolled back; say why and show the queue again.
            message = getattr(error, "message", None) or "; ".join(error.messages)
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Valider les modifications sélectionnées"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done = 0
        for pending in queryset.filter(status=PendingChangeStatus.PENDING):
            try:
                moderation.approve_pending_change(pending=pending, user=request.user)
            except PendingChangeConflict as conflict:
                self.message_user(
                    request, f"{pending.structure} : {conflict.message}", messages.ERROR
                )
                continue
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d modification validée.", "%(count)d modifications validées.", done)
            % {"count": done},
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description=_("Refuser les modifications sélectionnées…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        queryset = queryset.filter(status=PendingChangeStatus.PENDING)
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for pending in queryset:
                moderation.reject_pending_change(
                    pending=pending, user=request.user, reason=form.cleaned_data["reason"]
                )
                done += 1
            self.message_user(
                request,
                ngettext(
                    "%(count)d modification refusée.", "%(count)d modifications refusées.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refuser des modifications"),
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset.select_related("structure"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/structures/pendingchange/reject_selected.html", context
        )
