"""The competence preview on the offer's admin page (``structures.competence``).

When a save changes what the relay lookup matches — service, sectors, eligibility, and the
coverage and market rows of the page — the form compares the saved offer with the submitted one.
A change that narrows the searches finding the offer is refused until the editor ticks « Je
confirme ce changement », shown with the sentences at the top of the form again; a confirmation
counts only for the preview it was given for (``narrowing_digest``). A change that does not
narrow is saved at once, and what it changes is said in the success message.

The coverage and market rows are inline formsets, built by the admin after the form: the admin
hands them to the form's instance (``_competence_formsets``) before it validates the form.

While the page is edited, ``static/js/competence-preview.js`` posts the form as it stands to
``competence_preview_view`` (staff, within their scope), which validates it exactly as a save
would — the same form, rows and ``structures.competence`` — and answers the sentences as JSON;
the script only shows them. Without the script, the preview comes with the first refused save.
Deactivating the offer, or deleting it (its confirmation page), leaves every search: the same
preview, the same confirmation.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import JsonResponse, QueryDict
from django.urls import path, reverse
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
            # The page shows the sentences above the box: the error only points to them.
            competence.require_confirmation(
                preview, confirmed=confirmed, field_name=CONFIRM_FIELD, shown_above=True
            )
        except ValidationError as error:
            # Shown again with this preview's digest, and unticked when the ticked box was for
            # another preview: the editor confirms what is shown now.
            data = self.data.copy()
            data[self.add_prefix(DIGEST_FIELD)] = preview.digest
            if not confirmed:
                data.pop(self.add_prefix(CONFIRM_FIELD), None)
            self.data = data
            self.add_error(None, error)


PREVIEW_MEDIA = {
    "js": ["js/competence-preview.js"],
    "css": {"all": ["css/competence-preview.css"]},
}
PREVIEW_TITLE = _("Effet sur les recherches")
PREVIEW_HELP = _(
    "Ce que vos modifications changent aux recherches qui trouveront cette offre s'affiche ici "
    "avant l'enregistrement."
)
UNCHANGED_NOTE = _("Vos modifications ne changent pas les recherches qui trouvent cette offre.")
UNAVAILABLE = _("Aperçu indisponible : ")
OFFLINE = _("le serveur ne répond pas ; l'effet sera montré à l'enregistrement.")


class CompetencePreviewAdminMixin:
    """For the offer's ModelAdmin: hand the rows to the form, show the preview (live while
    editing, through ``competence_preview_view``), say the result; confirm a deletion."""

    # Its script and style sheet are in the admin's ``Media`` (``PREVIEW_MEDIA``): the admin's
    # metaclass reads one ``Media`` class, the admin's own.

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/competence-preview/",
                self.competence_preview_view,
                name=f"{opts.app_label}_{opts.model_name}_competence_preview",
            ),
            *super().get_urls(),
        ]

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        if request.method == "POST" and change:
            obj._competence_formsets = formsets
        return formsets, inline_instances

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        form = getattr(adminform, "form", None)
        if obj is not None and change and form is not None and CONFIRM_FIELD in form.fields:
            preview = form.competence_preview
            narrows = preview is not None and preview.narrows
            classes = ["competence-preview", *(["competence-narrows"] if narrows else [])]
            adminform.fieldsets = [
                (
                    PREVIEW_TITLE,
                    {
                        "classes": classes,
                        "fields": [CONFIRM_FIELD, DIGEST_FIELD],
                        "description": _live_region_html(
                            preview, url=_preview_url(self.model._meta, obj.pk)
                        ),
                    },
                ),
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

    # --- The live preview --------------------------------------------------------------------

    def competence_preview_view(self, request, object_id):
        """The preview of the change form as posted (JSON), computed by the form's own
        validation. 403 outside the staff or their scope, 400 with the form's messages."""
        return _preview_view(self, request, object_id)

    # --- Deletion ----------------------------------------------------------------------------

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_delete_permission(request, obj):
            return super().delete_view(request, object_id, extra_context)
        preview = competence.preview_offer_removal(offer=obj)
        context = {
            **(extra_context or {}),
            "competence_sentences": preview.sentences(competence.active_language()),
            "competence_confirm_field": CONFIRM_FIELD,
        }
        if request.method == "POST" and preview.narrows and not request.POST.get(CONFIRM_FIELD):
            # Not confirmed: the confirmation page again, with the error, nothing deleted.
            # Django deletes on any non-empty POST; the request's check (CSRF) has already run.
            request.POST = QueryDict()
            context["competence_confirm_error"] = competence.CONFIRM_DESCRIBED_ABOVE
        return super().delete_view(request, object_id, context)


