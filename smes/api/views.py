"""``/api/v1/smes/``: SMEs for authorised callers only (see ``smes.access``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.contract import QueryContractMixin
from core.api.etag import PreconditionFailed, etag_for, expected_version
from core.api.streaming import StreamedExportMixin, streamed_list_schema
from core.api.validation import as_api_error
from smes import access
from smes.api.serializers import SMEInputSerializer, SMESerializer
from smes.filters import SMEFilter
from smes.models import SME
from smes.selectors import smes_visible_to
from smes.services.sme import create_or_update_sme
from smes.validators import normalize_identifier
from structures.api.mixins import TABULAR_RENDERERS, ConditionalRetrieveMixin
from structures.exceptions import StaleVersionError
from structures.permissions import caller_for

OUT_OF_SCOPE = _("Cette commune est hors du périmètre de votre jeton.")
NO_ACCESS = _(
    "Les données des PME ne sont pas publiques : il faut un compte autorisé (droit « voir les "
    "PME ») et, pour une agence, un jeton limité à son territoire."
)
ERRORS = {
    400: OpenApiResponse(description=_("Données invalides (détail par champ).")),
    401: OpenApiResponse(description=_("Authentification requise.")),
    403: OpenApiResponse(description=_("Pas de droit sur les PME, ou hors périmètre.")),
}


def _write_kwargs(validated: dict) -> dict:
    data = dict(validated)
    data.pop("siret", None)
    return data


def _check_scope(request, commune) -> None:
    allowed = access.commune_allowed(caller_for(request), commune)
    if commune is not None and not allowed:
        raise exceptions.PermissionDenied(OUT_OF_SCOPE)
    if commune is None and not allowed:
        raise exceptions.PermissionDenied(
            _("Avec un jeton limité à un territoire, la commune de l'entreprise est obligatoire.")
        )


def _call(**kwargs):
    try:
        return create_or_update_sme(**kwargs)
    except StaleVersionError as exc:
        raise PreconditionFailed(str(exc.message)) from None
    except DjangoValidationError as exc:
        raise as_api_error(exc) from None


def _read_queryset(request):
    return smes_visible_to(caller=caller_for(request))


class _SMEAccessMixin:
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.may_read_smes(caller_for(request)):
            raise exceptions.PermissionDenied(NO_ACCESS)


@extend_schema_view(
    get=extend_schema(
        tags=["pme"],
        summary=_("PME (accès restreint)"),
        description=_(
            "PME visibles par l'appelant : toutes pour un administrateur du registre, celles du "
            "périmètre du jeton pour une agence. Formats : JSON (paginé), ?format=csv et "
            "?format=geojson (tout l'ensemble filtré en un fichier, nombre de lignes dans "
            "l'en-tête X-Total-Count ; page et page_size ne s'y appliquent pas)."
        ),
        **streamed_list_schema(SMESerializer),
    ),
    post=extend_schema(
        tags=["pme"],
        summary=_("Enregistrer une PME"),
        request=SMEInputSerializer,
        responses={201: SMESerializer, **ERRORS},
    ),
)
class SMEListView(
    QueryContractMixin, _SMEAccessMixin, StreamedExportMixin, generics.ListCreateAPIView
):
    serializer_class = SMESerializer
    export_filename = "pme"
    filterset_class = SMEFilter
    renderer_classes = TABULAR_RENDERERS

    def get_queryset(self):
        return _read_queryset(self.request).order_by("name", "pk")

    def create(self, request, *args, **kwargs):
        if not access.may_add_smes(caller_for(request)):
            raise exceptions.PermissionDenied(_("Vous n'avez pas le droit d'enregistrer des PME."))
        serializer = SMEInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        siret = normalize_identifier(serializer.validated_data["siret"])
        if SME.objects.filter(siret=siret).exists():
            raise exceptions.ValidationError(
                {"siret": [_("Une PME a déjà ce SIRET : modifiez-la (PATCH) au lieu de la créer.")]}
            )
        _check_scope(request, serializer.validated_data.get("commune"))
        result = _call(siret=siret, user=request.user, **_write_kwargs(serializer.validated_data))
        sme = _read_queryset(request).get(pk=result.sme.pk)
        body = {**SMESerializer(sme).data, "warnings": result.warnings}
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(sme)
        return response


SIRET_PARAM = OpenApiParameter(
    "siret", str, OpenApiParameter.PATH, description=_("SIRET (14 chiffres).")
)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description=_("ETag lu.")
)


@extend_schema_view(
    get=extend_schema(tags=["pme"], parameters=[SIRET_PARAM]),
    put=extend_schema(
        tags=["pme"],
        parameters=[SIRET_PARAM, IF_MATCH],
        request=SMEInputSerializer,
        responses={
            200: SMESerializer,
            **ERRORS,
            412: OpenApiResponse(description=_("ETag périmé.")),
            428: OpenApiResponse(description=_("If-Match manquant.")),
        },
    ),
    patch=extend_schema(
        tags=["pme"],
        parameters=[SIRET_PARAM, IF_MATCH],
        request=SMEInputSerializer,
        responses={
            200: SMESerializer,
            **ERRORS,
            412: OpenApiResponse(description=_("ETag périmé.")),
            428: OpenApiResponse(description=_("If-Match manquant.")),
        },
    ),
)
class SMEDetailView(
    QueryContractMixin, _SMEAccessMixin, ConditionalRetrieveMixin, generics.RetrieveUpdateAPIView
):
    serializer_class = SMESerializer
    lookup_field = "siret"

    def get_queryset(self):
        return _read_queryset(self.request)

    def get_object(self):
        siret = normalize_identifier(self.kwargs["siret"])
        obj = None
        if siret.isascii() and siret.isdigit():
            obj = self.get_queryset().filter(siret=siret).first()
        if obj is None:
            raise exceptions.NotFound(_("Aucune PME visible n'a ce SIRET."))
        return obj

    def update(self, request, *args, **kwargs):
        sme = self.get_object()
        if not access.may_change_smes(caller_for(request)):
            raise exceptions.PermissionDenied(_("Vous n'avez pas le droit de modifier les PME."))
        serializer = SMEInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = _write_kwargs(serializer.validated_data)
        if "siret" in serializer.validated_data and (
            normalize_identifier(serializer.validated_data["siret"]) != sme.siret
        ):
            raise exceptions.ValidationError({"siret": [_("Le SIRET ne se modifie pas.")]})
        if "commune" in data:
            _check_scope(request, data["commune"])
        version = expected_version(request, sme)
        # The service compares the version under the row lock and claims the next one.
        result = _call(siret=sme.siret, expected_version=version, user=request.user, **data)
        fresh = _read_queryset(request).get(pk=result.sme.pk)
        response = Response({**SMESerializer(fresh).data, "warnings": result.warnings})
        response["ETag"] = etag_for(fresh)
        return response
