from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from territories.models import Territory


class TerritoryRefSerializer(serializers.ModelSerializer):
    """A territory named by its level and official code (the keys users see)."""

    class Meta:
        model = Territory
        fields = ["level", "code", "name"]


class TerritorySerializer(serializers.ModelSerializer):
    parent = TerritoryRefSerializer(read_only=True, allow_null=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Territory
        fields = [
            "level",
            "level_label",
            "code",
            "name",
            "name_en",
            "parent",
            "zone",
            "kind",
            "population",
            "latitude",
            "longitude",
            "coordinate_precision",
            "iso_alpha3",
            "is_current",
            "url",
        ]

    @extend_schema_field(serializers.URLField())
    def get_url(self, obj: Territory) -> str:
        request = self.context.get("request")
        path = f"/api/v1/territories/{obj.level}/{obj.code}/"
        return request.build_absolute_uri(path) if request else path


class TerritoryDetailSerializer(TerritorySerializer):
    ancestors = serializers.SerializerMethodField()
    postal_codes = serializers.SerializerMethodField()

    class Meta(TerritorySerializer.Meta):
        fields = [*TerritorySerializer.Meta.fields, "ancestors", "postal_codes"]

    @extend_schema_field(TerritoryRefSerializer(many=True))
    def get_ancestors(self, obj: Territory) -> list[dict]:
        return TerritoryRefSerializer(self.context["ancestors"], many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_postal_codes(self, obj: Territory) -> list[str]:
        return self.context["postal_codes"]


class PostalCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    ambiguous = serializers.BooleanField(
        help_text="Vrai quand le code postal dessert plusieurs communes : il faut en choisir une."
    )
    communes = TerritorySerializer(many=True)


class CommuneResolutionSerializer(serializers.Serializer):
    requested_code = serializers.CharField()
    resolved_from_alias = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)
    commune = TerritoryDetailSerializer()
