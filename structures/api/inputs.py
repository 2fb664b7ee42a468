"""Write representations: what a staff member's program sends, by official codes.

These serializers only turn codes into objects and check shapes; the rules (full_clean, version
check, history) live in ``structures.services``, which the views call.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeRelatedField, IdRelatedField
from structures.enums import (
    ContactKind,
    GeocodingPrecision,
    LabelTier,
    MarketStatus,
    OfferCost,
    OfferDelivery,
    StructureKind,
)
from structures.models import Contact, Sector, Service, Structure
from territories.api.fields import TerritoryReferenceField
from territories.enums import PLACE_LEVELS, TerritoryLevel

COVERAGE_HELP = _(
    'Liste de territoires « niveau:code » (ex. ["departement:34", "region:76"]) ; '
    "remplace la couverture existante."
)


class StructureInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    acronym = serializers.CharField(max_length=64, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=StructureKind.choices)
    parent = CodeRelatedField(
        slug_field="slug",
        queryset=Structure.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Slug de la tête de réseau."),
    )
    legal_form = serializers.CharField(max_length=128, required=False, allow_blank=True)
    address_line = serializers.CharField(max_length=255, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=5, required=False, allow_blank=True)
    commune = TerritoryReferenceField(
        levels=PLACE_LEVELS,
        required=False,
        allow_null=True,
        help_text=_("Code INSEE de la commune (ex. 34172)."),
    )
    country = TerritoryReferenceField(
        levels=(TerritoryLevel.COUNTRY,),
        required=False,
        allow_null=True,
        help_text=_("Code pays ISO 3166 alpha-2 (ex. FR, MA)."),
    )
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    coordinate_precision = serializers.ChoiceField(
        choices=GeocodingPrecision.choices, required=False
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    website = serializers.CharField(max_length=500, required=False, allow_blank=True)
    opening_hours = serializers.CharField(max_length=255, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    label_tier = serializers.ChoiceField(
        choices=LabelTier.choices, required=False, allow_blank=True
    )
    coverage = serializers.ListField(
        child=TerritoryReferenceField(), required=False, max_length=500, help_text=COVERAGE_HELP
    )
    source = serializers.CharField(max_length=255, required=False, allow_blank=True)
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    licence = serializers.CharField(max_length=128, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class MarketInputSerializer(serializers.Serializer):
    country = TerritoryReferenceField(
        levels=(TerritoryLevel.COUNTRY,), help_text=_("Code pays ISO 3166 alpha-2.")
    )
    status = serializers.ChoiceField(choices=MarketStatus.choices, default=MarketStatus.ACTIVE)


def _sector_list(**kwargs):
    return serializers.ListField(
        child=CodeRelatedField(slug_field="code", queryset=Sector.objects.all()),
        required=False,
        max_length=200,
        **kwargs,
    )


class OfferInputSerializer(serializers.Serializer):
    structure = CodeRelatedField(
        slug_field="slug",
        queryset=Structure.objects.all(),
        help_text=_("Slug de la structure (à la création seulement)."),
    )
    service = CodeRelatedField(
        slug_field="code",
        queryset=Service.objects.all(),
        help_text=_("Code du service (à la création seulement)."),
    )
    description = serializers.CharField(required=False, allow_blank=True)
    coverage = serializers.ListField(
        child=TerritoryReferenceField(), required=False, max_length=500, help_text=COVERAGE_HELP
    )
    sectors = _sector_list(help_text=_("Codes de secteurs ; vide : tous secteurs."))
    naf_include = _sector_list(help_text=_("Sections ou divisions NAF admises."))
    naf_exclude = _sector_list(help_text=_("Sections ou divisions NAF exclues."))
    markets = MarketInputSerializer(many=True, required=False, max_length=300)
    min_employees = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000
    )
    max_employees = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000
    )
    min_age_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=32767
    )
    members_only = serializers.BooleanField(required=False)
    application_required = serializers.BooleanField(required=False)
    delivery = serializers.ChoiceField(choices=OfferDelivery.choices, required=False)
    cost = serializers.ChoiceField(choices=OfferCost.choices, required=False)
    contact = IdRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Identifiant d'un contact de la même structure."),
    )
    is_active = serializers.BooleanField(required=False)


class ContactInputSerializer(serializers.Serializer):
    structure = CodeRelatedField(
        slug_field="slug",
        queryset=Structure.objects.all(),
        help_text=_("Slug de la structure (à la création seulement)."),
    )
    kind = serializers.ChoiceField(choices=ContactKind.choices, required=False)
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        max_length=20,
        help_text=_('Codes ISO 639-1, ex. ["fr", "en"].'),
    )
    is_public = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=32767)

    def validate_languages(self, value: list[str]) -> str:
        return ",".join(v.strip() for v in value)
