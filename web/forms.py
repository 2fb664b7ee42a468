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
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.html import escape
from django.utils.safestring import mark_safe
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
from web import page_cache

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


def _attrs_html(attrs: dict) -> str:
    """Django's ``attrs.html``: in order, True as a bare name, False and None left out."""
    return "".join(
        f" {key}" if value is True else f' {key}="{escape(value)}"'
        for key, value in attrs.items()
        if value is not False and value is not None
    )


class DirectInputMixin:
    """Renders an ``<input>`` as Django's ``input.html`` does, without the template engine
    (three template renders per field, on every search page)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        value_html = "" if value is None else f' value="{escape(value)}"'
        final_attrs = _attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(
            f'<input type="{self.input_type}" name="{escape(name)}"{value_html}{final_attrs}>'
        )


class DirectTextInput(DirectInputMixin, forms.TextInput):
    pass


class DirectNumberInput(DirectInputMixin, forms.NumberInput):
    pass


class DirectHiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class CachedOptionsSelect(forms.Select):
    """A ``<select>`` whose options are rendered once per catalogues version and language
    (``web.page_cache``) instead of through one widget template per option on every request:
    the countries (≈250) and sectors (≈120) cost the home page most of its time. The output is
    Django's ``Select`` markup; the selected option is marked on the cached text."""

    def __init__(self, *, fragment: str, attrs=None) -> None:
        super().__init__(attrs)
        self.fragment = fragment

    def render(self, name, value, attrs=None, renderer=None):
        options = page_cache.cached(f"options:{self.fragment}", self._options_html)
        for selected in dict.fromkeys(self.format_value(value)):
            marker = f'<option value="{escape(selected)}">'
            options = options.replace(marker, f'<option value="{escape(selected)}" selected>', 1)
        final_attrs = _attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{final_attrs}>{options}\n</select>')

    def _options_html(self) -> str:
        parts = []
        for group_name, options, _index in self.optgroups("", []):
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{escape(option["value"])}">'
                    f"{escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        return "".join(parts)


class FixedChoices(BaseChoiceIterator):
    """Choices normalised once and shared by every form: Django normalises a list of choices
    again on each assignment to a field and deep-copies it with each form (for the sectors,
    a quarter of a millisecond per search page). Never modified, so never copied."""

    def __init__(self, choices) -> None:
        self._choices = tuple(normalize_choices(choices))

    def __iter__(self):
        return iter(self._choices)

    def __deepcopy__(self, memo) -> FixedChoices:
        return self


class CachedRowsChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` over a small catalogue that validates against its rows loaded once
    per catalogues version (``web.page_cache``), not with a query per request. The row
    returned is shared between requests: read it, never modify it. Each subclass names its
    rows (``rows_key``): every form using it gives it the same queryset."""

    rows_key: str

    def _rows(self) -> dict:
        return {str(getattr(row, self.to_field_name)): row for row in self.queryset}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = getattr(value, self.to_field_name)
        row = page_cache.cached(self.rows_key, self._rows).get(str(value))
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row


class CountryChoiceField(CachedRowsChoiceField):
    """A target country by ISO code, case-insensitive, named in the page's language."""

    rows_key = "country-rows"  # the countries but France, by name

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)

    def label_from_instance(self, obj: Territory) -> str:
        return obj.name_en if _is_english() and obj.name_en else obj.name


class ServiceChoiceField(CachedRowsChoiceField):
    rows_key = "service-rows"  # the whole catalogue (service_list)

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
        widget=DirectTextInput,
        help_text=_(
            "Commune, code postal ou numéro SIRET (14 chiffres). Ex. : Montpellier, 13100."
        ),
        error_messages={"required": _("Indiquez la commune, le code postal ou le SIRET.")},
    )
    commune = forms.CharField(required=False, max_length=5, widget=DirectHiddenInput)
    service = ServiceChoiceField(
        label=_("De quoi avez-vous besoin ?"),
        queryset=service_list(),
        to_field_name="code",
        empty_label=_("Choisissez un besoin"),
        widget=CachedOptionsSelect(fragment="services"),
        error_messages={
            "required": _("Choisissez votre besoin dans la liste."),
            "invalid_choice": _("Ce besoin ne figure pas dans la liste : choisissez-en un."),
        },
    )
    sector = forms.ChoiceField(
        label=_("Votre secteur (facultatif)"),
        required=False,
        error_messages={"invalid_choice": _("Secteur inconnu : choisissez-en un dans la liste.")},
        widget=CachedOptionsSelect(fragment="sectors"),
    )
    country = CountryChoiceField(
        label=_("Pays visé (facultatif)"),
        required=False,
        queryset=Territory.objects.filter(level=TerritoryLevel.COUNTRY)
        .exclude(code="FR")
        .order_by("name"),
        to_field_name="code",
        empty_label=_("Tous les pays"),
        widget=CachedOptionsSelect(fragment="countries"),
        error_messages={
            "invalid_choice": _("Pays inconnu : choisissez-en un dans la liste (code ISO, ex. MA).")
        },
    )

    # "Préciser mon entreprise" (optional): what the offers' conditions are checked against.
    size = forms.ChoiceField(
        label=_("Effectif"),
        required=False,
        choices=FixedChoices([("", _("Non précisé")), *SIZE_CHOICES]),
        help_text=_("Nombre de salariés."),
        error_messages={"invalid_choice": _("Tranche d'effectif inconnue : choisissez-en une.")},
        widget=CachedOptionsSelect(fragment="sizes"),
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
        widget=DirectNumberInput(attrs={"inputmode": "numeric"}),
    )
    export_stage = forms.ChoiceField(
        label=_("Expérience de l'export"),
        required=False,
        choices=FixedChoices([("", _("Non précisée")), *ExportStage.choices]),
        help_text=_("Plus une entreprise exporte, plus loin elle peut chercher de l'aide."),
        error_messages={"invalid_choice": _("Choisissez une expérience dans la liste.")},
        widget=CachedOptionsSelect(fragment="export-stages"),
    )

    def __init__(self, *args, caller: Caller | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.caller = caller or Caller.anonymous()
        if self.is_bound and self.data.get("country"):
            # "ma" is accepted: show it selected as "MA" when the form is displayed again.
            self.data = self.data.copy()
            self.data["country"] = self.data["country"].strip().upper()
        self.fields["sector"].choices = page_cache.cached(
            "sector-choices", lambda: FixedChoices(sector_choices())
        )
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
    if POSTAL_CODE.match(compact):
        return not places.exists() or places.filter(postal_codes__code=compact).exists()
    # The name as written, or the same name with abbreviations or without spaces ("St Jean",
    # "Lhay les Roses"): a chosen commune stays chosen while its name is not retyped.
    names = {squeeze(name) for name in places.values_list("search_name", flat=True)}
    if not names:
        return True
    return any(squeeze(key) in names for key in place_name_keys(CODE_IN_LABEL.sub("", where)))


class ConfirmUpToDateForm(forms.Form):
    """The "still up to date" button: carries the version the user saw."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


# --- Coverage report ----------------------------------------------------------------------------

COVERAGE_SORTS = {
    "name": _("Commune"),
    "code": _("Code INSEE"),
    "population": _("Population"),
    "smes": _("PME enregistrées"),
    "state": _("État"),
    # One service: the distance to the nearest relay; all services: how many are covered.
    "distance": _("Distance"),
    "services": _("Services couverts"),
}
SUBTOTAL_SORTS = {
    "name": _("Nom"),
    "code": _("Code"),
    "population": _("Habitants"),
    "uncovered": _("Habitants non couverts"),
    "share": _("Part non couverte"),
}
ORDER_CHOICES = [("asc", _("croissant")), ("desc", _("décroissant"))]
MAX_HORIZON_KM = 20_000  # half the Earth's circumference: beyond it every relay is "near"


class KilometreField(forms.FloatField):
    """A number of kilometres; "12,5" (French decimal comma) is read as 12.5."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class CoverageForm(forms.Form):
    """The coverage report's question (which service, for which market and sector, how far is
    "near") and how its table of places is shown (state filter, sorting, page).

    Always bound to the query string: a missing parameter takes its default (all services —
    the first service for France —, the registry's horizon, places by state, page 1), so that
    the page opens on a report and every link can change one parameter.
    """

    service = ServiceChoiceField(
        label=_("Service"),
        queryset=service_list(),
        to_field_name="code",
        required=False,
        empty_label=_("Tous les services"),
        help_text=_("« Tous les services » : une commune est couverte quand chaque service l'est."),
        error_messages={
            "invalid_choice": _("Ce service ne figure pas dans la liste : choisissez-en un.")
        },
    )
    country = CountryChoiceField(
        label=_("Pays visé (facultatif)"),
        required=False,
        queryset=Territory.objects.filter(level=TerritoryLevel.COUNTRY)
        .exclude(code="FR")
        .order_by("name"),
        to_field_name="code",
        empty_label=_("Tous les pays"),
        help_text=_("Seuls comptent les relais compétents pour ce marché."),
        error_messages={
            "invalid_choice": _("Pays inconnu : choisissez-en un dans la liste (code ISO, ex. MA).")
        },
    )
    sector = forms.ChoiceField(
        label=_("Secteur (facultatif)"),
        required=False,
        help_text=_("Seuls comptent les relais ouverts à ce secteur."),
        error_messages={"invalid_choice": _("Secteur inconnu : choisissez-en un dans la liste.")},
    )
    horizon_km = KilometreField(
        label=_("Distance jugée proche (km)"),
        required=False,
        help_text=_(
            "Une commune est couverte quand un relais compétent est à moins de cette distance ; "
            "au-delà, elle est dite éloignée."
        ),
        error_messages={"invalid": _("Indiquez la distance en kilomètres, ex. 100.")},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
    )
    # The table of places (links, not fields people type in).
    state = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Filtre d'état inconnu.")},
    )
    sort = forms.ChoiceField(
        required=False,
        choices=list(COVERAGE_SORTS.items()),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Tri inconnu.")},
    )
    order = forms.ChoiceField(
        required=False,
        choices=ORDER_CHOICES,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Ordre de tri inconnu : asc ou desc.")},
    )
    group_sort = forms.ChoiceField(
        required=False,
        choices=list(SUBTOTAL_SORTS.items()),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Tri inconnu.")},
    )
    group_order = forms.ChoiceField(
        required=False,
        choices=ORDER_CHOICES,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Ordre de tri inconnu : asc ou desc.")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("Numéro de page invalide."),
            "min_value": _("Numéro de page invalide."),
        },
    )

    def __init__(self, data, *, national: bool, states, **kwargs) -> None:
        """``national``: the report covers France (one service at a time); ``states``: the
        (code, label) choices of the state filter."""
        data = data.copy()
        self.national = national
        services = service_list()
        if national:
            # All services over France take 6 to 12 s: one service at a time, the first by
            # default; an explicit empty choice (a crafted link) is refused with the reason.
            first = services.first()
            if "service" not in data and first is not None:
                data["service"] = first.code
        if data.get("country"):
            # "ma" is accepted: show it selected as "MA" when the form is displayed again.
            data["country"] = data["country"].strip().upper()
        if not data.get("horizon_km"):
            data["horizon_km"] = _km_text(settings.RELAY_HORIZON_KM)
        super().__init__(data, **kwargs)
        self.fields["sector"].choices = sector_choices()
        self.fields["state"].choices = [("", _("Tous les états")), *states]
        if national:
            self.fields["service"].empty_label = None
            self.fields["service"].help_text = _(
                "Un service à la fois pour la France entière : tous les services ensemble "
                "demanderaient 6 à 12 secondes de calcul. Choisissez une région ou un "
                "département pour les voir tous."
            )

    def clean_service(self):
        service = self.cleaned_data["service"]
        if service is None and self.national:
            raise forms.ValidationError(
                _(
                    "Pour la France entière, choisissez un service : tous les services ensemble "
                    "demanderaient 6 à 12 secondes de calcul. Choisissez une région ou un "
                    "département pour les voir tous."
                ),
                code="service_required",
            )
        return service

    def clean_horizon_km(self) -> float:
        horizon = self.cleaned_data["horizon_km"]
        if horizon is None:
            return float(settings.RELAY_HORIZON_KM)
        if not horizon > 0:
            raise forms.ValidationError(
                _("Indiquez une distance positive, en kilomètres (ex. 100)."), code="not_positive"
            )
        if horizon > MAX_HORIZON_KM:
            raise forms.ValidationError(
                _("Indiquez une distance d'au plus %(max)s km."),
                params={"max": f"{MAX_HORIZON_KM:,}".replace(",", "\u202f")},
                code="too_far",
            )
        return horizon

    def clean(self) -> dict:
        data = super().clean()
        all_services = not self.errors.get("service") and data.get("service") is None
        # A sort of the other mode (the distance of one service, the services covered of all
        # of them) is what a link kept when the service changed: the default sort instead.
        sort = data.get("sort") or "state"
        if (sort == "distance" and all_services) or (sort == "services" and not all_services):
            sort = "state"
        data["sort"] = sort
        data["order"] = data.get("order") or "asc"
        data["group_sort"] = data.get("group_sort") or "uncovered"
        data["group_order"] = data.get("group_order") or (
            "desc" if data["group_sort"] in ("uncovered", "share", "population") else "asc"
        )
        data["page"] = data.get("page") or 1
        return data

    @property
    def refines(self) -> bool:
        """Whether the market, the sector or the horizon was changed (the panel opens)."""
        horizon = self.data.get("horizon_km")
        return bool(
            self.data.get("country")
            or self.data.get("sector")
            or horizon != _km_text(settings.RELAY_HORIZON_KM)
            or self.errors.get("country")
            or self.errors.get("sector")
            or self.errors.get("horizon_km")
        )


def _km_text(value: float) -> str:
    """100.0 → "100", 12.5 → "12.5": a horizon as a query string carries it."""
    return f"{value:g}"


class NetworkOffersUploadForm(forms.Form):
    """A network's offers, re-imported from the CSV its export gave (structures.network_offers)."""

    file = forms.FileField(
        label=_("Fichier CSV des offres"),
        help_text=_(
            "Le fichier exporté ci-dessus, modifié dans un tableur et enregistré en CSV (UTF-8). "
            "Tout le fichier est appliqué, ou rien : chaque ligne refusée est signalée."
        ),
    )
