"""``/api/v1/smes/partners/…``: the partner finder (``smes.partners``) for callers with SME rights.

The same access as ``/api/v1/smes/`` (``smes.access``): a registry administrator, or an agency
holding the right to read SMEs within its territories; candidates are drawn from the SMEs the
caller may read, and a SIRET names one of them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin
from core.api.validation import as_api_error
from core.geo import display_km
from smes.api.views import ERRORS, _SMEAccessMixin
from smes.enums import (
    EXPORT_GROUP_MAX_SIZE,
    EXPORT_GROUP_MIN_SIZE,
    EmployeeRange,
    ExportStage,
)
from smes.partners import (
    DEFAULT_LIMIT,
    DEFAULT_RADIUS_KM,
    MAX_LIMIT,
    MAX_RADIUS_KM,
    PartnerCandidate,
    PartnerProfile,
    partner_candidates,
    propose_groups,
)
from smes.selectors import partner_profile_for
from structures.permissions import caller_for


class PartnerQuerySerializer(serializers.Serializer):
    siret = serializers.CharField(
        max_length=20,
        required=False,
        help_text=_("SIRET d'une PME du registre visible par l'appelant ; ou bien le profil :"),
    )
    commune = serializers.CharField(
        max_length=10, required=False, help_text=_("Profil : code INSEE de la commune (34172).")
    )
    naf_code = serializers.CharField(
        max_length=8, required=False, help_text=_("Profil : code NAF rév. 2 (10.89Z).")
    )
    employee_range = serializers.ChoiceField(
        choices=EmployeeRange.choices,
        required=False,
        help_text=_("Profil : tranche d'effectif INSEE (11 = 10 à 19 salariés)."),
    )
    markets = serializers.CharField(
        max_length=400,
        required=False,
        help_text=_("Profil : pays visés, codes ISO 3166 séparés par des virgules (DE,MA)."),
    )
    export_stage = serializers.ChoiceField(
        choices=ExportStage.choices, required=False, help_text=_("Profil : stade d'exportation.")
    )
    radius_km = serializers.FloatField(
        required=False,
        default=DEFAULT_RADIUS_KM,
        min_value=1,
        max_value=MAX_RADIUS_KM,
        help_text=_("Distance maximale entre les entreprises, en km (1 à 200 ; 50 par défaut)."),
    )
    max_size_steps = serializers.IntegerField(
        required=False,
        default=1,
        min_value=0,
        max_value=3,
        help_text=_("Écart maximal de tranches d'effectif (0 à 3 ; 1 par défaut)."),
    )
    include_grouped = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Proposer aussi les entreprises déjà membres d'un groupement à l'export actif "
            "(écartées par défaut)."
        ),
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=_("Nombre de résultats (1 à 100)."),
    )

    def validate(self, attrs):
        try:
            attrs["profile"] = partner_profile_for(
                caller=self.context["caller"],
                siret=attrs.get("siret", ""),
                commune_code=attrs.get("commune", ""),
                naf_code=attrs.get("naf_code", ""),
                employee_range=attrs.get("employee_range", ""),
                market_codes=attrs.get("markets", "").split(","),
                export_stage=attrs.get("export_stage", ""),
            )
        except DjangoValidationError as exc:
            raise as_api_error(exc) from None
        return attrs


class GroupQuerySerializer(PartnerQuerySerializer):
    limit = serializers.IntegerField(
        required=False,
        default=5,
        min_value=1,
        max_value=20,
        help_text=_("Nombre de groupements proposés (1 à 20 ; 5 par défaut)."),
    )
    min_size = serializers.IntegerField(
        required=False,
        default=EXPORT_GROUP_MIN_SIZE,
        min_value=EXPORT_GROUP_MIN_SIZE,
        max_value=EXPORT_GROUP_MAX_SIZE,
        help_text=_("Taille minimale du groupement, l'entreprise comprise (3 à 5)."),
    )
    max_size = serializers.IntegerField(
        required=False,
        default=EXPORT_GROUP_MAX_SIZE,
        min_value=EXPORT_GROUP_MIN_SIZE,
        max_value=EXPORT_GROUP_MAX_SIZE,
        help_text=_("Taille maximale du groupement, l'entreprise comprise (3 à 5)."),
    )

    def validate(self, attrs):
        if attrs["min_size"] > attrs["max_size"]:
            raise serializers.ValidationError(
                {"min_size": [_("La taille minimale dépasse la taille maximale.")]}
            )
        return super().validate(attrs)


class ProfileSerializer(serializers.Serializer):
    siret = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    commune = serializers.CharField(source="commune_name")
    naf_code = serializers.CharField()
    employee_range = serializers.CharField()
    export_stage = serializers.CharField()
    markets = serializers.SerializerMethodField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()

    def get_markets(self, profile: PartnerProfile) -> list[str]:
        return [market.code for market in profile.markets]


class CandidateSerializer(serializers.Serializer):
    siret = serializers.CharField()
    name = serializers.CharField()
    commune = serializers.CharField(source="commune_name")
    naf_code = serializers.CharField()
    employee_range = serializers.CharField(help_text=_("Tranche d'effectif INSEE."))
    export_stage = serializers.CharField()
    distance_km = serializers.SerializerMethodField(help_text=_("Distance arrondie, en km."))
    shared_markets = serializers.ListField(
        source="shared_market_codes",
        child=serializers.CharField(),
        help_text=_("Pays visés en commun (ISO 3166)."),
    )
    shared_filieres = serializers.ListField(
        source="shared_filiere_codes",
        child=serializers.CharField(),
        help_text=_("Filières en commun."),
    )
    score = serializers.FloatField(
        help_text=_("Score (voir docs/partners.md) ; plus haut d'abord.")
    )
    why = serializers.CharField(help_text=_("Pourquoi cette entreprise, en une phrase."))
    warning = serializers.CharField(
        allow_blank=True, help_text=_("Même activité sur d'autres marchés : à vérifier.")
    )
    in_export_group = serializers.BooleanField(
        help_text=_("Déjà membre d'un groupement à l'export actif (avec include_grouped).")
    )
    export_groups = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Les groupements à l'export dont elle est déjà membre."),
    )

    def get_distance_km(self, candidate: PartnerCandidate) -> float:
        return float(display_km(candidate.distance_km))


class GroupSerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text=_("Nombre d'entreprises, celle de départ comprise."))
    score = serializers.FloatField()
    why = serializers.CharField()
    common_markets = serializers.ListField(
        source="common_market_codes", child=serializers.CharField()
    )
    max_distance_km = serializers.SerializerMethodField()
    warnings = serializers.ListField(child=serializers.CharField())
    members = CandidateSerializer(many=True, help_text=_("Les autres membres proposés."))

    def get_max_distance_km(self, group) -> float:
        return float(display_km(group.max_distance_km))


class CandidatesResponseSerializer(serializers.Serializer):
    profile = ProfileSerializer()
    results = CandidateSerializer(many=True)


class GroupsResponseSerializer(serializers.Serializer):
    profile = ProfileSerializer()
    results = GroupSerializer(many=True)


def _profile_body(profile: PartnerProfile) -> dict:
    return ProfileSerializer(profile).data


_EXAMPLE_PROFILE = {
    "siret": "",
    "name": "",
    "commune": "Montpellier",
    "naf_code": "10.89Z",
    "employee_range": "11",
    "export_stage": "regular",
    "markets": ["DE", "MA"],
    "latitude": 43.6134,
    "longitude": 3.8742,
}
_EXAMPLE_CANDIDATE = {
    "siret": "90000001200017",
    "name": "Domaine Solival (fictif)",
    "commune": "Lattes",
    "naf_code": "11.02B",
    "employee_range": "12",
    "export_stage": "regular",
    "distance_km": 6.1,
    "shared_markets": ["DE"],
    "shared_filieres": [],
    "score": 4.88,
    "why": "À 6,1 km (Lattes), elle vise aussi l'Allemagne ; 20 à 49 salariés, "
    "exportatrice régulière.",
    "warning": "",
    "in_export_group": False,
    "export_groups": [],
}


@extend_schema(
    tags=["pme"],
    summary=_("Partenaires possibles d'un groupement à l'export"),
    description=_(
        "Les PME consentantes qui pourraient former un groupement à l'export avec une PME du "
        "registre (siret=) ou une entreprise décrite par son profil (commune, naf_code, "
        "employee_range, export_stage, markets) : proches (radius_km), de taille voisine "
        "(max_size_steps), à un stade d'exportation compatible, partageant un marché ou une "
        "filière, jamais concurrentes sur un même marché, pas déjà membres d'un groupement à l'export "
        "(sauf include_grouped). Chacune avec sa raison en une phrase. "
        "Règles : docs/partners.md."
    ),
    parameters=[PartnerQuerySerializer],
    responses={200: CandidatesResponseSerializer, **ERRORS},
    examples=[
        OpenApiExample(
            "Profil à Montpellier",
            summary="?commune=34172&naf_code=10.89Z&employee_range=11&export_stage=regular"
            "&markets=DE,MA",
            value={"profile": _EXAMPLE_PROFILE, "results": [_EXAMPLE_CANDIDATE]},
            response_only=True,
            status_codes=["200"],
        ),
        OpenApiExample(
            "SIRET et profil à la fois",
            summary="?siret=…&commune=34172",
            value={
                "detail": "Donnez soit un SIRET, soit le profil de l'entreprise, pas les deux.",
                "code": "invalid",
                "errors": {
                    "siret": ["Donnez soit un SIRET, soit le profil de l'entreprise, pas les deux."]
                },
            },
            response_only=True,
            status_codes=["400"],
        ),
    ],
)
class _PartnerQueryView(QueryContractMixin, _SMEAccessMixin, APIView):
    """Validates the query (a 400 listing what is wrong), then answers with ``results``."""

    def get(self, request):
        caller = caller_for(request)
        query = self.query_serializer_class(data=request.query_params, context={"caller": caller})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            results = self.results(data, caller=caller)
        except DjangoValidationError as exc:
            raise as_api_error(exc) from None
        return Response({"profile": _profile_body(data["profile"]), "results": results})


class PartnerCandidatesView(_PartnerQueryView):
    query_serializer_class = PartnerQuerySerializer

    def results(self, data, *, caller) -> list:
        found = partner_candidates(
            profile=data["profile"],
            radius_km=data["radius_km"],
            max_size_steps=data["max_size_steps"],
            limit=data["limit"],
            caller=caller,
            include_grouped=data["include_grouped"],
        )
        return CandidateSerializer(found, many=True).data


@extend_schema(
    tags=["pme"],
    summary=_("Groupements à l'export proposés"),
    description=_(
        "Les meilleures combinaisons de 3 à 5 entreprises (celle de départ comprise) parmi ses "
        "partenaires possibles : deux membres ne sont jamais concurrents, sont à moins de "
        "radius_km l'un de l'autre, de tailles voisines et à des stades compatibles. Score : "
        "docs/partners.md."
    ),
    parameters=[GroupQuerySerializer],
    responses={200: GroupsResponseSerializer, **ERRORS},
    examples=[
        OpenApiExample(
            "Trois entreprises tournées vers l'Allemagne",
            summary="?siret=…&radius_km=40",
            value={
                "profile": _EXAMPLE_PROFILE,
                "results": [
                    {
                        "size": 3,
                        "score": 9.2,
                        "why": "3 entreprises à moins de 18 km les unes des autres, toutes "
                        "tournées vers l'Allemagne.",
                        "common_markets": ["DE"],
                        "max_distance_km": 18.0,
                        "warnings": [],
                        "members": [_EXAMPLE_CANDIDATE],
                    }
                ],
            },
            response_only=True,
            status_codes=["200"],
        ),
    ],
)
class PartnerGroupsView(_PartnerQueryView):
    query_serializer_class = GroupQuerySerializer

    def results(self, data, *, caller) -> list:
        groups = propose_groups(
            profile=data["profile"],
            radius_km=data["radius_km"],
            max_size_steps=data["max_size_steps"],
            min_size=data["min_size"],
            max_size=data["max_size"],
            limit=data["limit"],
            caller=caller,
            include_grouped=data["include_grouped"],
        )
        return GroupSerializer(groups, many=True).data
