"""Serializers of the insights API: events, priorities, and the 4 D (read from the selector's
dataclasses, attribute by attribute)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from insights.models import TerritorialEvent, TerritorialPriority
from territories.api.serializers import TerritoryRefSerializer


class SectorRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TerritorialEventSerializer(serializers.ModelSerializer):
    territory = TerritoryRefSerializer()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    country = TerritoryRefSerializer(allow_null=True, help_text=_("Pays cible, s'il y en a un."))
    sector = SectorRefSerializer(allow_null=True, help_text=_("Secteur ou filière, s'il y en a."))

    class Meta:
        model = TerritorialEvent
        fields = [
            "id",
            "territory",
            "kind",
            "kind_label",
            "title",
            "start_date",
            "end_date",
            "description",
            "country",
            "sector",
            "updated_at",
        ]


class TerritorialPrioritySerializer(serializers.ModelSerializer):
    territory = TerritoryRefSerializer()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    country = TerritoryRefSerializer(allow_null=True, help_text=_("Pour un marché cible."))
    sector = SectorRefSerializer(allow_null=True, help_text=_("Pour une filière."))
    label = serializers.CharField(
        source="display_label", help_text=_("Libellé (à défaut, le nom du pays ou de la filière).")
    )

    class Meta:
        model = TerritorialPriority
        fields = [
            "id",
            "territory",
            "kind",
            "kind_label",
            "country",
            "sector",
            "label",
            "notes",
            "start_year",
            "end_year",
            "updated_at",
        ]


# --- The 4 D (dataclasses of insights.dimensions) ---------------------------------------------


class DimTerritorySerializer(serializers.Serializer):
    level = serializers.CharField()
    code = serializers.CharField(help_text=_("Code officiel (INSEE, SIREN d'EPCI, ISO 3166)."))
    name = serializers.CharField()


class BreakdownSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Code du type de structure ou du service."))
    label = serializers.CharField()
    structures = serializers.IntegerField(
        help_text=_("Structures publiées situées dans le territoire (pour un service : l'offrant).")
    )
    offers = serializers.IntegerField(
        help_text=_("Offres actives de ces structures (services seulement ; 0 pour un type).")
    )
    relays = serializers.IntegerField(
        help_text=_(
            "Relais compétents : structures dont une offre active couvre le territoire ou une partie."
        )
    )
    structures_per_100k = serializers.FloatField(allow_null=True)
    relays_per_100k = serializers.FloatField(allow_null=True)
    structures_per_1000_smes = serializers.FloatField(allow_null=True)
    relays_per_1000_smes = serializers.FloatField(allow_null=True)


class ServiceCoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    population = serializers.IntegerField()
    covered_population = serializers.IntegerField(
        help_text=_("Habitants des communes ayant un relais compétent à moins de l'horizon.")
    )
    covered_share = serializers.FloatField(allow_null=True, help_text=_("Entre 0 et 1."))


class DensitySerializer(serializers.Serializer):
    population = serializers.IntegerField(help_text=_("Somme des populations des communes."))
    smes = serializers.IntegerField(help_text=_("PME enregistrées situées dans le territoire."))
    structures = serializers.IntegerField()
    relays = serializers.IntegerField()
    structures_per_100k = serializers.FloatField(allow_null=True)
    relays_per_100k = serializers.FloatField(allow_null=True)
    structures_per_1000_smes = serializers.FloatField(allow_null=True)
    relays_per_1000_smes = serializers.FloatField(allow_null=True)
    by_kind = BreakdownSerializer(many=True)
    by_service = BreakdownSerializer(many=True)
    coverage = ServiceCoverageSerializer(
        many=True, help_text=_("Part de la population couverte par service (territoire demandé).")
    )


class DiversitySerializer(serializers.Serializer):
    kinds_present = serializers.IntegerField()
    kinds_total = serializers.IntegerField()
    services_present = serializers.IntegerField()
    services_total = serializers.IntegerField()
    services_with_relay = serializers.IntegerField()
    shannon_kinds = serializers.FloatField(help_text=_("Indice de Shannon (ln) sur les types."))
    shannon_services = serializers.FloatField(
        help_text=_("Indice de Shannon (ln) sur les services des offres.")
    )


class KindCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class DynamicsSerializer(serializers.Serializer):
    structures_created = serializers.IntegerField()
    structures_updated = serializers.IntegerField()
    structures_confirmed = serializers.IntegerField()
    offers_created = serializers.IntegerField()
    offers_updated = serializers.IntegerField()
    offers_closed = serializers.IntegerField()
    events = serializers.IntegerField()
    events_by_kind = KindCountSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    territory = DimTerritorySerializer()
    density = DensitySerializer()
    diversity = DiversitySerializer()
    dynamics = DynamicsSerializer()


class RelayRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())
    explicit = serializers.BooleanField(
        help_text=_(
            "L'offre nomme la priorité (pays parmi ses marchés actifs, secteur) ; sinon généraliste."
        )
    )
    covers_whole = serializers.BooleanField(
        help_text=_("Sa couverture contient tout le territoire (sinon une partie).")
    )


class PriorityCheckSerializer(serializers.Serializer):
    priority_id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    code = serializers.CharField(help_text=_("Code ISO 3166 du pays ou code du secteur."))
    target = serializers.CharField()
    label = serializers.CharField()
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)
    has_relay = serializers.BooleanField()
    has_explicit_relay = serializers.BooleanField()
    relays = RelayRefSerializer(many=True)


class DirectionalitySerializer(serializers.Serializer):
    priorities = PriorityCheckSerializer(many=True)
    without_relay = serializers.SerializerMethodField(
        help_text=_("Codes des priorités sans aucun relais compétent.")
    )
    without_explicit_relay = serializers.SerializerMethodField(
        help_text=_("Codes des priorités sans relais qui les nomme.")
    )

    def get_without_relay(self, obj) -> list[str]:
        return [p.code for p in obj.without_relay]

    def get_without_explicit_relay(self, obj) -> list[str]:
        return [p.code for p in obj.without_explicit_relay]


class EventRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    territory = DimTerritorySerializer()
    country_code = serializers.CharField(allow_null=True)


class DimensionsSerializer(serializers.Serializer):
    period_start = serializers.DateField(help_text=_("Début de la période des dynamiques."))
    period_end = serializers.DateField()
    territory = FiguresSerializer()
    parent = FiguresSerializer(allow_null=True)
    siblings = FiguresSerializer(
        many=True, help_text=_("Le territoire et ses voisins de même niveau.")
    )
    national_median_shannon_kinds = serializers.FloatField()
    national_median_shannon_services = serializers.FloatField()
    directionality = DirectionalitySerializer()
    events = EventRefSerializer(many=True)
