"""SMEs in the API: read representation and write input, by official codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeRelatedField
from smes.enums import EmployeeRange, ExportStage
from smes.models import SME
from structures.models import Service
from territories.api.fields import TerritoryReferenceField
from territories.api.serializers import TerritoryRefSerializer
from territories.enums import PLACE_LEVELS, TerritoryLevel


class SMESerializer(serializers.ModelSerializer):
    commune = TerritoryRefSerializer(read_only=True, allow_null=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    target_markets = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    needs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = SME
        fields = [
            "id",
            "siret",
            "siren",
            "name",
            "naf_code",
            "sector",
            "legal_form",
            "employees",
            "employee_range",
            "turnover_eur",
            "created_on",
            "address_line",
            "postal_code",
            "commune",
            "latitude",
            "longitude",
            "location_precision",
            "export_stage",
            "export_share",
            "target_markets",
            "needs",
            "is_innovative",
            "source",
            "is_demo",
            "version",
            "created_at",
            "updated_at",
        ]


class SMEInputSerializer(serializers.Serializer):
    """Fields of ``smes.services.sme.create_or_update_sme``; omitted ones are left unchanged."""

    siret = serializers.CharField(
        max_length=22, help_text=_("14 chiffres (espaces tolérés) ; à la création seulement.")
    )
    name = serializers.CharField(max_length=255)
    naf_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    legal_form = serializers.CharField(max_length=100, required=False, allow_blank=True)
    employees = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000
    )
    employee_range = serializers.ChoiceField(
        choices=EmployeeRange.choices, required=False, allow_blank=True
    )
    turnover_eur = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=9_000_000_000_000_000_000
    )
    created_on = serializers.DateField(required=False, allow_null=True)
    address_line = serializers.CharField(max_length=255, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=5, required=False, allow_blank=True)
    commune = TerritoryReferenceField(
        levels=PLACE_LEVELS,
        required=False,
        allow_null=True,
        help_text=_("Code INSEE de la commune."),
    )
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    export_stage = serializers.ChoiceField(choices=ExportStage.choices, required=False)
    export_share = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100
    )
    target_markets = serializers.ListField(
        child=TerritoryReferenceField(levels=(TerritoryLevel.COUNTRY,)),
        required=False,
        max_length=300,
        help_text=_("Codes pays ISO 3166 alpha-2 ; remplace la liste."),
    )
    needs = serializers.ListField(
        child=CodeRelatedField(slug_field="code", queryset=Service.objects.all()),
        required=False,
        max_length=100,
        help_text=_("Codes des services recherchés ; remplace la liste."),
    )
    is_innovative = serializers.BooleanField(required=False)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)
