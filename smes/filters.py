"""FilterSet of the SME list (``/api/v1/smes/``), with the conventions of the structures one.

It filters what the view passes, which is already limited to what the caller may see (SME
data is private: see ``smes.access``).
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.filters import (
    BoundingBoxFilter,
    CodeChoiceFilter,
    IntegerFilter,
    SinceFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
)
from smes.enums import ExportStage
from smes.models import SME
from smes.validators import naf_divisions
from structures.models import Sector, Service
from structures.relay.criteria import expand_sector
from territories.filters import CountryCodeFilter, TerritoryReferenceFilter

# The beginning of a NAF rév. 2 code: division, group, class, sub-class ("10", "10.7", "10.71",
# "10.71C"), with or without its dot.
_NAF_PREFIX = re.compile(r"^(\d{2})(?:\.?(\d{1,2}))?$|^(\d{2})\.?(\d{2})([A-Z])$")


class NafPrefixField(forms.CharField):
    """The beginning of a NAF code, in the stored form ("1071" → "10.71"); a string that cannot
    begin a NAF rév. 2 code is an error, not a filter that silently matches nothing."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        compact = re.sub(r"\s+", "", value).upper()
        match = _NAF_PREFIX.match(compact)
        if match is None or (match.group(1) or match.group(3)) not in naf_divisions():
            raise forms.ValidationError(
                _(
                    "« %(value)s » n'est pas le début d'un code NAF rév. 2 : attendu une "
                    "division existante suivie au besoin du reste du code (ex. 62, 10.71, "
                    "10.71C)."
                ),
                code="invalid_naf",
                params={"value": value},
            )
        if match.group(1):
            return match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
        return f"{match.group(3)}.{match.group(4)}{match.group(5)}"


class NafPrefixFilter(django_filters.CharFilter):
    field_class = NafPrefixField


class SMEFilter(django_filters.FilterSet):
    within = TerritoryReferenceFilter(
        method="filter_within",
        help_text=_(
            "Territoire où l'entreprise est située (paramètre « in ») : « niveau:code » "
            "(departement:34, region:76, epci:243400017, commune:34172) ou un code seul (un "
            "code partagé par un département et une région, comme 76, est refusé comme ambigu)."
        ),
    )
    sector = CodeChoiceFilter(
        queryset=Sector.objects.all(),
        method="filter_sector",
        help_text=_(
            "Code de secteur (section NAF « C », division « 10 », filière) : entreprises dont "
            "la division NAF en relève."
        ),
    )
    naf_code = NafPrefixFilter(
        field_name="naf_code",
        lookup_expr="startswith",
        help_text=_(
            "Début du code NAF rév. 2 (ex. 62, 10.7, 10.71 ou 10.71C ; 1071C est lu 10.71C) ; "
            "une division inexistante est refusée."
        ),
    )
    export_stage = django_filters.MultipleChoiceFilter(
        choices=ExportStage.choices, help_text=_("Stade(s) d'exportation (répétable).")
    )
    market = CountryCodeFilter(
        method="filter_market",
        help_text=_("Pays visé, code ISO 3166 alpha-2 (ex. MA)."),
    )
    need = CodeChoiceFilter(
        queryset=Service.objects.all(),
        method="filter_need",
        help_text=_("Code d'un service recherché par l'entreprise (voir /api/v1/services/)."),
    )
    min_employees = IntegerFilter(
        field_name="employees", lookup_expr="gte", help_text=_("Effectif minimum (inclus).")
    )
    max_employees = IntegerFilter(
        field_name="employees", lookup_expr="lte", help_text=_("Effectif maximum (inclus).")
    )
    is_innovative = StrictBooleanFilter(help_text=_("Entreprises innovantes seulement."))
    bbox = BoundingBoxFilter(
        help_text=_("Boîte englobante min_lon,min_lat,max_lon,max_lat (WGS 84)."),
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_("Mots du nom (sans tenir compte de la casse) ou début du SIRET / SIREN."),
    )
    updated_since = SinceFilter(
        field_name="updated_at",
        help_text=_("Fiches modifiées depuis cette date-heure ISO 8601 (incluse)."),
    )
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at"), ("employees", "employees")),
        default_ordering=("name", "pk"),
        help_text=_("Tri : name, updated_at, employees (« - » pour décroissant)."),
    )

    class Meta:
        model = SME
        fields: list[str] = []

    def filter_within(self, queryset, name, value):
        return queryset.in_territory(value) if value is not None else queryset

    def filter_sector(self, queryset, name, value):
        # On the NAF code itself (the derived ``sector`` column may lag behind bulk loads).
        codes = expand_sector(value.code) or {value.code}
        divisions = sorted(c for c in codes if len(c) == 2 and c.isdigit())
        if not divisions:
            return queryset.none()
        condition = Q()
        for division in divisions:
            condition |= Q(naf_code__startswith=division)
        return queryset.filter(condition)

    def filter_market(self, queryset, name, value):
        through = SME.target_markets.through
        return queryset.filter(
            Exists(through.objects.filter(sme_id=OuterRef("pk"), territory_id=value.pk))
        )

    def filter_need(self, queryset, name, value):
        through = SME.needs.through
        return queryset.filter(
            Exists(through.objects.filter(sme_id=OuterRef("pk"), service_id=value.pk))
        )

    def filter_q(self, queryset, name, value):
        text = (value or "").strip()
        digits = text.replace(" ", "")
        if digits.isascii() and digits.isdigit():
            return queryset.filter(siret__startswith=digits)
        # Names are stored as typed: every word must appear in the name, case aside.
        for word in text.split():
            queryset = queryset.filter(name__icontains=word)
        return queryset


SMEFilter.base_filters["in"] = SMEFilter.base_filters.pop("within")
