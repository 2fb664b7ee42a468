"""``/api/v1/programmes/``: the schemes and their local doors (rule R6), read only.

Public reference data, like the services and sectors: current programmes only (active, today
within their period of validity), doors at published structures only, a door's contact only
when the caller may read it (``structures.selectors.readable_contacts_q``). Territories are
given by their official codes (INSEE COG, ISO 3166 for France). Registry administrators edit
them in the admin (``structures.admin.programme``).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers

from core.api.contract import QueryContractMixin
from structures.api.serializers import StructureRefSerializer
from structures.filters import ProgrammeEntryPointFilter, ProgrammeFilter
from structures.models import Contact, Programme, ProgrammeEntryPoint
from structures.permissions import caller_for
from structures.programmes import programme_entry_points, programme_list
from territories.api.serializers import TerritoryRefSerializer


class DoorContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email"]


class ProgrammeSerializer(serializers.ModelSerializer):
    operator = StructureRefSerializer(
        allow_null=True, help_text=_("L'opérateur, s'il figure au registre ; sinon operator_name.")
    )
    area = TerritoryRefSerializer(
        allow_null=True,
        help_text=_(
            "Territoire d'application d'un dispositif régional ou départemental ; null : "
            "toute la France."
        ),
    )
    services = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("Codes des besoins couverts (voir /api/v1/services/)."),
    )
    door_count = serializers.IntegerField(help_text=_("Nombre de portes d'entrée publiées."))
    page = serializers.SerializerMethodField(help_text=_("Adresse de la page publique."))

    class Meta:
        model = Programme
        fields = [
            "slug",
            "name",
            "level",
            "operator",
            "operator_name",
            "area",
            "summary",
            "services",
            "eligibility",
            "min_employees",
            "max_employees",
            "official_url",
            "starts_on",
            "ends_on",
            "is_demo",
            "door_count",
            "page",
        ]

    def get_page(self, obj) -> str:
        return obj.get_absolute_url()


class ProgrammeEntryPointSerializer(serializers.ModelSerializer):
    territory = TerritoryRefSerializer(
        help_text=_("Territoire où cette porte est la bonne (code INSEE, FR pour la France).")
    )
    structure = StructureRefSerializer()
    contact = DoorContactSerializer(
        allow_null=True,
        help_text=_("Guichet ou personne à voir ; null : aucun, ou non public."),
    )

    class Meta:
        model = ProgrammeEntryPoint
        fields = ["id", "territory", "structure", "contact", "note"]


_PROGRAMME_EXAMPLE = {
    "slug": "assurance-prospection-bpifrance",
    "name": "Assurance prospection (Bpifrance)",
    "level": "national",
    "operator": {"id": 5, "slug": "bpifrance", "name": "Bpifrance", "acronym": ""},
    "operator_name": "",
    "area": None,
    "summary": "Avance et assure une partie des dépenses de prospection à l'étranger.",
    "services": ["export-insurance", "export-finance"],
    "eligibility": "Entreprises françaises de moins de 500 M€ de chiffre d'affaires.",
    "min_employees": None,
    "max_employees": None,
    "official_url": "https://www.bpifrance.fr/catalogue-offres/assurance-prospection",
    "starts_on": None,
    "ends_on": None,
    "is_demo": True,
    "door_count": 22,
    "page": "/dispositifs/assurance-prospection-bpifrance/",
}


@extend_schema(
    tags=["dispositifs"],
    summary=_("Dispositifs (nationaux, européens, régionaux, départementaux)"),
    description=_(
        "Les dispositifs en vigueur (actifs, date du jour dans leur période de validité), avec "
        "leur opérateur, leur niveau, leur territoire d'application, les besoins qu'ils couvrent "
        "et leur nombre de portes d'entrée locales. Ordre : nom."
    ),
    responses={
        200: ProgrammeSerializer(many=True),
        400: OpenApiResponse(description=_("Filtre invalide (détail par paramètre).")),
    },
    examples=[
        OpenApiExample(
            "Dispositifs d'assurance export applicables à Montpellier",
            summary="?service=export-insurance&commune=34172",
            value=_PROGRAMME_EXAMPLE,
            response_only=True,
            status_codes=["200"],
        )
    ],
)
class ProgrammeListView(QueryContractMixin, generics.ListAPIView):
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter

    def get_queryset(self):
        return programme_list()


@extend_schema(
    tags=["dispositifs"],
    summary=_("Un dispositif"),
    responses={200: ProgrammeSerializer, 404: OpenApiResponse(description=_("Inconnu."))},
    examples=[
        OpenApiExample(
            "Assurance prospection",
            value=_PROGRAMME_EXAMPLE,
            response_only=True,
            status_codes=["200"],
        )
    ],
)
class ProgrammeDetailView(QueryContractMixin, generics.RetrieveAPIView):
    serializer_class = ProgrammeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return programme_list()


@extend_schema(
    tags=["dispositifs"],
    summary=_("Les portes d'entrée locales d'un dispositif"),
    description=_(
        "Qui voir, et où, pour ce dispositif : une structure du registre (publiée) et, s'il est "
        "public, son guichet ou la personne à contacter, par territoire (code INSEE ; FR : "
        "toute la France). Avec commune=, la règle du registre choisit la ou les portes du "
        "territoire le plus fin qui contient la commune : commune, intercommunalité, "
        "département, région, puis France. Ordre : territoires les plus larges d'abord, puis "
        "code, puis nom de la structure."
    ),
    responses={
        200: ProgrammeEntryPointSerializer(many=True),
        400: OpenApiResponse(description=_("Filtre invalide (détail par paramètre).")),
        404: OpenApiResponse(description=_("Dispositif inconnu ou hors de sa période.")),
    },
    examples=[
        OpenApiExample(
            "La porte de l'assurance prospection à Montpellier",
            summary="?commune=34172",
            value={
                "id": 31,
                "territory": {"level": "departement", "code": "34", "name": "Hérault"},
                "structure": {
                    "id": 12,
                    "slug": "cci-herault",
                    "name": "CCI Hérault — service international",
                    "acronym": "CCI Hérault",
                },
                "contact": {
                    "name": "Service international",
                    "role": "Accueil export",
                    "phone": "+33499000001",
                    "email": "cci-herault.international@demo.invalid",
                },
                "note": "Prépare le dossier avec l'entreprise avant le dépôt chez Bpifrance.",
            },
            response_only=True,
            status_codes=["200"],
        ),
        OpenApiExample(
            "Commune inconnue",
            summary="?commune=99999",
            value={"commune": ["Aucune commune n'a le code INSEE « 99999 »."]},
            response_only=True,
            status_codes=["400"],
        ),
    ],
)
class ProgrammeEntryPointListView(QueryContractMixin, generics.ListAPIView):
    serializer_class = ProgrammeEntryPointSerializer
    filterset_class = ProgrammeEntryPointFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no slug
            return ProgrammeEntryPoint.objects.none()
        programme = get_object_or_404(programme_list(), slug=self.kwargs["slug"])
        return programme_entry_points(programme=programme, caller=caller_for(self.request))
