import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import StrictBooleanFilter
from territories.enums import TerritoryLevel
from territories.models import Territory
from territories.selectors import get_territory, search_territories


class TerritoryFilter(django_filters.FilterSet):
    level = django_filters.MultipleChoiceFilter(
        choices=TerritoryLevel.choices,
        help_text=_("Niveau(x) : arrondissement, commune, epci, departement, region, country."),
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_(
            "Recherche par nom, sans tenir compte des accents ni de la casse "
            "(« montpel », « saint etienne », « Évry ») ; des chiffres cherchent aussi les codes "
            "INSEE et postaux. Les meilleures correspondances viennent d'abord."
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
        return search_territories(query=value, current_only=False, queryset=queryset)

    def filter_within(self, queryset, name, value):
        level, _sep, code = value.partition(":")
        container = get_territory(level=level, code=code)
        return queryset.filter(ancestor_links__ancestor=container)
