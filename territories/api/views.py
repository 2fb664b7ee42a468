from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin
from territories.api.serializers import (
    CommuneResolutionSerializer,
    PostalCodeSerializer,
    TerritoryDetailSerializer,
    TerritoryListItemSerializer,
    TerritoryRefSerializer,
)
from territories.filters import TerritoryFilter
from territories.models import Territory
from territories.selectors import (
    communes_for_postal_code,
    get_territory,
    postal_codes_of,
    resolve_commune,
)


def _detail_context(view, territory: Territory) -> dict:
    context = view.get_serializer_context() if hasattr(view, "get_serializer_context") else {}
    context["request"] = view.request
    context["ancestors"] = list(
        Territory.objects.ancestors_of(territory, include_self=False).order_by("rank")
    )
    context["postal_codes"] = postal_codes_of(territory=territory) if territory.is_place else []
    return context


@extend_schema(tags=["territoires"])
class TerritoryListView(QueryContractMixin, generics.ListAPIView):
    """Territoires (communes, EPCI, départements, régions, pays), filtrables et paginés."""

    serializer_class = TerritoryListItemSerializer
    filterset_class = TerritoryFilter
    queryset = Territory.objects.select_related("parent").order_by("rank", "code")


@extend_schema(
    tags=["territoires"],
    parameters=[
        OpenApiParameter("level", str, OpenApiParameter.PATH, description="Niveau du territoire."),
        OpenApiParameter("code", str, OpenApiParameter.PATH, description="Code officiel."),
    ],
    responses=TerritoryDetailSerializer,
)
class TerritoryDetailView(QueryContractMixin, APIView):
    """Un territoire, ses ancêtres (EPCI, département, région, France) et ses codes postaux."""

    def get(self, request: Request, level: str, code: str) -> Response:
        territory = get_territory(level=level, code=code)
        data = TerritoryDetailSerializer(territory, context=_detail_context(self, territory)).data
        return Response(data)


@extend_schema(
    tags=["territoires"],
    parameters=[
        OpenApiParameter("level", str, OpenApiParameter.PATH),
        OpenApiParameter("code", str, OpenApiParameter.PATH),
    ],
    responses=TerritoryRefSerializer(many=True),
)
class TerritoryAncestorsView(QueryContractMixin, APIView):
    """Les territoires qui contiennent celui-ci, du plus fin au plus large."""

    def get(self, request: Request, level: str, code: str) -> Response:
        territory = get_territory(level=level, code=code)
        ancestors = Territory.objects.ancestors_of(territory, include_self=False).order_by("rank")
        return Response(TerritoryRefSerializer(ancestors, many=True).data)


@extend_schema(
    tags=["territoires"],
    responses=PostalCodeSerializer,
    examples=[
        OpenApiExample(
            "Code postal partagé",
            description="13100 dessert cinq communes, dont Aix-en-Provence.",
            value={"code": "13100", "ambiguous": True, "communes": []},
            response_only=True,
        )
    ],
)
class PostalCodeView(QueryContractMixin, APIView):
    """Les communes desservies par un code postal (une ou plusieurs)."""

    def get(self, request: Request, code: str) -> Response:
        communes = communes_for_postal_code(code=code)
        payload = {"code": code.strip(), "ambiguous": len(communes) > 1, "communes": communes}
        return Response(PostalCodeSerializer(payload, context={"request": request}).data)


@extend_schema(tags=["territoires"], responses=CommuneResolutionSerializer)
class CommuneView(QueryContractMixin, APIView):
    """Une commune par son code INSEE, actuel ou ancien (commune fusionnée ou déléguée)."""

    def get(self, request: Request, code: str) -> Response:
        resolution = resolve_commune(code=code)
        commune = resolution.commune
        payload = {
            "requested_code": code.strip().upper(),
            "resolved_from_alias": resolution.alias is not None,
            "message": resolution.message,
            "commune": commune,
        }
        return Response(
            CommuneResolutionSerializer(payload, context=_detail_context(self, commune)).data
        )
