"""Structures, offers, contacts and the reference catalogues (``/api/v1/``).

Views stay thin: what a caller may see comes from ``structures.selectors`` (rules:
``structures.permissions``), filters from
``structures.filters``, writes from ``structures.services`` (the same functions as the admin).
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from core.api.contract import QueryContractMixin
from core.api.etag import expected_version
from core.api.streaming import StreamedExportMixin, streamed_list_schema
from structures import competence, moderation, selectors, services
from structures.api.duplicates import (
    CONFLICT_RESPONSE,
    StructureCreateInputSerializer,
    refuse_possible_duplicates,
)
from structures.api.inputs import (
    ContactInputSerializer,
    OfferInputSerializer,
    StructureInputSerializer,
)
from structures.api.mixins import (
    TABULAR_RENDERERS,
    ConditionalRetrieveMixin,
    ServiceErrorsMixin,
    require_editor,
    require_placement,
    tagged,
)
from structures.api.serializers import (
    ContactSerializer,
    ModeratedUpdateSerializer,
    OfferSerializer,
    PendingChangeSerializer,
    SectorSerializer,
    ServiceSerializer,
    StructureDetailSerializer,
    StructureSerializer,
)
from structures.enums import MarketStatus
from structures.filters import ContactFilter, OfferFilter, SectorFilter, StructureFilter
from structures.models import Sector, Service
from structures.permissions import caller_for
from territories.api.serializers import TerritorySerializer
from territories.models import Territory

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=_('L\'ETag reçu à la lecture (ex. "12.v3") : refus 412 si la fiche a changé.'),
)
WRITE_ERRORS = {
    400: OpenApiResponse(description=_("Données invalides (détail par champ).")),
    401: OpenApiResponse(description=_("Authentification requise.")),
    403: OpenApiResponse(description=_("Fiche d'une autre structure ou hors périmètre.")),
    412: OpenApiResponse(description=_("ETag périmé : la fiche a changé depuis la lecture.")),
    428: OpenApiResponse(description=_("En-tête If-Match manquant.")),
}


def _markets(validated: dict):
    if "markets" not in validated:
        return None
    # A partial update (PATCH) leaves the nested defaults out: a market without a status is
    # active, as on creation.
    return {m["country"]: m.get("status", MarketStatus.ACTIVE) for m in validated.pop("markets")}


def _refuse_moves(validated: dict, obj, fields: tuple[str, ...]) -> None:
    errors = {}
    for name in fields:
        if name in validated and getattr(obj, f"{name}_id") != validated[name].pk:
            errors[name] = [_("Ce champ ne peut pas être modifié : créez plutôt un nouvel objet.")]
        validated.pop(name, None)
    if errors:
        raise exceptions.ValidationError(errors)


# --- Structures ---------------------------------------------------------------------------------

NOT_A_CREATOR = _(
    "Seuls un administrateur du registre et le personnel d'une structure (pour une antenne de "
    "leur réseau) créent une structure."
)


@extend_schema_view(
    get=extend_schema(
        tags=["structures"],
        summary=_("Liste des structures"),
        description=_(
            "Structures publiées (plus, pour leur personnel, les fiches non publiées qu'ils "
            "gèrent). Formats : JSON (défaut, paginé : page_size ≤ 100, ordre stable), "
            "?format=csv et ?format=geojson (points issus des coordonnées enregistrées) : "
            "ces deux formats donnent tout l'ensemble filtré en un fichier (page et page_size "
            "ne s'y appliquent pas), avec le nombre de lignes dans l'en-tête X-Total-Count. "
            "En CSV, une cellule de texte commençant par =, +, - ou @ est précédée d'une "
            "apostrophe (protection contre l'injection de formules dans les tableurs)."
        ),
        **streamed_list_schema(StructureSerializer),
    ),
    post=extend_schema(
        tags=["structures"],
        summary=_("Créer une structure"),
        description=_(
            "Un administrateur du registre crée toute structure. Le personnel d'une structure "
            "crée une antenne ou un point d'accueil de son réseau : la tête de réseau (parent) "
            "est l'une des structures dont il fait partie, la commune est dans son périmètre ; "
            "la fiche n'est pas publiée (is_validated faux) avant sa validation par un "
            "administrateur du registre, et son auteur rejoint son équipe pour la compléter."
        ),
        request=StructureCreateInputSerializer,
        responses={201: StructureDetailSerializer, **WRITE_ERRORS, 409: CONFLICT_RESPONSE},
    ),
)
class StructureListView(
    QueryContractMixin, StreamedExportMixin, ServiceErrorsMixin, generics.ListCreateAPIView
):
    serializer_class = StructureSerializer
    export_filename = "structures"
    filterset_class = StructureFilter
    renderer_classes = TABULAR_RENDERERS
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.structure_list_for(caller=caller_for(self.request)).order_by("name", "pk")

    def create(self, request, *args, **kwargs):
        if not moderation.may_create_structures(request.user):
            raise exceptions.PermissionDenied(NOT_A_CREATOR)
        serializer = StructureCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        require_placement(request, serializer.validated_data)
        data = dict(serializer.validated_data)
        refuse_possible_duplicates(data, request)
        structure = self.call_service(moderation.create_listing, data=data, user=request.user)
        structure = selectors.structure_detail_for(caller=caller_for(request)).get(pk=structure.pk)
        body = StructureDetailSerializer(structure, context=self.get_serializer_context()).data
        return tagged(Response(body, status=status.HTTP_201_CREATED), structure)


class _StructureDetailBase(
    QueryContractMixin, ConditionalRetrieveMixin, ServiceErrorsMixin, generics.RetrieveUpdateAPIView
):
    serializer_class = StructureDetailSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.structure_detail_for(caller=caller_for(self.request))

    def update(self, request, *args, **kwargs):
        structure = self.get_object()
        require_editor(request, structure)
        version = expected_version(request, structure)
        serializer = StructureInputSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        require_placement(request, serializer.validated_data)
        result = self.call_service(
            moderation.update_or_propose,
            structure=structure,
            data=dict(serializer.validated_data),
            expected_version=version,
            user=request.user,
        )
        fresh = self.get_queryset().get(pk=structure.pk)
        body = self.get_serializer(fresh).data
        if result.pending is None:
            return tagged(Response(body), fresh)
        # Sensitive changes of a published listing wait for a registry administrator.
        accepted = {
            "detail": result.message,
            "pending_change": PendingChangeSerializer(result.pending).data,
            "structure": body,
        }
        return tagged(Response(accepted, status=status.HTTP_202_ACCEPTED), fresh)


def _detail_schema(suffix: str):
    return extend_schema_view(
        get=extend_schema(operation_id=f"structures_retrieve{suffix}"),
        put=extend_schema(operation_id=f"structures_update{suffix}"),
        patch=extend_schema(operation_id=f"structures_partial_update{suffix}"),
    )


MODERATED_WRITE = _(
    "Sur une fiche publiée, une modification du nom, du type de structure, de la tête de "
    "réseau, ou une couverture élargie à une région ou à un pays, par quelqu'un qui n'est pas "
    "administrateur du registre, n'est pas appliquée : elle attend sa validation (réponse 202, "
    "avec la modification en attente ; une seule par structure, les propositions suivantes s'y "
    "ajoutent). Les autres champs de la même écriture sont appliqués."
)
STRUCTURE_WRITE_RESPONSES = {
    200: StructureDetailSerializer,
    202: OpenApiResponse(
        ModeratedUpdateSerializer,
        description=_("Appliquée, sauf les changements sensibles, en attente de validation."),
    ),
    **WRITE_ERRORS,
}

_DETAIL_SCHEMA = extend_schema_view(
    get=extend_schema(tags=["structures"], summary=_("Une structure, ses offres et contacts")),
    put=extend_schema(
        tags=["structures"],
        summary=_("Modifier une structure (personnel de la structure)"),
        description=MODERATED_WRITE,
        parameters=[IF_MATCH],
        request=StructureInputSerializer,
        responses=STRUCTURE_WRITE_RESPONSES,
    ),
    patch=extend_schema(
        tags=["structures"],
        description=MODERATED_WRITE,
        parameters=[IF_MATCH],
        request=StructureInputSerializer,
        responses=STRUCTURE_WRITE_RESPONSES,
    ),
)


@_detail_schema("")
@_DETAIL_SCHEMA
class StructureDetailView(_StructureDetailBase):
    """Par identifiant numérique."""

    lookup_field = "pk"


@_detail_schema("_by_slug")
@_DETAIL_SCHEMA
class StructureBySlugView(_StructureDetailBase):
    """Par identifiant d'URL (slug)."""

    lookup_field = "slug"


