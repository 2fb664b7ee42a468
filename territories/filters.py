"""Territories given by official codes in filters and forms, and the territory list's FilterSet.

Each field validates its input: a bad code is a form error with a French message (a 400 naming
the parameter in the API, a message under the field in HTML), never a 500.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.filters import StrictBooleanFilter
from territories.enums import PLACE_LEVELS, TerritoryLevel
from territories.models import Territory
from territories.selectors import (
    TerritoryLookupError,
    get_territory,
    normalize_code,
    resolve_commune,
    search_territories,
)

# Bare codes of these shapes are unambiguous; a région must be written "region:76" since its
# two digits collide with département codes.
_BARE_LEVEL_BY_LENGTH = {9: TerritoryLevel.EPCI, 5: TerritoryLevel.COMMUNE}


def _lookup_error(exc: TerritoryLookupError) -> forms.ValidationError:
    # The message may quote the user's input, "%" included: pass it as a parameter, since
    # django-filter formats every message with its params.
    return forms.ValidationError("%(message)s", code=exc.code, params={"message": exc.message})


def resolve_territory_reference(value: str):
    """A territory from "niveau:code" ("region:76", "epci:243400017") or a bare code.

    Bare codes: 9 digits → EPCI, 5 characters → commune (old codes resolved), 2–3 characters →
    département, two letters → country; a code both a département's and a région's (76) is
    ambiguous. Raises ``forms.ValidationError`` with a French message.
    """
    raw = (value or "").strip()
    level, sep, code = raw.partition(":")
    try:
        if sep:
            level = level.strip().lower()
            if level in PLACE_LEVELS:
                return resolve_commune(code=code).commune
            return get_territory(level=level, code=code)
        code = raw.upper()
        if len(code) in _BARE_LEVEL_BY_LENGTH:
            if _BARE_LEVEL_BY_LENGTH[len(code)] == TerritoryLevel.COMMUNE:
                return resolve_commune(code=code).commune
            return get_territory(level=TerritoryLevel.EPCI, code=code)
        if code.isalpha() and len(code) == 2 and code not in ("2A", "2B"):
            return get_territory(level=TerritoryLevel.COUNTRY, code=code)
        # The shape first (MalformedCode): the lookup below must not see arbitrary text.
        code = normalize_code(level=TerritoryLevel.DEPARTEMENT, code=code)
        shared = _departement_or_region(code)
        if shared is not None:
            return shared
        return get_territory(level=TerritoryLevel.DEPARTEMENT, code=code)
    except TerritoryLookupError as exc:
        raise _lookup_error(exc) from None


def _departement_or_region(code: str):
    """The one current département or région with this bare code; ``None`` when neither has it.

    Two-digit codes are shared (76: the Seine-Maritime and the Occitanie région): rather than
    one silently chosen, such a code is a form error listing both written forms, with the
    candidates in its ``params`` (the API returns them).
    """
    found = list(
        Territory.objects.filter(
            level__in=(TerritoryLevel.DEPARTEMENT, TerritoryLevel.REGION), code=code
        ).order_by("-is_current", "-rank")
    )
    current = [t for t in found if t.is_current] or found
    if len(current) <= 1:
        return current[0] if current else None
    candidates = [
        {
            "reference": f"{t.level}:{t.code}",
            "level": t.level,
            "code": t.code,
            "name": t.name,
        }
        for t in current
    ]
    choices = _(" ou ").join(f"{c['reference']} ({c['name']})" for c in candidates)
    message = _("Le code « %(code)s » désigne plusieurs territoires : précisez %(choices)s.") % {
        "code": code,
        "choices": choices,
    }
    raise forms.ValidationError(
        "%(message)s",
        code="ambiguous_territory",
        params={"message": message, "candidates": candidates},
    )


class TerritoryReferenceField(forms.CharField):
    """A territory given as "niveau:code" or a bare official code (see above)."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return resolve_territory_reference(value)


class CommuneCodeField(forms.CharField):
    """A commune by INSEE code; an old code resolves to the current commune."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return resolve_commune(code=value).commune
        except TerritoryLookupError as exc:
            raise _lookup_error(exc) from None


class CountryCodeField(forms.CharField):
    """A country by ISO 3166-1 alpha-2 code (case-insensitive)."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return get_territory(level=TerritoryLevel.COUNTRY, code=value)
        except TerritoryLookupError as exc:
            raise _lookup_error(exc) from None


class TerritoryReferenceFilter(django_filters.CharFilter):
    field_class = TerritoryReferenceField


class CommuneCodeFilter(django_filters.CharFilter):
    field_class = CommuneCodeField


class CountryCodeFilter(django_filters.CharFilter):
    field_class = CountryCodeField


class TerritoryFilter(django_filters.FilterSet):
    level = django_filters.MultipleChoiceFilter(
        choices=TerritoryLevel.choices,
        help_text=_("Niveau(x) : arrondissement, commune, epci, departement, region, country."),
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_(
            "Recherche par nom, sans tenir compte des accents, de la casse ni de la ponctuation "
            "(« montpel », « saint etienne », « Évry », « lhay les roses ») ; « St », « Ste », "
            "« Sts », « Stes » valent « Saint », « Sainte »… ; des chiffres cherchent aussi les "
            "codes INSEE et postaux. Ordre : nom exact, début du nom, début d'un mot du nom ; "
            "s'ils sont moins de trois et qu'aucun nom n'est exact, suivent des communes "
            "d'orthographe proche (« monpelier » → Montpellier), marquées "
            "« match »: « approximate »."
        ),
    )
    parent = django_filters.CharFilter(
        field_name="parent__code",
        help_text=_("Code du parent administratif (ex. 34 pour les communes de l'Hérault)."),
    )
    within = django_filters.CharFilter(
        method="filter_within",
        help_text=_(
            "Territoires contenus dans celui-ci, sous la forme niveau:code "
            "(ex. region:76, epci:243400017)."
        ),
    )
    is_current = StrictBooleanFilter(
        help_text=_("Faux pour voir aussi les territoires disparus du COG."),
    )

    class Meta:
        model = Territory
        fields = ["level", "q", "parent", "within", "is_current"]

    def filter_q(self, queryset, name, value):
        cleaned = self.form.cleaned_data
        return search_territories(
            query=value,
            levels=cleaned.get("level") or None,
            current_only=cleaned.get("is_current") is True,
            queryset=queryset,
        )

    def filter_within(self, queryset, name, value):
        level, _sep, code = value.partition(":")
        container = get_territory(level=level, code=code)
        return queryset.filter(ancestor_links__ancestor=container)
