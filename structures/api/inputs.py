"""Write representations: what a staff member's program sends, by official codes.

These serializers only turn codes into objects and check shapes; the rules (full_clean, version
check, history) live in ``structures.services``, which the views call.
"""

from __future__ import annotations

from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeRelatedField, IdRelatedField
from structures.enums import MarketStatus
from structures.fields import (
    CONTACT_WRITABLE,
    OFFER_WRITABLE,
    OFFER_WRITABLE_M2M,
    STRUCTURE_WRITABLE,
    STRUCTURE_WRITABLE_M2M,
)
from structures.models import Contact, Offer, Sector, Service, Structure
from territories.api.fields import TerritoryReferenceField
from territories.enums import PLACE_LEVELS, TerritoryLevel

COVERAGE_HELP = _(
    'Liste de territoires « niveau:code » (ex. ["departement:34", "region:76"]) ; '
    "remplace la couverture existante."
)


def in_model_order(model, names) -> list[str]:
    """``names`` as the model declares its fields: the order of the input and of its errors."""
    return sorted(names, key=lambda name: model._meta.get_field(name).creation_counter)


# An input whose plain fields come from the model: types, lengths, bounds, choices, help texts.
# Relations by official code are declared by each input; one left to the model is taken by id.
# (Comments, not a docstring: the schema would show it as every input's description.)
class ModelInputSerializer(serializers.ModelSerializer):
    serializer_related_field = IdRelatedField

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        # The model's own validators run in the services' full_clean: after its normalisation
        # ("04 67…" → "+334…", blanks in opening hours), so what it accepts is not refused as
        # typed, and together with its constraints, so that one answer lists every error.
        kwargs.pop("validators", None)
        if issubclass(field_class, serializers.IntegerField):
            # The column's range on PostgreSQL, whatever the database: SQLite's would allow
            # 64-bit values, and the API and its schema would differ between the two.
            low, high = BaseDatabaseOperations.integer_field_ranges[model_field.get_internal_type()]
            kwargs["min_value"] = max(kwargs.get("min_value", low), low)
            kwargs["max_value"] = min(kwargs.get("max_value", high), high)
        return field_class, kwargs


def _coverage():
    return serializers.ListField(
        child=TerritoryReferenceField(), required=False, max_length=500, help_text=COVERAGE_HELP
    )


def _structure_by_slug(**kwargs):
    return CodeRelatedField(slug_field="slug", queryset=Structure.objects.all(), **kwargs)


class StructureInputSerializer(ModelInputSerializer):
    parent = _structure_by_slug(
        required=False, allow_null=True, help_text=_("Slug de la tête de réseau.")
    )
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
    # Staff type "www.cci.fr": the model adds the scheme (normalize_website) before validating.
    website = serializers.CharField(
        max_length=Structure._meta.get_field("website").max_length,
        required=False,
        allow_blank=True,
    )
    coverage = _coverage()

    class Meta:
        model = Structure
        fields = in_model_order(Structure, STRUCTURE_WRITABLE + STRUCTURE_WRITABLE_M2M)


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


class OfferInputSerializer(ModelInputSerializer):
    structure = _structure_by_slug(help_text=_("Slug de la structure (à la création seulement)."))
    service = CodeRelatedField(
        slug_field="code",
        queryset=Service.objects.all(),
        help_text=_("Code du service (à la création seulement)."),
    )
    coverage = _coverage()
    sectors = _sector_list(help_text=_("Codes de secteurs ; vide : tous secteurs."))
    naf_include = _sector_list(help_text=_("Sections ou divisions NAF admises."))
    naf_exclude = _sector_list(help_text=_("Sections ou divisions NAF exclues."))
    markets = MarketInputSerializer(many=True, required=False, max_length=300)
    confirm_narrowing = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "À la modification : confirme un changement qui restreint les recherches trouvant "
            "l'offre (couverture, secteurs, marchés actifs, effectif, ancienneté, codes NAF). "
            "Sans elle, un tel changement est refusé (400, erreur sur « confirm_narrowing » "
            "disant ce que l'offre ne couvrira plus, ex. « Cette offre ne sera plus proposée que "
            "pour : Maroc. Elle ne le sera plus pour les autres pays. ») et rien n'est écrit. "
            "Un changement qui élargit ou ne change rien est enregistré sans elle."
        ),
    )

    class Meta:
        model = Offer
        fields = [
            *in_model_order(Offer, ("structure", "service", *OFFER_WRITABLE, *OFFER_WRITABLE_M2M)),
            "markets",
            "confirm_narrowing",
        ]
        # One offer per structure and service: checked by the services' full_clean too, and an
        # update (which gives this input no instance) must not be taken for a duplicate.
        validators = []


class ContactInputSerializer(ModelInputSerializer):
    structure = _structure_by_slug(help_text=_("Slug de la structure (à la création seulement)."))
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        max_length=20,
        help_text=_('Codes ISO 639-1, ex. ["fr", "en"].'),
    )

    class Meta:
        model = Contact
        fields = in_model_order(Contact, ("structure", *CONTACT_WRITABLE))

    def validate_languages(self, value: list[str]) -> str:
        return ",".join(v.strip() for v in value)
