"""The competence preview on the offer's admin page (``structures.competence``).

When a save changes what the relay lookup matches — service, sectors, eligibility, and the
coverage and market rows of the page — the form compares the saved offer with the submitted one.
A change that narrows the searches finding the offer is refused until the editor ticks « Je
confirme ce changement », shown with the sentences at the top of the form again; a confirmation
counts only for the preview it was given for (``narrowing_digest``). A change that does not
narrow is saved at once, and what it changes is said in the success message.

The coverage and market rows are inline formsets, built by the admin after the form: the admin
hands them to the form's instance (``_competence_formsets``) before it validates the form.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from structures import competence

CONFIRM_FIELD = "confirm_narrowing"
DIGEST_FIELD = "narrowing_digest"


class CompetencePreviewFormMixin(forms.Form):
    """For the offer's admin form: compute the preview, refuse an unconfirmed narrowing."""

    confirm_narrowing = forms.BooleanField(
        label=_("Je confirme ce changement"),
        required=False,
        help_text=_(
            "Cochez pour enregistrer une modification qui retire cette offre de certaines "
            "recherches (voir ci-dessus)."
        ),
    )
    narrowing_digest = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    competence_preview: competence.CompetencePreview | None = None

    def _proposed_rows(self):
        """(coverage territories or None, markets {country: status} or None) from the page's
        rows; ``False`` when a row is invalid (its own error is shown, nothing to preview)."""
        from structures.models import OfferCoverage, OfferMarket

        coverage = markets = None
        for formset in getattr(self.instance, "_competence_formsets", ()):
            if formset.model not in (OfferCoverage, OfferMarket):
                continue
            if not formset.is_valid():
                return False
            rows = [
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            if formset.model is OfferCoverage:
                coverage = [row["territory"] for row in rows if row.get("territory")]
            else:
                markets = {row["country"]: row["status"] for row in rows if row.get("country")}
        return coverage, markets

    def _post_clean(self):
        # After the model's own validation (its constraints run here): a change with errors
        # is refused for them, not asked to be confirmed.
        super()._post_clean()
        if not self.errors:
            self.preview_competence(self.cleaned_data)

    def preview_competence(self, cleaned_data) -> None:
        """Set ``competence_preview`` for an existing offer whose competence the form changes;
        add the confirmation error when it narrows and was not confirmed for this preview."""
        if not self.is_update:
            return
        rows = self._proposed_rows()
        if rows is False:
            return
        coverage, markets = rows
        data = {
            name: cleaned_data[name]
            for name in competence.COMPETENCE_FIELDS
            if name in self.fields and name in cleaned_data
        }
        if coverage is not None:
            data["coverage"] = coverage
        preview = competence.preview_offer_change(offer=self.instance, data=data, markets=markets)
        self.competence_preview = preview
        confirmed = bool(cleaned_data.get(CONFIRM_FIELD)) and (
            cleaned_data.get(DIGEST_FIELD) == preview.digest
        )
        try:
            competence.require_confirmation(preview, confirmed=confirmed, field_name=CONFIRM_FIELD)
        except ValidationError as error:
            # Shown again with this preview's digest, and unticked when the ticked box was for
            # another preview: the editor confirms what is shown now.
            data = self.data.copy()
            data[self.add_prefix(DIGEST_FIELD)] = preview.digest
            if not confirmed:
                data.pop(self.add_prefix(CONFIRM_FIELD), None)
            self.data = data
            self.add_error(None, error)


class CompetencePreviewAdminMixin:
    """For the offer's ModelAdmin: hand the rows to the form, show the preview, say the result."""

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        if request.method == "POST" and change:
            obj._competence_formsets = formsets
        return formsets, inline_instances

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        preview = getattr(getattr(adminform, "form", None), "competence_preview", None)
        if preview is not None and not preview.is_unchanged:
            fields = [CONFIRM_FIELD, DIGEST_FIELD] if preview.narrows else []
            title = (
                _("Effet sur les recherches : à confirmer")
                if preview.narrows
                else _("Effet sur les recherches")
            )
            adminform.fieldsets = [
                (title, {"fields": fields, "description": _preview_html(preview)}),
                *adminform.fieldsets,
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        preview = getattr(form, "competence_preview", None)
        if preview is None or preview.is_unchanged:
            return
        text = preview.text(competence.active_language())
        self.message_user(
            request,
            _("Effet sur les recherches : %(text)s") % {"text": text},
            messages.WARNING if preview.narrows else messages.SUCCESS,
        )


def _preview_html(preview: competence.CompetencePreview) -> str:
    sentences = preview.sentences(competence.active_language())
    return format_html(
        '<ul class="competence-preview">{}</ul>',
        format_html_join("", "<li>{}</li>", ((s,) for s in sentences)),
    )
