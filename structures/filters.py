"""FilterSets of the structures domain, shared by the REST API and the public HTML directory.

The help texts are the API documentation (drf-spectacular copies them into the OpenAPI schema).
Every value is validated by a form field: a bad value is a 400 naming the parameter in the API,
a message under the field in HTML, never a 500. The FilterSets do not decide *which* rows a
caller may see (published only, staff scope): the view passes a queryset already scoped.
"""

from __future__ import annotations

import datetime
import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import (
    BeforeOrNeverFilter,
    BoundingBoxFilter,
    CodeChoiceFilter,
    SinceFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
)
from core.text import normalize_name
from structures.enums import (
    ContactKind,
    MarketStatus,
    ProgrammeLevel,
    SectorKind,
    ServiceIntensity,
    StructureKind,
)
from structures.models import (
    Contact,
    Offer,
    OfferMarket,
    Programme,
    ProgrammeEntryPoint,
    Sector,
    Service,
    Structure,
    UnmetSearch,
)
from structures.relay.criteria import expand_sector
from territories.enums import TerritoryLevel
from territories.filters import CommuneCodeFilter, CountryCodeFilter, TerritoryReferenceFilter

# How deep ``network`` follows the parent links (CCI France → régionale → territoriale → desk).
NETWORK_DEPTH = 4


def _sector_codes(value: Sector) -> frozenset[str]:
    return expand_sector(value.code) or frozenset({value.code})


def _offers_matching(
    offers: QuerySet[Offer], *, service=None, sector=None, market=None
) -> QuerySet[Offer]:
    """Offers of a service / for a sector / active in a target market (each only when given).

    A sector matches offers restricted to that sector (NAF division, its section, the filières
    spanning it) and generalist offers are *not* counted: the filter answers "who declares this
    sector", which is what a reuser asks for.
    """
    if service is not None:
        offers = offers.filter(service=service)
    if sector is not None:
        offers = offers.filter(
            Exists(
                Offer.sectors.through.objects.filter(
                    offer_id=OuterRef("pk"), sector__code__in=_sector_codes(sector)
                )
            )
        )
    if market is not None:
        offers = offers.filter(
            Exists(
                OfferMarket.objects.filter(
                    offer_id=OuterRef("pk"), country=market, status=MarketStatus.ACTIVE
                )
            )
        )
    return offers


