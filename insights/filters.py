"""FilterSets of the territorial events and priorities (``/api/v1/territorial-events/``,
``/api/v1/territorial-priorities/``); their help texts are the API documentation."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import CodeChoiceFilter, IntegerFilter
from insights.enums import EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from structures.models import Sector
from territories.filters import CountryCodeFilter, TerritoryReferenceFilter

IN_HELP = _(
    "Territoire (paramètre « in », même syntaxe que pour les structures : departement:34, "
    "region:76, epci:243400017) : les lignes de ce territoire et des territoires qu'il contient."
)


def _within(queryset, name, value):
    if value is None:
        return queryset
    return queryset.filter(territory__ancestor_links__ancestor=value)


class TerritorialEventFilter(django_filters.FilterSet):
    within = TerritoryReferenceFilter(method="filter_within", help_text=IN_HELP)
    kind = django_filters.ChoiceFilter(
        choices=EventKind.choices,
        help_text=_("Nature : collective_action, trade_mission, export_group_creation, other."),
    )
    country = CountryCodeFilter(
        field_name="country", help_text=_("Pays cible, code ISO 3166 alpha-2 (ex. MA).")
    )
    date_from = django_filters.DateFilter(
        method="filter_date_from",
        help_text=_("Événements en cours ou finis à partir de cette date, AAAA-MM-JJ (incluse)."),
    )
    date_to = django_filters.DateFilter(
        field_name="start_date",
        lookup_expr="lte",
        help_text=_("Événements commencés au plus tard à cette date, AAAA-MM-JJ (incluse)."),
    )

    class Meta:
        model = TerritorialEvent
        fields: list[str] = []

    def filter_within(self, queryset, name, value):
        return _within(queryset, name, value)

    def filter_date_from(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            Q(end_date__gte=value) | Q(end_date__isnull=True, start_date__gte=value)
        )


class TerritorialPriorityFilter(django_filters.FilterSet):
    within = TerritoryReferenceFilter(method="filter_within", help_text=IN_HELP)
    kind = django_filters.ChoiceFilter(
        choices=PriorityKind.choices,
        help_text=_("Nature : market (marché cible), sector (filière)."),
    )
    country = CountryCodeFilter(
        field_name="country", help_text=_("Marché cible, code ISO 3166 alpha-2 (ex. MA).")
    )
    sector = CodeChoiceFilter(
        queryset=Sector.objects.all(),
        field_name="sector",
        help_text=_("Filière ou section / division NAF rév. 2 (voir /api/v1/sectors/)."),
    )
    year = IntegerFilter(
        method="filter_year",
        min_value=1900,
        max_value=2200,
        help_text=_("Priorités en vigueur cette année-là (période vide : toujours en vigueur)."),
    )

    class Meta:
        model = TerritorialPriority
        fields: list[str] = []

    def filter_within(self, queryset, name, value):
        return _within(queryset, name, value)

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            Q(start_year__isnull=True) | Q(start_year__lte=value),
            Q(end_year__isnull=True) | Q(end_year__gte=value),
        )


for _filterset in (TerritorialEventFilter, TerritorialPriorityFilter):
    _filterset.base_filters["in"] = _filterset.base_filters.pop("within")
