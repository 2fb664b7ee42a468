"""Serializer fields shared by the apps' write APIs: related objects by code or id, with French
messages naming the unknown value."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class CodeRelatedField(serializers.SlugRelatedField):
    """A related object by code / slug, with a French message naming the unknown value."""

    default_error_messages = {
        "does_not_exist": _("Valeur inconnue : « {value} »."),
        "invalid": _("Valeur invalide."),
    }

    def to_internal_value(self, data):
        # PostgreSQL refuses NUL in text: such a code cannot exist, say so instead of a 500.
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.INT)
class IdRelatedField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("Identifiant inconnu : « {pk_value} »."),
        "incorrect_type": _("Identifiant numérique attendu."),
    }