class StructureFilter(django_filters.FilterSet):
    """Filters of the structure list (API ``/api/v1/structures/`` and the public directory)."""

    kind = django_filters.MultipleChoiceFilter(
        choices=StructureKind.choices,
        help_text=_("Type(s) de structure (répétable : ?kind=cci&kind=cma)."),
    )
    service = CodeChoiceFilter(
        queryset=Service.objects.all(),
        method="filter_offers",
        help_text=_(
            "Code d'un service (voir /api/v1/services/) : structures ayant une offre active "
            "de ce service."
        ),
    )
    sector = CodeChoiceFilter(
        queryset=Sector.objects.all(),
        method="filter_offers",
        help_text=_(
            "Code de secteur (section NAF « C », division « 10 » ou filière, voir "
            "/api/v1/sectors/) : structures dont une offre active est réservée à ce secteur "
            "(ou à sa section, ses divisions, ses filières)."
        ),
    )
    market = CountryCodeFilter(
        method="filter_offers",
        help_text=_(
            "Pays cible, code ISO 3166 alpha-2 (ex. MA) : structures dont une offre active "
            "vise explicitement ce marché (présence active, pas « en projet »)."
        ),
    )
    network = django_filters.CharFilter(
        method="filter_network",
        help_text=_(
            "Identifiant d'URL (slug) d'une tête de réseau : les structures qui en dépendent, "
            "directement ou non (CCI France → CCI régionales → CCI territoriales)."
        ),
    )
    covers = CommuneCodeFilter(
        method="filter_covers",
        help_text=_(
            "Code INSEE d'une commune : structures dont la couverture par défaut contient cette "
            "commune (directement, ou par son EPCI, son département, sa région, la France). "
            "Un ancien code est résolu vers la commune actuelle."
        ),
    )
    within = TerritoryReferenceFilter(
        method="filter_within",
        help_text=_(
            "Territoire où la structure est située (paramètre « in ») : « niveau:code » "
            "(departement:34, region:76, epci:243400017, commune:34172) ou un code seul "
            "(9 chiffres : EPCI ; 5 : commune ; 2 ou 3 : département ; 2 lettres : pays). Un "
            "code seul partagé par un département et une région (76) est refusé comme ambigu, "
            "avec les deux formes possibles : écrire region:76 ou departement:76."
        ),
    )
    bbox = BoundingBoxFilter(
        help_text=_(
            "Boîte englobante min_lon,min_lat,max_lon,max_lat (WGS 84) : structures dont le "
            "point s'y trouve (ex. 3.7,43.5,4.0,43.7)."
        ),
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_("Texte libre cherché dans le nom et le sigle, sans accents ni casse."),
    )
    is_active = StrictBooleanFilter(
        help_text=_("Vrai : structures actives seulement ; faux : inactives seulement."),
    )
    verified_before = BeforeOrNeverFilter(
        field_name="verified_at",
        help_text=_(
            "Fiches à revoir : jamais confirmées ou confirmées avant cette date "
            "(AAAA-MM-JJ ou date-heure ISO 8601)."
        ),
    )
    updated_since = SinceFilter(
        field_name="updated_at",
        help_text=_(
            "Synchronisation incrémentale : fiches modifiées depuis cette date-heure ISO 8601 "
            "(incluse). Trier par updated_at pour reprendre là où l'on s'est arrêté."
        ),
    )
    ordering = StableOrderingFilter(
        fields=(
            ("name", "name"),
            ("updated_at", "updated_at"),
            ("verified_at", "verified_at"),
            ("created_at", "created_at"),
        ),
        default_ordering=("name", "pk"),
        help_text=_(
            "Tri : name, updated_at, verified_at, created_at (préfixe « - » pour l'ordre "
            "décroissant) ; l'identifiant départage toujours les égalités."
        ),
    )

    class Meta:
        model = Structure
        fields: list[str] = []

    def filter_offers(self, queryset, name, value):
        # service, sector and market combine on the *same* offer: "an offer of trade fairs for
        # Morocco", not "some offer of trade fairs and some other offer for Morocco".
        if value is None or getattr(self, "_offers_filtered", False):
            return queryset
        self._offers_filtered = True
        data = self.form.cleaned_data
        offers = _offers_matching(
            Offer.objects.active().filter(structure_id=OuterRef("pk")),
            service=data.get("service"),
            sector=data.get("sector"),
            market=data.get("market"),
        )
        return queryset.filter(Exists(offers))

    def filter_network(self, queryset, name, value):
        slug = value.strip()
        if not slug:
            return queryset
        condition = Q()
        path = "parent"
        for _depth in range(NETWORK_DEPTH):
            condition |= Q(**{f"{path}__slug": slug})
            path += "__parent"
        return queryset.filter(condition)

    def filter_covers(self, queryset, name, value):
        return queryset.covering(value) if value is not None else queryset

    def filter_within(self, queryset, name, value):
        return queryset.located_in(value) if value is not None else queryset

    def filter_q(self, queryset, name, value):
        key = normalize_name(value or "")
        return queryset.filter(search_name__contains=key) if key else queryset

    def filter_queryset(self, queryset):
        self._offers_filtered = False
        return super().filter_queryset(queryset)


# "in" is a Python keyword: the filter is declared as ``within`` and published as ``in``.
StructureFilter.base_filters["in"] = StructureFilter.base_filters.pop("within")


