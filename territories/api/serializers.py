from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from territories.enums import NAME_MATCH_QUALITY, NameMatch
from territories.models import Territory

MATCH_BY_QUALITY = {quality: match.value for match, quality in NAME_MATCH_QUALITY.items()}


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


class TerritoryListItemSerializer(TerritorySerializer):
    """A territory of the list; with ``q``, how its name matched the search."""

    match = serializers.SerializerMethodField(
        help_text=(
            "Avec q : exact (nom exact), prefix (début du nom), word (début d'un mot du nom), "
            "approximate (orthographe proche : une suggestion, à faire confirmer). "
            "Null sans q."
        )
    )

    class Meta(TerritorySerializer.Meta):
        fields = [*TerritorySerializer.Meta.fields, "match"]

    @extend_schema_field(serializers.ChoiceField(choices=NameMatch.choices, allow_null=True))
    def get_match(self, obj: Territory) -> str | None:
        quality = getattr(obj, "match_quality", None)
        return MATCH_BY_QUALITY.get(quality) if quality is not None else None


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
