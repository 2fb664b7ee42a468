"""One JSON error shape for the whole API.

Every error body is ``{"detail": <French message>, "code": <machine code>}`` plus ``"errors"``
(field → messages) for validation errors, so that a client never has to parse HTML or guess.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.exceptions import MalformedInput, UnknownObject


def _flatten(detail) -> list[str] | dict:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [str(item) for item in detail]
    return [str(detail)]


def json_exception_handler(exc, context):
    payload = getattr(exc, "payload", None)
    if isinstance(exc, exceptions.APIException) and isinstance(payload, dict):
        # An exception that carries its own documented body (e.g. the relay's candidates).
        return Response(payload, status=exc.status_code, headers=getattr(exc, "headers", None))
    if isinstance(exc, MalformedInput):
        exc = exceptions.ValidationError({"code": [exc.message]})
        exc.default_code = "malformed"
    elif isinstance(exc, UnknownObject):
        return Response(
            {"detail": exc.message, "code": "not_found"}, status=status.HTTP_404_NOT_FOUND
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        first = next(iter(errors.values()), [""])
        message = first[0] if isinstance(first, list) and first else str(first)
        response.data = {
            "detail": message or "Requête invalide.",
            "code": "invalid",
            "errors": errors,
        }
    else:
        detail = getattr(exc, "detail", "")
        code = detail.code if hasattr(detail, "code") else "error"
        response.data = {"detail": str(detail), "code": code}
    return response
