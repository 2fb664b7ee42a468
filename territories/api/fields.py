"""Serializer fields for territories given by official codes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from territories.enums import TerritoryLevel
from territories.filters import resolve_territory_reference


class TerritoryReferenceField(serializers.CharField):
    """A territory as "niveau:code" or a bare official code; ``levels`` restricts the level."""

    def __init__(self, *, levels: tuple[str, ...] | None = None, **kwargs):
        self.levels = levels
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if self.levels and self.levels == (TerritoryLevel.COUNTRY,) and ":" not in value:
            value = f"country:{value}"
        try:
            territory = resolve_territory_reference(value)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        if self.levels and territory.level not in self.levels:
            raise serializers.ValidationError(
                _("Territoire de niveau « %(level)s » refusé ici : attendu %(levels)s.")
                % {"level": territory.level, "levels": ", ".join(self.levels)}
            )
        return territory

    def to_representation(self, value):
        return f"{value.level}:{value.code}"