def _preview_url(opts, pk) -> str:
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_competence_preview", args=[pk])


def _error(status: int, *messages_: str) -> JsonResponse:
    return JsonResponse({"errors": [str(m) for m in messages_]}, status=status)


def _preview_view(model_admin, request, object_id):
    from structures.models import Offer

    if request.method != "POST":
        response = _error(405, _("Envoyez le formulaire en POST."))
        response["Allow"] = "POST"
        return response
    user = request.user
    if not (user.is_active and user.is_staff):
        return _error(403, _("Réservé au personnel des structures."))
    if not str(object_id).isdigit():
        return _error(404, _("Offre introuvable."))
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        if Offer.objects.filter(pk=object_id).exists():
            return _error(403, _("Cette offre n'est pas dans votre périmètre."))
        return _error(404, _("Offre introuvable."))
    if not model_admin.has_change_permission(request, obj):
        return _error(403, _("Vous ne pouvez pas modifier cette offre."))
    form_class = model_admin.get_form(request, obj, change=True)
    form = form_class(request.POST, request.FILES, instance=obj)
    formsets, _inlines = model_admin._create_formsets(request, obj, change=True)
    form.is_valid()  # validates the rows too (the form reads them), computing the preview
    preview = form.competence_preview
    errors = [
        message
        for name, field_errors in form.errors.items()
        if name != CONFIRM_FIELD
        for message in _labelled(form, name, field_errors)
    ]
    for formset in formsets:
        errors += [str(m) for m in formset.non_form_errors()]
        for row in formset.forms:
            errors += [
                message
                for name, field_errors in row.errors.items()
                for message in _labelled(row, name, field_errors)
            ]
    if errors or preview is None:
        return _error(400, *(errors or [_("Le formulaire est incomplet : rechargez la page.")]))
    language = competence.active_language()
    return JsonResponse(
        {
            "narrows": preview.narrows,
            "widens": preview.widens,
            "unchanged": preview.is_unchanged,
            "sentences": preview.sentences(language),
            "note": str(UNCHANGED_NOTE) if preview.is_unchanged else "",
            "digest": preview.digest if preview.narrows else "",
        }
    )


def _labelled(form, name, field_errors) -> list[str]:
    """``field_errors`` prefixed with the field's label (the script shows them apart from it)."""
    if name == NON_FIELD_ERRORS or name not in form.fields:
        return [str(message) for message in field_errors]
    label = form.fields[name].label or name
    return [f"{label} : {message}" for message in field_errors]


def _live_region_html(preview: competence.CompetencePreview | None, *, url: str) -> str:
    """The preview's place on the page: a polite live region the script refills."""
    sentences = preview.sentences(competence.active_language()) if preview is not None else []
    return format_html(
        '<p class="competence-preview-help">{}</p>'
        '<div class="competence-preview-live" id="competence-preview" aria-live="polite" '
        'data-preview-url="{}" data-unavailable="{}" data-offline="{}">'
        '<ul class="competence-preview">{}</ul></div>',
        PREVIEW_HELP,
        url,
        UNAVAILABLE,
        OFFLINE,
        format_html_join("", "<li>{}</li>", ((s,) for s in sentences)),
    )
