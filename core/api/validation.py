"""Model validation errors (``django.core.exceptions.ValidationError``) as API 400s."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


def as_api_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """The same messages, keyed by field (``non_field_errors`` for the object as a whole)."""
    if hasattr(exc, "error_dict"):
        errors = {
            ("non_field_errors" if key == NON_FIELD_ERRORS else key): messages
            for key, messages in exc.message_dict.items()
        }
    else:
        errors = {"non_field_errors": exc.messages}
    return serializers.ValidationError(errors)