class OfferFilter(django_filters.FilterSet):
    """Filters of the offer list (``/api/v1/offers/``)."""

    structure = django_filters.CharFilter(
        field_name="structure__slug", help_text=_("Identifiant d'URL (slug) de la structure.")
    )
    service = CodeChoiceFilter(
        queryset=Service.objects.all(),
        help_text=_("Code du service (voir /api/v1/services/)."),
    )
    sector = CodeChoiceFilter(
        queryset=Sector.objects.all(),
        method="filter_sector",
        help_text=_(
            "Code de secteur : offres réservées à ce secteur (ou à sa section, ses divisions, "
            "ses filières)."
        ),
    )
    market = CountryCodeFilter(
        method="filter_market",
        help_text=_("Pays cible ISO 3166 alpha-2 : offres actives sur ce marché."),
    )
    covers = CommuneCodeFilter(
        method="filter_covers",
        help_text=_(
            "Code INSEE d'une commune : offres dont la couverture (propre ou héritée de la "
            "structure) contient cette commune."
        ),
    )
    within = TerritoryReferenceFilter(
        method="filter_within",
        help_text=_(
            "Territoire où la structure est située (paramètre « in », même syntaxe que pour "
            "les structures)."
        ),
    )
    is_active = StrictBooleanFilter(help_text=_("Offres actives ou inactives."))
    intensity = django_filters.ChoiceFilter(
        choices=ServiceIntensity.choices,
        help_text=_(
            "Intensité du service d'un pôle ou cluster : occasional (ponctuel), regular "
            "(régulier) ou central (au cœur de son action internationale). Les offres des "
            "autres structures n'en ont pas."
        ),
        error_messages={
            "invalid_choice": _(
                "Intensité inconnue : « %(value)s » (attendu occasional, regular ou central)."
            )
        },
    )
    updated_since = SinceFilter(
        field_name="updated_at",
        help_text=_("Offres modifiées depuis cette date-heure ISO 8601 (incluse)."),
    )
    ordering = StableOrderingFilter(
        fields=(("updated_at", "updated_at"), ("created_at", "created_at")),
        default_ordering=("pk",),
        help_text=_("Tri : updated_at, created_at (« - » pour décroissant)."),
    )

    class Meta:
        model = Offer
        fields: list[str] = []

    def filter_sector(self, queryset, name, value):
        return _offers_matching(queryset, sector=value) if value is not None else queryset

    def filter_market(self, queryset, name, value):
        return _offers_matching(queryset, market=value) if value is not None else queryset

    def filter_covers(self, queryset, name, value):
        return queryset.covering(value) if value is not None else queryset

    def filter_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(structure__in=Structure.objects.located_in(value).values("pk"))


OfferFilter.base_filters["in"] = OfferFilter.base_filters.pop("within")


class ContactFilter(django_filters.FilterSet):
    """Filters of the contact list (``/api/v1/contacts/``)."""

    structure = django_filters.CharFilter(
        field_name="structure__slug", help_text=_("Identifiant d'URL (slug) de la structure.")
    )
    kind = django_filters.ChoiceFilter(
        choices=ContactKind.choices, help_text=_("person (une personne) ou desk (un service).")
    )
    updated_since = SinceFilter(
        field_name="updated_at",
        help_text=_("Contacts modifiés depuis cette date-heure ISO 8601 (incluse)."),
    )

    class Meta:
        model = Contact
        fields: list[str] = []


class SectorFilter(django_filters.FilterSet):
    """Filters of the sector catalogue (``/api/v1/sectors/``)."""

    kind = django_filters.ChoiceFilter(
        choices=SectorKind.choices,
        help_text=_("naf_section (sections NAF), naf_division (divisions NAF) ou filiere."),
        error_messages={
            "invalid_choice": _(
                "Nature inconnue : « %(value)s » (attendu naf_section, naf_division ou filiere)."
            )
        },
    )

    class Meta:
        model = Sector
        fields: list[str] = []


