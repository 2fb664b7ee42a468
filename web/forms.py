"""Forms of the public site: the relay search ("who is the nearest competent relay?").

The search is a GET form (shareable URLs, works without JavaScript). Its one free-text field,
"Où est votre entreprise ?", takes a commune name, a postal code or a SIRET; the autocomplete
script fills the hidden ``commune`` field with the INSEE code of the chosen commune. ``clean``
turns all that into a ``RelayQuery`` through the same resolver as the API
(``smes.relay.resolve_relay_query``, under the caller's rights) — or into a list of communes to
choose from when a name or a postal code matches several, or into suggestions ("Vouliez-vous
dire : Montpellier ?") when a name matches none but is spelt nearly like some: never a guess.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import compact as squeeze
from core.text import place_name_keys
from smes.enums import EMPLOYEE_RANGE_BOUNDS, EmployeeRange, ExportStage
from smes.relay import resolve_relay_query
from smes.validators import validate_siret
from structures.enums import SectorKind
from structures.models import Sector
from structures.permissions import Caller
from structures.relay.query import RelayRequest
from structures.relay.types import RelayQueryError
from structures.selectors import service_list
from territories.enums import NAME_MATCH_QUALITY, PLACE_LEVELS, NameMatch, TerritoryLevel
from territories.models import Territory
from territories.selectors import search_territories

POSTAL_CODE = re.compile(r"^\d{5}$")
SIREN = re.compile(r"^\d{9}$")
SIRET = re.compile(r"^\d{14}$")
INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
# "Montpellier (34172)": the label the autocomplete shows, typed or pasted back as is.
CODE_IN_LABEL = re.compile(r"\(\s*(\d{5}|2[AB]\d{3})\s*\)\s*$", re.IGNORECASE)
MAX_NAME_CANDIDATES = 12
MAX_SUGGESTIONS = 6


FIRST_YEAR = 1800
# The sizes an SME owner picks from: INSEE's ranges up to the SME threshold, then one for more.
SIZE_CHOICES = [
    (code, label)
    for code, label in EmployeeRange.choices
    if code != EmployeeRange.NON_EMPLOYER and EMPLOYEE_RANGE_BOUNDS[code][0] <= 250
]

# Which form field shows an error the resolver reports on one of its inputs (else "where").
RESOLVER_FIELD_TO_FORM = {"service": "service", "sector": "sector", "country": "country"}


@dataclass
class LocationQuery:
    """Where the firm is (commune, postal code or SIRET), or communes to choose from: matching
    ones (``candidates``) or, for a name that matches none, ones spelt nearly like it
    (``suggestions``)."""

    kwargs: dict[str, str] = field(default_factory=dict)
    candidates: list[Territory] = field(default_factory=list)
    suggestions: list[Territory] = field(default_factory=list)


def _is_english() -> bool:
    return (get_language() or "fr").startswith("en")


class CountryChoiceField(forms.ModelChoiceField):
    """A target country by ISO code, case-insensitive, named in the page's language."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)

    def label_from_instance(self, obj: Territory) -> str:
        return obj.name_en if _is_english() and obj.name_en else obj.name


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name_en if _is_english() and obj.name_en else obj.name


def sector_choices() -> list:
    """Filières first (the words SME owners use), then NAF sections, as option groups."""
    english = _is_english()
    groups: dict[str, list[tuple[str, str]]] = {SectorKind.FILIERE: [], SectorKind.NAF_SECTION: []}
    for sector in Sector.objects.filter(kind__in=list(groups)).order_by("kind", "name", "code"):
        label = sector.name_en if english and sector.name_en else sector.name
        if sector.kind == SectorKind.NAF_SECTION:
            label = f"{label} (NAF {sector.code})"
        groups[sector.kind].append((sector.code, label))
    return [
        ("", _("Tous les secteurs")),
        (_("Filières"), groups[SectorKind.FILIERE]),
        (_("Sections de la nomenclature NAF"), groups[SectorKind.NAF_SECTION]),
    ]