# --- Offers -------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(tags=["offres"], summary=_("Offres de service")),
    post=extend_schema(
        tags=["offres"],
        summary=_("Créer une offre (personnel de la structure)"),
        request=OfferInputSerializer,
        responses={201: OfferSerializer, **WRITE_ERRORS},
    ),
)
class OfferListView(QueryContractMixin, ServiceErrorsMixin, generics.ListCreateAPIView):
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.offer_list_for(caller=caller_for(self.request)).order_by("pk")

    def create(self, request, *args, **kwargs):
        serializer = OfferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("confirm_narrowing", None)  # a new offer only adds searches
        structure, service = data.pop("structure"), data.pop("service")
        require_editor(request, structure)
        markets = _markets(data)
        offer = self.call_service(
            services.create_offer,
            structure=structure,
            service=service,
            data=data,
            markets=markets,
            user=request.user,
        )
        offer = self.get_queryset().get(pk=offer.pk)
        body = self.get_serializer(offer).data
        return tagged(Response(body, status=status.HTTP_201_CREATED), offer)


@extend_schema_view(
    get=extend_schema(tags=["offres"]),
    put=extend_schema(
        tags=["offres"],
        parameters=[IF_MATCH],
        request=OfferInputSerializer,
        responses={200: OfferSerializer, **WRITE_ERRORS},
    ),
    patch=extend_schema(
        tags=["offres"],
        parameters=[IF_MATCH],
        request=OfferInputSerializer,
        responses={200: OfferSerializer, **WRITE_ERRORS},
    ),
)
class OfferDetailView(
    QueryContractMixin,
    ConditionalRetrieveMixin,
    ServiceErrorsMixin,
    generics.RetrieveUpdateAPIView,
):
    serializer_class = OfferSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.offer_list_for(caller=caller_for(self.request))

    def update(self, request, *args, **kwargs):
        offer = self.get_object()
        require_editor(request, offer.structure)
        version = expected_version(request, offer)
        serializer = OfferInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _refuse_moves(data, offer, ("structure", "service"))
        markets = _markets(data)
        confirmed = data.pop("confirm_narrowing", False)
        with transaction.atomic():
            before = competence.saved_competence(offer)
            self.call_service(
                services.update_offer,
                offer=offer,
                data=data,
                expected_version=version,
                markets=markets,
                user=request.user,
            )
            # What the write did to the searches that find the offer, read back from what was
            # written; a narrowing not confirmed is refused and rolled back (the same rule as the
            # admin page, structures.competence).
            preview = competence.preview_competence_change(
                before=before, after=competence.saved_competence(offer)
            )
            self.call_service(competence.require_confirmation, preview=preview, confirmed=confirmed)
        fresh = self.get_queryset().get(pk=offer.pk)
        return tagged(Response(self.get_serializer(fresh).data), fresh)


