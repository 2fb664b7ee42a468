"""``/api/v1/unmet-searches/``: relay lookups that found no competent relay, counted by commune,
service, target country and month (``structures.unmet_searches``).

Public read, like the rest of the registry's reference data: the rows are anonymous aggregates
(no SIRET, address, user or time finer than the month is ever stored), and showing where firms
looked for help in vain is the point of counting them. JSON is paginated; ``?format=csv`` gives
the whole filtered set in one file (``X-Total-Count``), as the other lists do.
"""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from core.api.contract import QueryContractMixin
from core.api.renderers import CSVRenderer
from core.api.streaming import StreamedExportMixin
from structures.api.serializers import ServiceRefSerializer
from structures.filters import UnmetSearchFilter
from structures.models import UnmetSearch
from structures.unmet_searches import unmet_searches_in
from territories.api.serializers import TerritoryRefSerializer


class UnmetSearchSerializer(serializers.ModelSerializer):
    commune = TerritoryRefSerializer(
        help_text=_("Commune (ou arrondissement municipal) d'où l'on a cherché.")
    )
    service = ServiceRefSerializer()
    country = TerritoryRefSerializer(
        allow_null=True, help_text=_("Pays cible ; null : recherche sans pays cible.")
    )
    month = serializers.SerializerMethodField(help_text=_("Mois des recherches, AAAA-MM."))
    count = serializers.IntegerField(
        help_text=_("Nombre de recherches de ce mois restées sans relais compétent.")
    )

    class Meta:
        model = UnmetSearch
        fields = ["commune", "service", "country", "month", "count"]

    def get_month(self, obj) -> str:
        return f"{obj.month:%Y-%m}"


@extend_schema(
    tags=["relais"],
    summary=_("Recherches restées sans relais"),
    description=_(
        "Les recherches de relais (page de recherche et /api/v1/relays/) qui n'ont trouvé aucun "
        "relais compétent — seulement des solutions de repli, ou rien —, comptées par commune, "
        "service, pays cible et mois. Rien de personnel n'est conservé (ni SIRET, ni adresse "
        "IP, ni utilisateur) ; les mois plus anciens que la durée de conservation sont "
        "supprimés. Ordre : mois décroissant, commune, service, pays. Formats : JSON (paginé), "
        "?format=csv (tout l'ensemble filtré, nombre de lignes dans X-Total-Count)."
    ),
    responses={
        (200, "application/json"): UnmetSearchSerializer(many=True),
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR, description=_("Tout l'ensemble filtré, une ligne par comptage.")
        ),
        400: OpenApiResponse(description=_("Filtre invalide (détail par paramètre).")),
    },
    examples=[
        OpenApiExample(
            "Financement export depuis la Guadeloupe",
            summary="?in=departement:971&service=export-finance&month_from=2026-10",
            value={
                "commune": {"level": "commune", "code": "97105", "name": "Basse-Terre"},
                "service": {"code": "export-finance", "name": "Financement export"},
                "country": None,
                "month": "2026-11",
                "count": 32,
            },
            response_only=True,
            status_codes=["200"],
        )
    ],
)
class UnmetSearchListView(QueryContractMixin, StreamedExportMixin, generics.ListAPIView):
    serializer_class = UnmetSearchSerializer
    filterset_class = UnmetSearchFilter
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    export_filename = "recherches-sans-relais"

    def get_queryset(self):
        return (
            unmet_searches_in()
            .select_related("commune", "service", "country")
            .order_by(
                "-month",
                "commune__code",
                "service__position",
                "service__code",
                # Searches without a country first on both databases (PostgreSQL puts NULL last).
                F("country__code").asc(nulls_first=True),
                "pk",
            )
        )