class RelaySearchForm(forms.Form):
    """The home page's question: where is the firm, what does it need (sector, country)."""

    where = forms.CharField(
        label=_("Où est votre entreprise ?"),
        max_length=120,
        help_text=_(
            "Commune, code postal ou numéro SIRET (14 chiffres). Ex. : Montpellier, 13100."
        ),
        error_messages={"required": _("Indiquez la commune, le code postal ou le SIRET.")},
    )
    commune = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)
    service = ServiceChoiceField(
        label=_("De quoi avez-vous besoin ?"),
        queryset=service_list(),
        to_field_name="code",
        empty_label=_("Choisissez un besoin"),
        error_messages={
            "required": _("Choisissez votre besoin dans la liste."),
            "invalid_choice": _("Ce besoin ne figure pas dans la liste : choisissez-en un."),
        },
    )
    sector = forms.ChoiceField(
        label=_("Votre secteur (facultatif)"),
        required=False,
        error_messages={"invalid_choice": _("Secteur inconnu : choisissez-en un dans la liste.")},
    )
    country = CountryChoiceField(
        label=_("Pays visé (facultatif)"),
        required=False,
        queryset=Territory.objects.filter(level=TerritoryLevel.COUNTRY)
        .exclude(code="FR")
        .order_by("name"),
        to_field_name="code",
        empty_label=_("Tous les pays"),
        error_messages={
            "invalid_choice": _("Pays inconnu : choisissez-en un dans la liste (code ISO, ex. MA).")
        },
    )

    # "Préciser mon entreprise" (optional): what the offers' conditions are checked against.
    size = forms.ChoiceField(
        label=_("Effectif"),
        required=False,
        choices=[("", _("Non précisé")), *SIZE_CHOICES],
        help_text=_("Nombre de salariés."),
        error_messages={"invalid_choice": _("Tranche d'effectif inconnue : choisissez-en une.")},
    )
    created_year = forms.IntegerField(
        label=_("Année de création"),
        required=False,
        min_value=FIRST_YEAR,
        help_text=_("Ex. : 2015."),
        error_messages={
            "invalid": _("Indiquez l'année de création en chiffres, ex. 2015."),
            "min_value": _("Indiquez une année de création à partir de %(limit_value)s."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    export_stage = forms.ChoiceField(
        label=_("Expérience de l'export"),
        required=False,
        choices=[("", _("Non précisée")), *ExportStage.choices],
        help_text=_("Plus une entreprise exporte, plus loin elle peut chercher de l'aide."),
        error_messages={"invalid_choice": _("Choisissez une expérience dans la liste.")},
    )

    def __init__(self, *args, caller: Caller | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.caller = caller or Caller.anonymous()
        if self.is_bound and self.data.get("country"):
            # "ma" is accepted: show it selected as "MA" when the form is displayed again.
            self.data = self.data.copy()
            self.data["country"] = self.data["country"].strip().upper()
        self.fields["sector"].choices = sector_choices()
        self.fields["where"].widget.attrs.update(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "data-autocomplete": "commune",
                "data-suggestions-label": _("Communes proposées"),
                "data-approximate-label": _("Vouliez-vous dire :"),
                "data-approximate-hint": _("orthographe proche"),
            }
        )

    def clean_where(self) -> str:
        return " ".join(self.cleaned_data["where"].split())

    def clean_commune(self) -> str:
        return self.cleaned_data["commune"].strip().upper()

    def clean_created_year(self) -> int | None:
        year = self.cleaned_data["created_year"]
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(
                _("L'année de création ne peut pas être dans le futur."), code="future"
            )
        return year

    REFINING = ("sector", "country", "size", "created_year", "export_stage")

    @property
    def refines(self) -> bool:
        """Whether an optional field has a value or an error (its panel is then shown open)."""
        if not self.is_bound:
            return any(self.initial.get(name) for name in self.REFINING)
        return any(self.data.get(name) or self.errors.get(name) for name in self.REFINING)

    @property
    def profile_fields(self) -> dict:
        """The firm's details the form was given, as ``RelayRequest`` fields."""
        data = self.cleaned_data
        fields = {}
        if data.get("size"):
            fields["employees"] = EMPLOYEE_RANGE_BOUNDS[data["size"]][0]
        if data.get("created_year"):
            # The 1st of January: a firm is given the benefit of the doubt on its age.
            fields["created_on"] = datetime.date(data["created_year"], 1, 1)
        if data.get("export_stage"):
            fields["export_stage"] = data["export_stage"]
        return fields

    def applied_profile(self) -> list[str]:
        """What the form said of the firm, in words, for the results page."""
        data = self.cleaned_data
        said = []
        if data.get("size"):
            said.append(str(EmployeeRange(data["size"]).label))
        if data.get("created_year"):
            said.append(str(_("créée en %(year)d") % {"year": data["created_year"]}))
        if data.get("export_stage"):
            said.append(str(ExportStage(data["export_stage"]).label))
        return said

    def clean(self) -> dict:
        """``query`` (a ``RelayQuery``), ``candidates`` (communes to choose from) or
        ``suggestions`` (communes spelt nearly like the name typed, none matching it)."""
        data = super().clean()
        data["query"], data["candidates"], data["suggestions"] = None, [], []
        where = data.get("where")
        if where is None or "commune" not in data:
            return data
        try:
            location = self._locate(where, data["commune"])
        except forms.ValidationError as error:
            self.add_error("where", error)
            return data
        if location.candidates:
            data["candidates"] = location.candidates
        elif location.suggestions:
            data["suggestions"] = location.suggestions
        elif not self.errors:
            self._resolve(data, location)
        return data

    def _resolve(self, data: dict, location: LocationQuery) -> None:
        kwargs = dict(location.kwargs)
        siret = kwargs.pop("siret", "")
        request = RelayRequest(
            service=data["service"].code,
            sector=data["sector"] or "",
            country=data["country"].code if data["country"] else "",
            **kwargs,
            **self.profile_fields,
        )
        try:
            data["query"] = resolve_relay_query(caller=self.caller, request=request, siret=siret)
        except RelayQueryError as exc:
            error = exc.error
            if error.code == "ambiguous_postal_code":
                data["candidates"] = list(error.candidates)
            else:
                self.add_error(RESOLVER_FIELD_TO_FORM.get(error.field, "where"), error.message)

    def _locate(self, where: str, commune: str) -> LocationQuery:
        compact = where.replace(" ", "").replace(".", "")
        if commune:
            # The hidden field is filled by the autocomplete or a "which commune?" link; its
            # errors are shown on the visible field.
            if not INSEE_CODE.match(commune):
                raise forms.ValidationError(
                    _(
                        "Code de commune « %(code)s » mal formé : attendu un code INSEE (ex. 34172)."
                    ),
                    params={"code": commune},
                    code="malformed",
                )
            if _commune_matches(commune, where, compact):
                kwargs = {"commune": commune}
                if POSTAL_CODE.match(compact):
                    kwargs["postal_code"] = compact
                return LocationQuery(kwargs=kwargs)
            # Without JavaScript the hidden code survives a new text: the text wins.
        labelled = CODE_IN_LABEL.search(where)
        if labelled:
            return LocationQuery(kwargs={"commune": labelled[1].upper()})
        if SIRET.match(compact):
            return LocationQuery(kwargs={"siret": self._checked_siret(compact)})
        if POSTAL_CODE.match(compact):
            return LocationQuery(kwargs={"postal_code": compact})
        if SIREN.match(compact):
            raise forms.ValidationError(
                _(
                    "Ce numéro à 9 chiffres ressemble à un SIREN : indiquez le SIRET de "
                    "l'établissement (14 chiffres), ou sa commune."
                ),
                code="siren",
            )
        if compact.isdigit():
            raise forms.ValidationError(
                _(
                    "« %(value)s » n'est ni un code postal (5 chiffres) ni un SIRET (14 chiffres). "
                    "Vous pouvez aussi écrire le nom de la commune."
                ),
                params={"value": where},
                code="malformed",
            )
        return self._by_name(where)

    def _checked_siret(self, digits: str) -> str:
        # One SIRET rule for the whole project (Luhn, with La Poste's exception): smes.validators.
        try:
            validate_siret(digits)
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code="invalid_siret") from None
        return digits

    def _by_name(self, where: str) -> LocationQuery:
        """A single exact name (abbreviations spelt out) is the commune; several are to choose
        from, with the names that start like them; a single name starting with the text is the
        commune too. A name that matches none gets suggestions, never chosen for the user."""
        places = list(
            search_territories(query=where, levels=PLACE_LEVELS).select_related("parent")[
                : MAX_NAME_CANDIDATES + 1
            ]
        )
        exact = [p for p in places if p.match_quality == NAME_MATCH_QUALITY[NameMatch.EXACT]]
        close = [p for p in places if p.match_quality < NAME_MATCH_QUALITY[NameMatch.APPROXIMATE]]
        if len(exact) == 1:
            return LocationQuery(kwargs={"commune": exact[0].code})
        if not exact and len(close) == 1:
            return LocationQuery(kwargs={"commune": close[0].code})
        if close:
            return LocationQuery(candidates=close[:MAX_NAME_CANDIDATES])
        if places:
            return LocationQuery(suggestions=places[:MAX_SUGGESTIONS])
        raise forms.ValidationError(
            _(
                "Aucune commune ne correspond à « %(value)s ». Vérifiez l'orthographe, ou "
                "indiquez le code postal."
            ),
            params={"value": where},
            code="unknown_commune",
        )


def _commune_matches(code: str, where: str, compact: str) -> bool:
    """Whether the hidden commune code still goes with what the visible field says.

    An unknown code is kept: the relay engine reports it with its own message.
    """
    places = Territory.objects.communes().filter(code=code)
    if not places.exists():
        return True
    if POSTAL_CODE.match(compact):
        return places.filter(postal_codes__code=compact).exists()
    # The name as written, or the same name with abbreviations or without spaces ("St Jean",
    # "Lhay les Roses"): a chosen commune stays chosen while its name is not retyped.
    names = {squeeze(name) for name in places.values_list("search_name", flat=True)}
    return any(squeeze(key) in names for key in place_name_keys(CODE_IN_LABEL.sub("", where)))


class ConfirmUpToDateForm(forms.Form):
    """The "still up to date" button: carries the version the user saw."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