# --- Contacts -----------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=["contacts"],
        summary=_("Contacts"),
        description=_(
            "Contacts publics ; les contacts non publics seulement pour le personnel de leur "
            "structure et les détenteurs du droit « voir les contacts »."
        ),
    ),
    post=extend_schema(
        tags=["contacts"],
        request=ContactInputSerializer,
        responses={201: ContactSerializer, **WRITE_ERRORS},
    ),
)
class ContactListView(QueryContractMixin, ServiceErrorsMixin, generics.ListCreateAPIView):
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return (
            selectors.visible_contacts(caller=caller_for(self.request))
            .select_related("structure")
            .order_by("structure_id", "position", "pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = ContactInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        structure = data.pop("structure")
        require_editor(request, structure)
        contact = self.call_service(
            services.create_contact, structure=structure, data=data, user=request.user
        )
        return tagged(
            Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED), contact
        )


@extend_schema_view(
    get=extend_schema(tags=["contacts"]),
    put=extend_schema(
        tags=["contacts"],
        parameters=[IF_MATCH],
        request=ContactInputSerializer,
        responses={200: ContactSerializer, **WRITE_ERRORS},
    ),
    patch=extend_schema(
        tags=["contacts"],
        parameters=[IF_MATCH],
        request=ContactInputSerializer,
        responses={200: ContactSerializer, **WRITE_ERRORS},
    ),
)
class ContactDetailView(
    QueryContractMixin, ConditionalRetrieveMixin, ServiceErrorsMixin, generics.RetrieveUpdateAPIView
):
    serializer_class = ContactSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.visible_contacts(caller=caller_for(self.request)).select_related(
            "structure"
        )

    def update(self, request, *args, **kwargs):
        contact = self.get_object()
        require_editor(request, contact.structure)
        version = expected_version(request, contact)
        serializer = ContactInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _refuse_moves(data, contact, ("structure",))
        updated = self.call_service(
            services.update_contact,
            contact=contact,
            data=data,
            expected_version=version,
            user=request.user,
        )
        return tagged(Response(ContactSerializer(updated).data), updated)


# --- Reference catalogues -----------------------------------------------------------------------


@extend_schema(tags=["référentiels"], summary=_("Catalogue des services"))
class ServiceListView(QueryContractMixin, generics.ListAPIView):
    serializer_class = ServiceSerializer
    pagination_class = None
    queryset = selectors.service_list()


@extend_schema(tags=["référentiels"])
class ServiceDetailView(QueryContractMixin, generics.RetrieveAPIView):
    serializer_class = ServiceSerializer
    queryset = Service.objects.all()
    lookup_field = "code"


@extend_schema(tags=["référentiels"], summary=_("Secteurs (NAF rév. 2 et filières)"))
class SectorListView(QueryContractMixin, generics.ListAPIView):
    serializer_class = SectorSerializer
    filterset_class = SectorFilter
    queryset = selectors.sector_list()


@extend_schema(tags=["référentiels"])
class SectorDetailView(QueryContractMixin, generics.RetrieveAPIView):
    serializer_class = SectorSerializer
    queryset = Sector.objects.select_related("parent")
    lookup_field = "code"

    def get_object(self):
        if "\x00" in self.kwargs["code"]:  # PostgreSQL refuses NUL in text
            raise exceptions.NotFound()
        return super().get_object()


@extend_schema(
    tags=["référentiels"],
    summary=_("Pays (cibles des offres), codes ISO 3166 alpha-2"),
)
class CountryListView(QueryContractMixin, generics.ListAPIView):
    serializer_class = TerritorySerializer
    filter_backends = []

    def get_queryset(self):
        return Territory.objects.filter(level="country").select_related("parent").order_by("code")


@extend_schema(tags=["référentiels"], responses=TerritorySerializer)
class CountryDetailView(QueryContractMixin, generics.RetrieveAPIView):
    serializer_class = TerritorySerializer

    def get_object(self):
        code = self.kwargs["code"].strip().upper()
        if "\x00" in code:  # PostgreSQL refuses NUL in text
            raise exceptions.NotFound()
        return get_object_or_404(
            Territory.objects.select_related("parent"), level="country", code=code
        )
