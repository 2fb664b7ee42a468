"""Duplicates in the admin: the check on the add form, the report, the merge page.

``DuplicatesAdminMixin`` goes on ``StructureAdmin``:

- the add form lists the possible duplicates of the listing being created (links to them) and
  refuses to save while they are there, unless "Ce n'est pas un doublon" is ticked;
- ``doublons/`` (registry administrators): every pair of possible duplicates, paginated, with a
  link to merge each;
- ``<id>/fusionner/`` (registry administrators): choose the listing to keep, read what will move
  and what will be dropped, confirm (``structures.merging``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from structures.duplicates import Probe, duplicate_candidates, duplicate_pairs, radius_km
from structures.exceptions import StaleVersionError
from structures.merging import merge_plan, merge_structures
from structures.models import Structure
from structures.permissions import is_registry_admin

PAIRS_PER_PAGE = 50


def _change_url(structure: Structure) -> str:
    return reverse("admin:structures_structure_change", args=[structure.pk])


def candidates_html(candidates) -> str:
    """The candidates as a list of links with their reasons (for a help text or a page)."""
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            '<li><a href="{}" target="_blank" rel="noopener">{}</a> — {} ({})</li>',
            (
                (
                    _change_url(c.structure),
                    c.structure,
                    c.structure.commune or "—",
                    ", ".join(c.reasons),
                )
                for c in candidates
            ),
        ),
    )


def duplicate_check_form(base: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """``base`` with the duplicate check of a listing being created."""

    class DuplicateCheckForm(base):
        not_a_duplicate = forms.BooleanField(
            label=_("Ce n'est pas un doublon"),
            required=False,
            help_text=_(
                "Les fiches qui pourraient être la même structure (nom très proche à moins de "
                "%(km)s km, même téléphone ou même courriel) s'affichent ici à l'enregistrement : "
                "cochez seulement si aucune ne l'est."
            )
            % {"km": int(radius_km()) if radius_km().is_integer() else radius_km()},
        )

        def clean(self):
            cleaned_data = super().clean()
            candidates = duplicate_candidates(Probe.from_values(cleaned_data))
            self.duplicate_candidates = candidates
            if candidates:
                listing = format_html(
                    "{}{}",
                    _("Fiches existantes qui pourraient être la même structure :"),
                    candidates_html(candidates),
                )
                # The bound field copied the help text when validation built it.
                self.fields["not_a_duplicate"].help_text = listing
                self["not_a_duplicate"].help_text = listing
                if not cleaned_data.get("not_a_duplicate"):
                    self.add_error(
                        "not_a_duplicate",
                        ValidationError(
                            _(
                                "%(count)s fiche(s) existante(s) pourraient être la même "
                                "structure : vérifiez-les (liens ci-dessous), puis cochez « Ce "
                                "n'est pas un doublon » pour enregistrer quand même."
                            ),
                            code="possible_duplicate",
                            params={"count": len(candidates)},
                        ),
                    )
            return cleaned_data

    DuplicateCheckForm.__name__ = f"DuplicateCheck{base.__name__}"
    return DuplicateCheckForm


class MergeForm(forms.Form):
    """The listing to keep (by number), and the versions both listings had when read."""

    target = forms.ModelChoiceField(
        label=_("Fiche à conserver (n°)"),
        queryset=Structure.objects.filter(merged_into__isnull=True),
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("Numéro de la fiche qui reste ; celle-ci y est fusionnée puis désactivée."),
        error_messages={"invalid_choice": _("Aucune fiche active ne porte ce numéro.")},
    )
    source_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    target_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, source: Structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target.pk == self.source.pk:
            raise ValidationError(_("Choisissez une autre fiche que celle à fusionner."))
        return target


class DuplicatesAdminMixin:
    """Duplicate check on creation, the report and the merge page (see the module docstring)."""

    duplicates_report_template = "admin/structures/structure/duplicates.html"
    merge_template = "admin/structures/structure/merge.html"

    # --- the add form ------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            fields = kwargs.get("fields")
            if fields is not None:
                kwargs["fields"] = [name for name in fields if name != "not_a_duplicate"]
            return duplicate_check_form(super().get_form(request, obj, change=change, **kwargs))
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            # First: after a refused save, the candidates are what the page is about.
            fieldsets.insert(0, (_("Doublons possibles"), {"fields": ["not_a_duplicate"]}))
        return fieldsets

    # --- the change list ---------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if is_registry_admin(request.user):
            actions["merge_selected"] = (
                DuplicatesAdminMixin.merge_selected,
                "merge_selected",
                _("Fusionner les deux fiches sélectionnées…"),
            )
        return actions

    def merge_selected(self, request, queryset):
        """Two listings ticked: open the merge page of the newer into the older."""
        selected = list(queryset.order_by("pk")[:3])
        if len(selected) != 2:
            self.message_user(
                request,
                _("Sélectionnez exactement deux fiches à fusionner."),
                messages.ERROR,
            )
            return None
        older, newer = selected
        url = reverse("admin:structures_structure_merge", args=[newer.pk])
        return HttpResponseRedirect(f"{url}?target={older.pk}")

    def changelist_view(self, request, extra_context=None):
        if is_registry_admin(request.user):
            extra_context = {
                **(extra_context or {}),
                "duplicates_url": reverse("admin:structures_structure_duplicates"),
            }
        return super().changelist_view(request, extra_context)

    # --- pages -------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "doublons/",
                view(self.duplicates_view),
                name="structures_structure_duplicates",
            ),
            path(
                "<path:object_id>/fusionner/",
                view(self.merge_view),
                name="structures_structure_merge",
            ),
            *super().get_urls(),
        ]

    def _require_registry_admin(self, request) -> None:
        if not is_registry_admin(request.user):
            raise PermissionDenied(_("Réservé aux administrateurs du registre."))

    def duplicates_view(self, request):
        """Every pair of possible duplicates in the registry, paginated."""
        self._require_registry_admin(request)
        page = Paginator(duplicate_pairs(), PAIRS_PER_PAGE).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Doublons possibles"),
            "page": page,
            "radius_km": radius_km(),
        }
        return TemplateResponse(request, self.duplicates_report_template, context)

    def merge_view(self, request, object_id):
        """Merge the listing ``object_id`` into another: choose, read the plan, confirm."""
        self._require_registry_admin(request)
        source = get_object_or_404(Structure, pk=object_id if str(object_id).isdigit() else None)
        if source.merged_into_id is not None:
            messages.warning(
                request,
                _("Cette fiche a déjà été fusionnée dans « %(target)s ».")
                % {"target": source.merged_into},
            )
            return HttpResponseRedirect(_change_url(source.merged_into))
        posted = request.method == "POST"
        data = request.POST if posted else (request.GET if "target" in request.GET else None)
        form = MergeForm(data, source=source)
        plan, errors = None, []
        if form.is_valid():
            target = form.cleaned_data["target"]
            try:
                plan = merge_plan(source=source, target=target)
            except ValidationError as exc:
                errors.extend(exc.messages)
            if plan is not None and posted:
                try:
                    merge_structures(
                        source=source,
                        target=target,
                        source_version=form.cleaned_data["source_version"],
                        target_version=form.cleaned_data["target_version"],
                        user=request.user,
                    )
                except StaleVersionError as exc:
                    # Show the plan as it now stands, with the versions to confirm anew.
                    errors.append(str(exc.message))
                    source.refresh_from_db()
                    target.refresh_from_db()
                    plan = merge_plan(source=source, target=target)
                except ValidationError as exc:
                    errors.extend(exc.messages)
                else:
                    messages.success(
                        request,
                        _("« %(source)s » a été fusionnée dans « %(target)s ».")
                        % {"source": source, "target": target},
                    )
                    return HttpResponseRedirect(_change_url(target))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Fusionner « %(name)s » dans une autre fiche") % {"name": source},
            "source": source,
            "form": form,
            "errors": errors,
            "plan": plan,
            "candidates": duplicate_candidates(Probe.of(source)),
        }
        return TemplateResponse(request, self.merge_template, context)