class MonthField(forms.CharField):
    """A month written ``AAAA-MM`` (2026-03), as the first day of that month."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        match = _MONTH.fullmatch(value.strip())
        if match is None or not 1 <= int(match["month"]) <= 12 or int(match["year"]) < 1900:
            raise forms.ValidationError(
                _("Mois invalide : « %(value)s » (attendu AAAA-MM, ex. 2026-03)."),
                code="invalid",
                params={"value": value},
            )
        return datetime.date(int(match["year"]), int(match["month"]), 1)


_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


class _MonthRangeForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("month_from"), cleaned.get("month_to")
        if since and until and since > until:
            self.add_error(
                "month_to", _("Le dernier mois (month_to) précède le premier (month_from).")
            )
        return cleaned


class UnmetSearchFilter(django_filters.FilterSet):
    """Filters of the unmet searches (``/api/v1/unmet-searches/``)."""

    within = TerritoryReferenceFilter(
        method="filter_within",
        help_text=_(
            "Territoire d'où l'on a cherché (paramètre « in », même syntaxe que pour les "
            "structures : departement:34, region:76, epci:243400017, commune:34172) : les "
            "communes qu'il contient."
        ),
    )
    service = CodeChoiceFilter(
        queryset=Service.objects.all(),
        field_name="service",
        help_text=_("Code du service cherché (voir /api/v1/services/)."),
    )
    country = CountryCodeFilter(
        field_name="country",
        help_text=_("Pays cible, code ISO 3166 alpha-2 (ex. MA)."),
    )
    month_from = MonthFilter(
        field_name="month",
        lookup_expr="gte",
        help_text=_("Premier mois compté, AAAA-MM (inclus)."),
    )
    month_to = MonthFilter(
        field_name="month",
        lookup_expr="lte",
        help_text=_("Dernier mois compté, AAAA-MM (inclus)."),
    )

    class Meta:
        model = UnmetSearch
        fields: list[str] = []
        form = _MonthRangeForm

    def filter_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(commune__ancestor_links__ancestor=value)


UnmetSearchFilter.base_filters["in"] = UnmetSearchFilter.base_filters.pop("within")


class ProgrammeFilter(django_filters.FilterSet):
    """Filters of the programme catalogue (``/api/v1/programmes/``)."""

    level = django_filters.ChoiceFilter(
        choices=ProgrammeLevel.choices,
        help_text=_("Niveau du dispositif : eu, national, regional ou departemental."),
        error_messages={
            "invalid_choice": _(
                "Niveau inconnu : « %(value)s » (attendu eu, national, regional ou departemental)."
            )
        },
    )
    service = CodeChoiceFilter(
        queryset=Service.objects.all(),
        field_name="services",
        help_text=_("Code d'un besoin couvert par le dispositif (voir /api/v1/services/)."),
    )
    commune = CommuneCodeFilter(
        method="filter_commune",
        help_text=_(
            "Code INSEE d'une commune (ancien code accepté) : les dispositifs qui s'y "
            "appliquent (nationaux et européens, et régionaux ou départementaux de son territoire)."
        ),
    )

    class Meta:
        model = Programme
        fields: list[str] = []

    def filter_commune(self, queryset, name, value):
        if value is None:
            return queryset
        from territories.models import TerritoryAncestor

        ancestors = TerritoryAncestor.objects.filter(descendant=value).values("ancestor_id")
        return queryset.filter(Q(area__isnull=True) | Q(area_id__in=ancestors))


class ProgrammeEntryPointFilter(django_filters.FilterSet):
    """Filters of a programme's doors (``/api/v1/programmes/<slug>/entry-points/``)."""

    within = TerritoryReferenceFilter(
        method="filter_within",
        help_text=_(
            "Territoire, sous la forme niveau:code (departement:34, region:76, epci:243400017, "
            "commune:34172) ou code INSEE seul : les portes enregistrées sur ce territoire ou "
            "sur un territoire qu'il contient."
        ),
    )
    level = django_filters.ChoiceFilter(
        field_name="territory__level",
        choices=TerritoryLevel.choices,
        help_text=_(
            "Niveau du territoire de la porte : commune, epci, departement, region ou country."
        ),
        error_messages={"invalid_choice": _("Niveau de territoire inconnu : « %(value)s ».")},
    )
    commune = CommuneCodeFilter(
        method="filter_commune",
        help_text=_(
            "Code INSEE d'une commune (ancien code accepté) : la ou les portes à y utiliser, "
            "celles du territoire le plus fin qui la contient (commune, intercommunalité, "
            "département, région, puis France). Liste vide : aucune porte pour ce lieu."
        ),
    )

    class Meta:
        model = ProgrammeEntryPoint
        fields: list[str] = []

    def filter_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(territory__ancestor_links__ancestor=value)

    def filter_commune(self, queryset, name, value):
        if value is None:
            return queryset
        from structures.programmes import finest_entry_point_ids

        return queryset.filter(pk__in=finest_entry_point_ids(queryset, commune=value))
