"""The insights API (public reads): the 4 D of a territory, and the events and priorities
coordinators record (writes stay in the admin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin
from core.api.renderers import CSVRenderer
from core.api.streaming import StreamedExportMixin
from insights.api.serializers import (
    DimensionsSerializer,
    TerritorialEventSerializer,
    TerritorialPrioritySerializer,
)
from insights.dimensions import dimension_rows, territory_dimensions
from insights.filters import TerritorialEventFilter, TerritorialPriorityFilter
from insights.models import TerritorialEvent, TerritorialPriority
from territories.selectors import get_territory

CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description=_("Tout l'ensemble filtré."))


@extend_schema(
    tags=["intelligence territoriale"],
    summary=_("Les 4 D d'un territoire"),
    description=_(
        "Densité, diversité, dynamiques et directionnalité (Torrès 2002) d'une région, d'un "
        "département ou d'un EPCI, avec les mêmes chiffres pour son territoire parent et ses "
        "voisins de même niveau, et la médiane nationale des indices de diversité à ce niveau. "
        "Définitions : docs/insights.md. Formats : JSON, ?format=csv (une ligne par territoire, "
        "dimension, indicateur et clé)."
    ),
    parameters=[
        OpenApiParameter(
            "level", str, OpenApiParameter.PATH, description=_("region, departement ou epci.")
        ),
        OpenApiParameter(
            "code",
            str,
            OpenApiParameter.PATH,
            description=_("Code officiel : INSEE (région, département), SIREN (EPCI)."),
        ),
    ],
    responses={
        (200, "application/json"): DimensionsSerializer,
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR,
            description=_("Colonnes : role, level, code, name, dimension, indicator, key, value."),
        ),
        400: OpenApiResponse(description=_("Niveau non pris en charge ou code mal formé.")),
        404: OpenApiResponse(description=_("Aucun territoire de ce niveau n'a ce code.")),
    },
)
class TerritoryDimensionsView(QueryContractMixin, APIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    def get(self, request: Request, level: str, code: str) -> Response:
        territory = get_territory(level=level, code=code)
        result = territory_dimensions(territory=territory)
        if getattr(request.accepted_renderer, "format", None) == "csv":
            filename = f"4d-{territory.level}-{territory.code}.csv"
            return Response(
                {"results": dimension_rows(result)},
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response(DimensionsSerializer(result).data)


@extend_schema(
    tags=["intelligence territoriale"],
    summary=_("Événements territoriaux"),
    description=_(
        "Actions collectives, missions de prospection, créations de groupements à l'export… "
        "enregistrés par les coordinateurs territoriaux. Ordre : date décroissante. Formats : "
        "JSON (paginé), ?format=csv (tout l'ensemble filtré, X-Total-Count)."
    ),
    responses={
        (200, "application/json"): TerritorialEventSerializer(many=True),
        (200, "text/csv"): CSV_RESPONSE,
        400: OpenApiResponse(description=_("Filtre invalide (détail par paramètre).")),
    },
)
class TerritorialEventListView(QueryContractMixin, StreamedExportMixin, generics.ListAPIView):
    serializer_class = TerritorialEventSerializer
    filterset_class = TerritorialEventFilter
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    export_filename = "evenements-territoriaux"

    def get_queryset(self):
        return TerritorialEvent.objects.select_related("territory", "country", "sector").order_by(
            "-start_date", "pk"
        )


@extend_schema(
    tags=["intelligence territoriale"],
    summary=_("Priorités territoriales"),
    description=_(
        "Marchés cibles et filières prioritaires des territoires, enregistrés par les "
        "coordinateurs territoriaux. Ordre : territoire (niveau, code), nature, id. Formats : "
        "JSON (paginé), ?format=csv."
    ),
    responses={
        (200, "application/json"): TerritorialPrioritySerializer(many=True),
        (200, "text/csv"): CSV_RESPONSE,
        400: OpenApiResponse(description=_("Filtre invalide (détail par paramètre).")),
    },
)
class TerritorialPriorityListView(QueryContractMixin, StreamedExportMixin, generics.ListAPIView):
    serializer_class = TerritorialPrioritySerializer
    filterset_class = TerritorialPriorityFilter
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    export_filename = "priorites-territoriales"

    def get_queryset(self):
        return TerritorialPriority.objects.select_related(
            "territory", "country", "sector"
        ).order_by("-territory__rank", "territory__code", "kind", "pk")
