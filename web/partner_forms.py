"""Forms of the staff partner finder page (``web/views/partners.py``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smes.enums import EmployeeRange, ExportStage
from smes.partners import DEFAULT_RADIUS_KM, MAX_RADIUS_KM
from smes.selectors import partner_profile_for
from structures.permissions import Caller

_PROFILE_FIELDS = ("siret", "commune", "naf_code", "employee_range", "markets", "export_stage")


class PartnerSearchForm(forms.Form):
    """A registered SME (SIRET) or a firm's profile, and the search's bounds."""

    siret = forms.CharField(
        label=_("SIRET d'une PME du registre"),
        max_length=20,
        required=False,
        help_text=_("Ou bien décrivez l'entreprise ci-dessous."),
    )
    commune = forms.CharField(
        label=_("Commune (code INSEE)"),
        max_length=10,
        required=False,
        help_text=_("Ex. « 34172 » pour Montpellier."),
    )
    naf_code = forms.CharField(
        label=_("Code NAF"), max_length=8, required=False, help_text=_("Ex. « 10.89Z ».")
    )
    employee_range = forms.ChoiceField(
        label=_("Tranche d'effectif"),
        choices=[("", _("— choisir —")), *EmployeeRange.choices],
        required=False,
    )
    markets = forms.CharField(
        label=_("Pays visés"),
        max_length=400,
        required=False,
        help_text=_("Codes ISO séparés par des virgules, ex. « DE, MA »."),
    )
    export_stage = forms.ChoiceField(
        label=_("Stade d'exportation"),
        choices=[("", _("— choisir —")), *ExportStage.choices],
        required=False,
    )
    radius_km = forms.IntegerField(
        label=_("Distance maximale (km)"),
        min_value=1,
        max_value=int(MAX_RADIUS_KM),
        initial=int(DEFAULT_RADIUS_KM),
        required=False,
        help_text=_("La proximité est une contrainte incontournable d'un groupement."),
    )
    max_size_steps = forms.IntegerField(
        label=_("Écart de taille (tranches)"),
        min_value=0,
        max_value=3,
        initial=1,
        required=False,
        help_text=_("0 : même tranche d'effectif ; 1 : tranche voisine."),
    )
    include_grouped = forms.BooleanField(
        label=_("Inclure les entreprises déjà en groupement"),
        required=False,
        help_text=_(
            "Par défaut, une entreprise déjà membre d'un groupement à l'export n'est pas proposée."
        ),
    )

    def __init__(self, *args, caller: Caller, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.caller = caller

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["radius_km"] = data.get("radius_km") or int(DEFAULT_RADIUS_KM)
        if data.get("max_size_steps") is None:
            data["max_size_steps"] = 1
        try:
            data["profile"] = partner_profile_for(
                caller=self.caller,
                siret=data.get("siret", ""),
                commune_code=data.get("commune", "").strip(),
                naf_code=data.get("naf_code", ""),
                employee_range=data.get("employee_range", ""),
                market_codes=data.get("markets", "").split(","),
                export_stage=data.get("export_stage", ""),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in _PROFILE_FIELDS else None, errors)
            else:
                self.add_error(None, exc)
        return data


class CreateGroupForm(forms.Form):
    """The group to create from a proposal: its name, its animator, its members (SIRETs)."""

    name = forms.CharField(
        label=_("Nom du groupement"),
        max_length=255,
        help_text=_("Il sera publié après validation par un administrateur du registre."),
    )
    animator = forms.ModelChoiceField(
        label=_("Structure animatrice"),
        queryset=None,
        empty_label=None,
        help_text=_("La structure qui anime le groupement (sa tête de réseau)."),
    )
    origin = forms.CharField(widget=forms.HiddenInput, max_length=20)
    members = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, animators, smes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["animator"].queryset = animators
        self.smes = smes

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        sirets = [data["origin"], *(s for s in data["members"].split(",") if s.strip())]
        found = {sme.siret: sme for sme in self.smes.filter(siret__in=sirets)}
        missing = [siret for siret in sirets if siret not in found]
        if missing:
            raise ValidationError(_("Une des entreprises n'est pas (ou plus) visible pour vous."))
        data["member_smes"] = [found[siret] for siret in sirets]
        return data
