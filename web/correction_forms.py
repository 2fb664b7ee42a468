"""Forms of "Signaler une erreur" (public) and of the staff's inbox of reports.

The public form works without JavaScript. Its ``homepage`` field is a honeypot: hidden from
people (off-screen, out of the tab order, hidden from screen readers), left empty by them, and
filled by the robots that fill every field; such a submission is discarded without a word
(``is_bot``).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from structures.corrections import CONSENT_TEXT
from structures.enums import CorrectionField, CorrectionStatus
from structures.models import Contact, Offer, Structure
from structures.models.corrections import (
    MESSAGE_MAX_LENGTH,
    PROPOSED_VALUE_MAX_LENGTH,
    REASON_MAX_LENGTH,
)

HONEYPOT_FIELD = "homepage"


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Offer) -> str:
        return str(obj.service)


def _offers(structure: Structure):
    return (
        Offer.objects.filter(structure=structure, is_active=True)
        .select_related("service")
        .order_by("service__position", "pk")
    )


def _public_contacts(structure: Structure):
    return Contact.objects.filter(structure=structure, is_public=True).order_by(
        "position", "name", "pk"
    )


class CorrectionPrefillForm(forms.Form):
    """What a link to the form may preselect: ``?champ=phone&offre=12`` (a result card names
    the offer it showed). Invalid values are ignored, never an error."""

    champ = forms.ChoiceField(choices=CorrectionField.choices, required=False)
    offre = OfferChoiceField(queryset=Offer.objects.none(), required=False)

    def __init__(self, *args, structure: Structure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offre"].queryset = _offers(structure)

    def initial_values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        initial = {}
        if data.get("champ"):
            initial["field"] = data["champ"]
        if data.get("offre"):
            initial["offer"] = data["offre"].pk
            initial.setdefault("field", CorrectionField.OFFER)
        return initial


class CorrectionReportForm(forms.Form):
    """A report of an error on one listing."""

    field = forms.ChoiceField(
        label=_("Qu'est-ce qui est inexact ?"),
        choices=[("", _("— choisissez —")), *CorrectionField.choices],
        error_messages={"required": _("Choisissez ce qui est inexact.")},
    )
    offer = OfferChoiceField(
        label=_("Service concerné (facultatif)"),
        queryset=Offer.objects.none(),
        required=False,
        empty_label=_("— aucun en particulier —"),
    )
    contact = forms.ModelChoiceField(
        label=_("Contact concerné (facultatif)"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("— aucun en particulier —"),
    )
    message = forms.CharField(
        label=_("Décrivez l'erreur"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Ce qui est inexact, et comment vous l'avez constaté. 1 000 caractères au plus."
        ),
        error_messages={
            "required": _("Décrivez ce qui est inexact."),
            "max_length": _("1 000 caractères au plus (vous en avez écrit %(show_value)d)."),
        },
    )
    proposed_value = forms.CharField(
        label=_("La bonne information, si vous la connaissez (facultatif)"),
        max_length=PROPOSED_VALUE_MAX_LENGTH,
        required=False,
        help_text=_("Par exemple le bon numéro de téléphone. 500 caractères au plus."),
        error_messages={
            "max_length": _("500 caractères au plus (vous en avez écrit %(show_value)d).")
        },
    )
    reporter_email = forms.EmailField(
        label=_("Votre courriel (facultatif)"),
        required=False,
        max_length=254,
        help_text=_(
            "Seulement si vous souhaitez être informé de la suite donnée à votre signalement."
        ),
        error_messages={"invalid": _("Saisissez une adresse électronique valide.")},
    )
    consent_given = forms.BooleanField(label=CONSENT_TEXT, required=False)
    homepage = forms.CharField(
        label=_("Laissez ce champ vide"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, structure: Structure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = _offers(structure)
        self.fields["contact"].queryset = _public_contacts(structure)

    def clean(self):
        data = super().clean()
        if data.get("reporter_email") and not data.get("consent_given"):
            self.add_error(
                "consent_given",
                _(
                    "Cochez cette case pour que nous puissions utiliser votre adresse, ou "
                    "laissez le champ « courriel » vide."
                ),
            )
        return data

    def is_bot(self) -> bool:
        """The honeypot was filled: a robot, whatever else it sent."""
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())


class CorrectionInboxForm(forms.Form):
    """Which reports the inbox lists (``?statut=``); default: those awaiting a decision."""

    ALL = "all"
    statut = forms.ChoiceField(
        label=_("Afficher"),
        choices=[
            (CorrectionStatus.NEW, _("À traiter")),
            (CorrectionStatus.ACCEPTED, _("Acceptés")),
            (CorrectionStatus.REJECTED, _("Rejetés")),
            (ALL, _("Tous")),
        ],
        required=False,
    )

    def status(self) -> str | None:
        """The status to list (``None``: all); awaiting a decision unless asked otherwise."""
        value = self.cleaned_data.get("statut") if self.is_bound and self.is_valid() else ""
        if value == self.ALL:
            return None
        return value or CorrectionStatus.NEW


class AcceptCorrectionForm(forms.Form):
    value = forms.CharField(
        label=_("Valeur à écrire dans la fiche"),
        max_length=PROPOSED_VALUE_MAX_LENGTH,
        required=False,
        help_text=_("Proposée par la personne ; corrigez-la si besoin avant d'accepter."),
    )
    note = forms.CharField(
        label=_("Message pour la personne (facultatif)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Envoyé avec la décision si elle a laissé son adresse."),
    )
    # The listing's version when the page was loaded: a change since then refuses the write.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Demande incomplète : rechargez la page et réessayez."),
            "invalid": _("Demande incomplète : rechargez la page et réessayez."),
        },
    )


class RejectCorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du rejet"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire ; envoyé à la personne si elle a laissé son adresse."),
        error_messages={"required": _("Indiquez le motif du rejet.")},
    )
