"""Shared behaviour of the structures API views: formats, ETags, write checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from core.api.etag import etag_for
from core.api.renderers import CSVRenderer, GeoJSONRenderer
from core.api.validation import as_api_error
from structures.exceptions import StaleVersionError
from structures.permissions import (
    caller_for,
    commune_in_scope,
    may_edit_structure,
)

TABULAR_RENDERERS = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer, GeoJSONRenderer]

NOT_YOUR_STRUCTURE = _(
    "Vous ne pouvez modifier que les fiches des structures dont vous faites partie "
    "(et, avec un jeton, situées dans son périmètre)."
)


def require_editor(request, structure) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if not may_edit_structure(caller_for(request), structure):
        raise exceptions.PermissionDenied(NOT_YOUR_STRUCTURE)


OUT_OF_SCOPE = _(
    "Cette commune est hors de votre périmètre : une fiche ne peut pas être placée hors des "
    "territoires où vous agissez."
)


def require_placement(request, validated: dict) -> None:
    """A write may not place a listing outside the writer's territories (account and token)."""
    if "commune" not in validated:
        return
    commune = validated["commune"]
    if not commune_in_scope(caller_for(request), commune.pk if commune is not None else None):
        raise exceptions.PermissionDenied(OUT_OF_SCOPE)


def tagged(response: Response, obj) -> Response:
    response["ETag"] = etag_for(obj)
    return response


class ConditionalRetrieveMixin:
    """``ETag`` on every read, for ``If-Match`` on the next write.

    No 304 on ``If-None-Match``: the tag follows the object's own version, while its
    representation also shows related rows (offers, contacts) that change on their own.
    """

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return tagged(Response(self.get_serializer(instance).data), instance)


class ServiceErrorsMixin:
    """Model validation and stale versions raised by the services, as 400 / 412."""

    def call_service(self, function, **kwargs):
        from core.api.etag import PreconditionFailed

        try:
            return function(**kwargs)
        except StaleVersionError as exc:
            raise PreconditionFailed(str(exc.message)) from None
        except DjangoValidationError as exc:
            raise as_api_error(exc) from None
