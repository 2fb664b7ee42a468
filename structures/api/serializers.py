"""Read representations of the structures domain (JSON; CSV and GeoJSON derive from them).

Official codes everywhere: territories by level and INSEE / SIREN / ISO code, services and
sectors by code, structures by id and slug.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from structures.enums import Freshness, LinkStatus
from structures.fields import (
    CONTACT_PUBLIC,
    OFFER_PUBLIC,
    STRUCTURE_PUBLIC,
    STRUCTURE_PUBLIC_RELATED,
)
from structures.models import (
    Contact,
    Offer,
    OfferMarket,
    PendingChange,
    Sector,
    Service,
    Structure,
)
from structures.selectors import alliances_of
from territories.api.serializers import TerritoryRefSerializer


def _with_computed(fields, *, after: dict[str, str]) -> list[str]:
    """The model ``fields`` with each computed member placed after the field it explains."""
    result = []
    for name in fields:
        result.append(name)
        if name in after:
            result.append(after[name])
    return result


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["code", "name", "name_en", "description", "description_en", "is_hard_core"]


class ServiceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["code", "name"]


class SectorSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Sector
        fields = ["code", "kind", "name", "name_en", "parent"]


class StructureRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Structure
        fields = ["id", "slug", "name", "acronym"]


class ContactSerializer(serializers.ModelSerializer):
    structure = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    languages = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = list(CONTACT_PUBLIC)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_languages(self, obj: Contact) -> list[str]:
        return obj.language_codes


class OfferMarketSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = OfferMarket
        fields = ["country", "status"]


class OfferSerializer(serializers.ModelSerializer):
    """An offer, its competence (coverage, sectors, markets, eligibility) and whom to call.

    ``coverage`` is the offer's own; ``inherits_coverage`` says that the structure's applies.
    """

    structure = StructureRefSerializer(read_only=True)
    service = ServiceRefSerializer(read_only=True)
    coverage = TerritoryRefSerializer(many=True, read_only=True)
    inherits_coverage = serializers.SerializerMethodField()
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    naf_include = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    naf_exclude = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    markets = OfferMarketSerializer(many=True, read_only=True)
    contact = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = _with_computed(OFFER_PUBLIC, after={"coverage": "inherits_coverage"})

    @extend_schema_field(serializers.BooleanField())
    def get_inherits_coverage(self, obj: Offer) -> bool:
        return not obj.coverage.all()

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, obj: Offer) -> dict | None:
        contact = obj.contact
        # The selector decides, with the caller's scope (structures.selectors.offer_list_for).
        if contact is None or not getattr(obj, "contact_readable", contact.is_public):
            return None
        return ContactSerializer(contact).data


class StructureSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    parent = StructureRefSerializer(read_only=True, allow_null=True)
    commune = TerritoryRefSerializer(read_only=True, allow_null=True)
    country = TerritoryRefSerializer(read_only=True, allow_null=True)
    coverage = TerritoryRefSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    freshness = serializers.ChoiceField(
        choices=Freshness.choices,
        read_only=True,
        help_text=_(
            "fresh : confirmée (verified_at, à défaut créée) depuis moins de 12 mois (par "
            "défaut) ; to_check : à vérifier, au-delà ; stale : plus de 18 mois, les résultats "
            "publics indiquent « informations à vérifier » (la fiche reste publiée)."
        ),
    )

    label_tier_label = serializers.SerializerMethodField(
        help_text=_(
            "Le niveau de label d'un pôle de compétitivité en toutes lettres (« pôle mondial », "
            "« pôle à vocation mondiale »…) ; null pour les autres structures."
        )
    )

    class Meta:
        model = Structure
        fields = _with_computed(
            STRUCTURE_PUBLIC,
            after={
                "slug": "url",
                "kind": "kind_label",
                "label_tier": "label_tier_label",
                "verified_at": "freshness",
            },
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_label_tier_label(self, obj: Structure) -> str | None:
        return str(obj.get_label_tier_display()) if obj.label_tier else None

    @extend_schema_field(serializers.URLField())
    def get_url(self, obj: Structure) -> str:
        request = self.context.get("request")
        path = f"/api/v1/structures/{obj.pk}/"
        return request.build_absolute_uri(path) if request else path


class MemberCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    count = serializers.IntegerField()
    as_of = serializers.DateField()
    source = serializers.CharField()


class AlliancePartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    country = serializers.SerializerMethodField(
        help_text=_("Code ISO 3166-1 alpha-2 du pays du partenaire ; null s'il n'est pas connu.")
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_country(self, obj: Structure) -> str | None:
        return obj.country.code if obj.country_id else None


class AllianceSerializer(serializers.Serializer):
    """An inter-cluster alliance: a link with a cluster (often abroad), never competence for its
    countries (rule R10: only an offer's active markets are)."""

    partner = AlliancePartnerSerializer()
    countries = serializers.SerializerMethodField(
        help_text=_("Pays de l'alliance, en codes ISO 3166-1 alpha-2 (ex. « BE », « MA »).")
    )
    status = serializers.ChoiceField(
        choices=LinkStatus.choices,
        help_text=_("active : alliance conclue ; planned : en projet, affichée comme telle."),
    )
    since = serializers.DateField(allow_null=True)
    description = serializers.CharField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries(self, obj) -> list[str]:
        return [country.code for country in obj.countries]


class StructureDetailSerializer(StructureSerializer):
    """A structure with its offers (a pôle's international services carry their ``intensity``),
    contacts, network members, member counts and inter-cluster ``alliances``."""

    offers = OfferSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    children = StructureRefSerializer(many=True, read_only=True)
    member_counts = MemberCountSerializer(many=True, read_only=True)
    alliances = serializers.SerializerMethodField(
        help_text=_(
            "Alliances inter-clusters de la structure (dans les deux sens), avec les pays en "
            "codes ISO 3166. Un lien, jamais une compétence : le relais ne lit que les marchés "
            "actifs des offres."
        )
    )

    class Meta(StructureSerializer.Meta):
        fields = [*StructureSerializer.Meta.fields, *STRUCTURE_PUBLIC_RELATED, "alliances"]

    @extend_schema_field(AllianceSerializer(many=True))
    def get_alliances(self, obj: Structure) -> list[dict]:
        return AllianceSerializer(alliances_of(obj), many=True).data


class PendingChangeSerializer(serializers.ModelSerializer):
    """A change of a published listing waiting for a registry administrator's validation."""

    structure = StructureRefSerializer(read_only=True)
    proposed = serializers.SerializerMethodField(
        help_text=_("Valeurs proposées, par champ (la tête de réseau par son slug).")
    )
    coverage_added = TerritoryRefSerializer(
        many=True,
        read_only=True,
        help_text=_("Territoires (régions, pays) que la proposition ajoute à la couverture."),
    )

    class Meta:
        model = PendingChange
        fields = [
            "id",
            "structure",
            "status",
            "proposed",
            "coverage_added",
            "base_version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "parent": {"type": "string", "nullable": True},
            },
        }
    )
    def get_proposed(self, obj: PendingChange) -> dict:
        proposed = dict(obj.proposed)
        if proposed.get("parent") is not None:
            proposed["parent"] = (
                Structure.objects.filter(pk=proposed["parent"])
                .values_list("slug", flat=True)
                .first()
            )
        return proposed


class ModeratedUpdateSerializer(serializers.Serializer):
    """The answer to a write whose sensitive changes wait for validation (202 Accepted)."""

    detail = serializers.CharField(help_text=_("Ce qui attend une validation, en français."))
    pending_change = PendingChangeSerializer()
    structure = StructureDetailSerializer(
        help_text=_("La fiche telle que publiée : les autres champs de l'écriture sont appliqués.")
    )
