"""``/api/v1/relays/``: the nearest competent relays, explained (``structures.relay.engine``).

The serializer checks the query's shape and hands it to the same resolver as the search page
(``smes.relay.resolve_relay_query``, under the caller's rights: a SIRET gives the full profile
only to a caller who may read that SME, and only SIRENE's public fields to anyone else). The
view runs the engine and shows everything it says: the resolved location, each relay's
distance and its precision, matched territory and level, market match, région, contact, notes,
fallback label and the sentences explaining the choice. Resolver errors are 400s with the
resolver's message and code; an ambiguous postal code lists its communes. A SIRET outside the
registry that SIRENE could not be asked about is a 503 (``sirene_unavailable``, same body).
An answered GET that found no competent relay is counted as an unmet search (``web.unmet``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin, QuerySerializer
from smes.enums import ExportStage
from smes.relay import SIRENE_UNAVAILABLE, resolve_relay_query
from structures.api.mixins import TABULAR_RENDERERS
from structures.api.serializers import ServiceRefSerializer
from structures.fields import STRUCTURE_RELAY_API
from structures.models import Structure
from structures.permissions import caller_for
from structures.programmes import Door
from structures.relay.doors import door_text, local_doors
from structures.relay.engine import find_relays
from structures.relay.enums import ConditionKind, FallbackKind, MarketMatch
from structures.relay.query import DEFAULT_K, MAX_K, RelayRequest
from structures.relay.types import (
    RelayError,
    RelayQueryError,
    RelayResponse,
    RelayResult,
    TerritoryRef,
)
from territories.api.serializers import TerritoryRefSerializer
from web.unmet import count_if_unmet

# SIRENE did not answer: the request was right and may succeed later (or with commune=), so
# the status says "unavailable, retry", not "your request is wrong".
SIRENE_RETRY_AFTER_SECONDS = 60


class RelayQueryInvalid(exceptions.APIException):
    """A request the resolver refused: 400 with its code, message and candidates — or 503 when
    the SIRENE service a SIRET needed did not answer (``Retry-After`` set)."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, error: RelayError) -> None:
        super().__init__(detail=error.message, code=error.code)
        self.payload = error_payload(error)
        if error.code == SIRENE_UNAVAILABLE:
            self.status_code = 503
            self.headers = {"Retry-After": str(SIRENE_RETRY_AFTER_SECONDS)}


class RelayQuerySerializer(QuerySerializer):
    service = serializers.CharField(
        max_length=64, help_text=_("Code du besoin (voir /api/v1/services/), ex. trade-fairs.")
    )
    commune = serializers.CharField(
        max_length=10,
        required=False,
        help_text=_("Code INSEE de la commune de l'entreprise (ex. 34172) ; ancien code accepté."),
    )
    postal_code = serializers.CharField(
        max_length=10,
        required=False,
        help_text=_(
            "Code postal ; s'il dessert plusieurs communes, ajouter commune= (sinon erreur "
            "listant les communes candidates)."
        ),
    )
    siret = serializers.CharField(
        max_length=20,
        required=False,
        help_text=_(
            "SIRET de l'établissement (14 chiffres, clé de contrôle vérifiée). Entreprise du "
            "registre : un appelant autorisé à voir cette PME obtient une recherche depuis son "
            "point, avec son profil ; tout autre appelant, depuis sa commune et avec son code "
            "NAF seulement (les données publiques de SIRENE). Autre SIRET : commune et code NAF "
            "lus dans SIRENE (API Recherche d'entreprises) ; erreurs unknown_siret, "
            "closed_establishment, sirene_no_commune, et 503 sirene_unavailable si SIRENE ne "
            "répond pas (indiquer alors commune=)."
        ),
    )
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    sector = serializers.CharField(
        max_length=64, required=False, help_text=_("Code NAF (10.71C, 10, C) ou filière.")
    )
    country = serializers.CharField(
        max_length=8, required=False, help_text=_("Pays cible, code ISO 3166 alpha-2 (ex. MA).")
    )
    k = serializers.IntegerField(
        required=False,
        default=DEFAULT_K,
        min_value=1,
        max_value=MAX_K,
        help_text=_("Nombre de relais voulus (1 à %(max)d).") % {"max": MAX_K},
    )
    include_remote = serializers.BooleanField(
        required=False, default=True, help_text=_("Proposer aussi des offres à distance.")
    )
    employees = serializers.IntegerField(
        required=False, min_value=0, max_value=10_000_000, help_text=_("Effectif (salariés).")
    )
    created_on = serializers.DateField(
        required=False, help_text=_("Date de création de l'entreprise (AAAA-MM-JJ).")
    )
    naf_code = serializers.CharField(
        max_length=8, required=False, help_text=_("Code NAF de l'entreprise (critères NAF).")
    )
    export_stage = serializers.ChoiceField(
        choices=ExportStage.choices,
        required=False,
        help_text=_("Expérience export : élargit l'horizon des relais hors zone."),
    )
    member_of = serializers.CharField(
        max_length=2000,
        required=False,
        help_text=_(
            "Slugs des structures dont l'entreprise est adhérente, séparés par des virgules."
        ),
    )

    def validate(self, attrs):
        if ("lat" in attrs) != ("lon" in attrs):
            raise serializers.ValidationError(
                {"lon" if "lat" in attrs else "lat": [_("Donnez à la fois lat et lon.")]}
            )
        request = RelayRequest(
            service=attrs["service"],
            commune=attrs.get("commune", ""),
            postal_code=attrs.get("postal_code", ""),
            latitude=attrs.get("lat"),
            longitude=attrs.get("lon"),
            sector=attrs.get("sector", ""),
            country=attrs.get("country", ""),
            employees=attrs.get("employees"),
            created_on=attrs.get("created_on"),
            naf_code=attrs.get("naf_code", ""),
            export_stage=attrs.get("export_stage", ""),
            member_of=tuple(s.strip() for s in attrs.get("member_of", "").split(",") if s.strip()),
            k=attrs["k"],
            include_remote=attrs["include_remote"],
        )
        try:
            attrs["query"] = resolve_relay_query(
                caller=self.context["caller"], request=request, siret=attrs.get("siret", "")
            )
        except RelayQueryError as exc:
            raise RelayQueryInvalid(exc.error) from None
        return attrs


class LocationSerializer(serializers.Serializer):
    commune = TerritoryRefSerializer()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    precision = serializers.ChoiceField(
        choices=["exact", "commune"],
        help_text=_("exact : point donné ou de l'entreprise ; commune : centre de la commune."),
    )
    note = serializers.CharField(help_text=_("Ex. ancien code de commune résolu."))


class ContactInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    is_desk = serializers.BooleanField()
    source = serializers.ChoiceField(choices=["offer", "structure_desk", "structure_switchboard"])


class RelayStructureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Structure
        fields = ["id", *STRUCTURE_RELAY_API]

    def build_relational_field(self, field_name, relation_info):
        # A relay's structure refers to territories only (STRUCTURE_RELAY), shown by code.
        return TerritoryRefSerializer, {"allow_null": True}


class RelayOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delivery = serializers.CharField()
    cost = serializers.CharField()
    members_only = serializers.BooleanField()
    application_required = serializers.BooleanField()


class ConditionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConditionKind.choices)
    codes = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Codes des secteurs (NAF, filières) ou des pays (ISO 3166) concernés."),
    )
    low = serializers.IntegerField(
        allow_null=True, help_text=_("Effectif minimal, ou ancienneté minimale en années.")
    )
    high = serializers.IntegerField(allow_null=True, help_text=_("Effectif maximal."))
    met = serializers.BooleanField(
        allow_null=True,
        help_text=_(
            "null : non précisé par la recherche ; true : remplie (adhérent) ; false : la "
            "condition qui manque (fallback near_miss)."
        ),
    )


class RelayResultSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text=_("Rang dans la réponse (1 = le plus pertinent)."))
    is_competent = serializers.BooleanField(
        help_text=_("Vrai : relais compétent ; faux : solution de repli (voir fallback).")
    )
    fallback = serializers.ChoiceField(choices=["", *FallbackKind.values])
    fallback_label = serializers.CharField()
    structure = RelayStructureSerializer()
    offer = RelayOfferSerializer()
    distance_km = serializers.FloatField()
    distance_is_approximate = serializers.BooleanField()
    matched_territory = TerritoryRefSerializer(allow_null=True)
    matched_level = serializers.CharField()
    market_match = serializers.ChoiceField(choices=MarketMatch.values)
    market_label = serializers.CharField()
    same_region = serializers.BooleanField()
    region_first = serializers.BooleanField(
        help_text=_(
            "Vrai : classé avant un relais plus proche d'une autre région, parce que ce service "
            "se cherche d'abord dans la région de l'entreprise."
        )
    )
    is_national = serializers.BooleanField(help_text=_("Service compétent pour toute la France."))
    information_to_check = serializers.BooleanField(
        help_text=_(
            "Vrai : fiche non confirmée depuis plus de 18 mois (FRESHNESS_WARNING_MONTHS) ; "
            "le relais reste proposé, ses coordonnées sont à vérifier avant de l'appeler."
        )
    )
    contact = ContactInfoSerializer(allow_null=True)
    has_named_contact = serializers.BooleanField()
    conditions = ConditionSerializer(many=True)
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Les conditions en toutes lettres, dans la langue demandée."),
    )
    why_fr = serializers.CharField()
    why_en = serializers.CharField()


class RelayDoorStructureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class RelayDoorContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class DoorEntryPointSerializer(serializers.Serializer):
    territory = TerritoryRefSerializer(
        help_text=_("Le territoire le plus fin contenant la commune où une porte est enregistrée.")
    )
    structure = RelayDoorStructureSerializer()
    contact = RelayDoorContactSerializer(
        allow_null=True, help_text=_("Guichet ou personne à voir ; null : aucun, ou non public.")
    )
    note = serializers.CharField()
    text = serializers.CharField(help_text=_("« Votre porte d'entrée locale : … », à afficher."))


class DoorProgrammeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField(help_text=_("eu, national, regional ou departemental."))
    operator = serializers.CharField()
    official_url = serializers.CharField()
    page = serializers.CharField(help_text=_("Page publique du dispositif et de ses portes."))


class LocalDoorSerializer(serializers.Serializer):
    programme = DoorProgrammeSerializer()
    entry_points = DoorEntryPointSerializer(
        many=True,
        help_text=_("Vide : aucune porte enregistrée pour ce lieu ; voir la page officielle."),
    )


class RelayResponseSerializer(serializers.Serializer):
    location = LocationSerializer()
    service = ServiceRefSerializer()
    country = TerritoryRefSerializer(allow_null=True)
    sectors = serializers.ListField(child=serializers.CharField())
    results = RelayResultSerializer(many=True)
    fallbacks = RelayResultSerializer(many=True)
    hint = serializers.CharField(
        help_text=_("Quand aucun relais n'est compétent : ce qu'il faut essayer.")
    )
    empty_message = serializers.CharField(
        help_text=_("Le même conseil, quand la recherche ne renvoie rien du tout.")
    )
    local_doors = LocalDoorSerializer(
        many=True,
        help_text=_(
            "Les dispositifs (nationaux, européens, régionaux) qui couvrent ce besoin à cet "
            "endroit, chacun avec sa porte d'entrée locale : la structure et le guichet du "
            "territoire le plus fin (commune, intercommunalité, département, région, France)."
        ),
    )


class RelayErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    candidates = TerritoryRefSerializer(many=True, required=False)


def _territory(territory) -> dict | None:
    if territory is None:
        return None
    return {"level": territory.level, "code": territory.code, "name": territory.name}


def _shown(value):
    return _territory(value) if isinstance(value, TerritoryRef) else value


def _contact(contact) -> dict | None:
    if contact is None:
        return None
    return {
        "name": contact.name,
        "role": contact.role,
        "phone": contact.phone,
        "email": contact.email,
        "is_desk": contact.is_desk,
        "source": contact.source,
    }


def _result_payload(result: RelayResult, rank: int) -> dict:
    # Plain dicts, shaped as RelayResultSerializer documents them: building nested
    # ModelSerializers for each result cost more than the lookup itself.
    offer, structure = result.offer, result.structure
    return {
        "rank": rank,
        "is_competent": result.is_competent,
        "fallback": result.fallback,
        "fallback_label": result.fallback_label,
        "structure": {
            "id": structure.pk,
            **{name: _shown(getattr(structure, name)) for name in STRUCTURE_RELAY_API},
        },
        "offer": {
            "id": offer.pk,
            "delivery": offer.delivery,
            "cost": offer.cost,
            "members_only": offer.members_only,
            "application_required": offer.application_required,
        },
        "distance_km": result.distance_km,
        "distance_is_approximate": result.distance_is_approximate,
        "matched_territory": _territory(result.matched_territory),
        "matched_level": result.matched_level,
        "market_match": result.market_match,
        "market_label": result.market_label,
        "same_region": result.same_region,
        "region_first": result.region_first,
        "is_national": result.is_national,
        "information_to_check": result.information_to_check,
        "contact": _contact(result.contact),
        "has_named_contact": result.has_named_contact,
        "conditions": [
            {"kind": c.kind, "codes": list(c.codes), "low": c.low, "high": c.high, "met": c.met}
            for c in result.conditions
        ],
        "notes": [str(note) for note in result.notes],
        "why_fr": result.why_fr,
        "why_en": result.why_en,
    }


def response_payload(response: RelayResponse) -> dict:
    """The engine's answer as the JSON body documented by ``RelayResponseSerializer``."""
    ranked = [*response.results, *response.fallbacks]
    payloads = [_result_payload(r, i) for i, r in enumerate(ranked, start=1)]
    location = response.location
    service = response.service
    return {
        "location": {
            "commune": _territory(location.commune),
            "latitude": location.latitude,
            "longitude": location.longitude,
            "precision": location.precision,
            "note": str(location.note),
        },
        "service": {"code": service.code, "name": service.name},
        "country": _territory(response.country),
        "sectors": list(response.sectors),
        "results": payloads[: len(response.results)],
        "fallbacks": payloads[len(response.results) :],
        "hint": response.hint,
        "empty_message": response.empty_message,
    }


def doors_payload(doors: list[Door]) -> list[dict]:
    """The local doors as ``LocalDoorSerializer`` documents them."""
    return [
        {
            "programme": {
                "slug": door.programme.slug,
                "name": door.programme.name,
                "level": door.programme.level,
                "operator": door.programme.operator_label,
                "official_url": door.programme.official_url,
                "page": door.programme.get_absolute_url(),
            },
            "entry_points": [
                {
                    "territory": _territory(row.territory),
                    "structure": {
                        "id": row.structure.pk,
                        "slug": row.structure.slug,
                        "name": str(row.structure),
                    },
                    "contact": None
                    if row.contact is None
                    else {
                        "name": row.contact.name,
                        "role": row.contact.role,
                        "phone": row.contact.phone,
                        "email": row.contact.email,
                    },
                    "note": row.note,
                    "text": door_text(row),
                }
                for row in door.entry_points
            ],
        }
        for door in doors
    ]


def error_payload(error: RelayError) -> dict:
    body = {
        "detail": error.message,
        "code": error.code,
        "errors": {error.field or "non_field_errors": [error.message]},
    }
    if error.candidates:
        body["candidates"] = TerritoryRefSerializer(list(error.candidates), many=True).data
    return body


_EXAMPLE_RESULT = {
    "rank": 1,
    "is_competent": True,
    "fallback": "",
    "fallback_label": "",
    "structure": {
        "id": 12,
        "slug": "cci-herault",
        "name": "CCI Hérault",
        "acronym": "CCI",
        "kind": "cci",
        "commune": {"level": "commune", "code": "34172", "name": "Montpellier"},
        "latitude": 43.6109,
        "longitude": 3.8772,
        "phone": "+33499515151",
        "email": "international@herault.cci.fr",
        "website": "https://www.herault.cci.fr",
    },
    "offer": {
        "id": 40,
        "delivery": "in_person",
        "cost": "subsidised",
        "members_only": False,
        "application_required": False,
    },
    "distance_km": 1.2,
    "distance_is_approximate": True,
    "matched_territory": {"level": "departement", "code": "34", "name": "Hérault"},
    "matched_level": "departement",
    "market_match": "explicit",
    "market_label": "marché visé explicitement",
    "same_region": True,
    "region_first": False,
    "is_national": False,
    "contact": {
        "name": "Service international",
        "role": "Conseiller export",
        "phone": "+33499515151",
        "email": "international@herault.cci.fr",
        "is_desk": True,
        "source": "offer",
    },
    "has_named_contact": True,
    "conditions": [],
    "notes": [],
    "why_fr": "CCI couvre Hérault pour « Salons et pavillons collectifs », à 1.2 km "
    "(distance approximative). Ce marché fait partie de ses marchés actifs.",
    "why_en": "CCI covers Hérault for “Trade fairs”, 1.2 km away (approximate distance). "
    "This market is one of its active markets.",
}


@extend_schema(
    tags=["relais"],
    summary=_("Les relais compétents les plus proches"),
    description=_(
        "Pour une entreprise située par commune (code INSEE), code postal (+ commune si "
        "ambigu), SIRET ou lat/lon, et un besoin (service), les k relais compétents les plus "
        "proches, classés et expliqués, puis des solutions de repli étiquetées (hors zone, à "
        "distance, marché en projet). Formats : JSON, ?format=csv, ?format=geojson."
    ),
    parameters=[RelayQuerySerializer],
    responses={
        200: RelayResponseSerializer,
        400: OpenApiResponse(
            RelayErrorSerializer,
            description=_("Requête impossible à résoudre (message du moteur, candidats)."),
        ),
        503: OpenApiResponse(
            RelayErrorSerializer,
            description=_(
                "SIRET hors registre et SIRENE (API Recherche d'entreprises) injoignable : "
                "code sirene_unavailable ; réessayer plus tard (Retry-After) ou donner commune=."
            ),
        ),
    },
    examples=[
        OpenApiExample(
            "Salons pour le Maroc depuis Montpellier",
            summary="?commune=34172&service=trade-fairs&country=MA&k=5",
            value={
                "location": {
                    "commune": {"level": "commune", "code": "34172", "name": "Montpellier"},
                    "latitude": 43.6134,
                    "longitude": 3.8742,
                    "precision": "commune",
                    "note": "",
                },
                "service": {"code": "trade-fairs", "name": "Salons et pavillons collectifs"},
                "country": {"level": "country", "code": "MA", "name": "Maroc"},
                "sectors": [],
                "results": [_EXAMPLE_RESULT],
                "fallbacks": [],
                "hint": "",
                "empty_message": "",
                "local_doors": [],
            },
            response_only=True,
            status_codes=["200"],
        ),
        OpenApiExample(
            "Assurance prospection depuis Montpellier : la porte d'entrée locale",
            summary="?commune=34172&service=export-insurance",
            value={
                "location": {
                    "commune": {"level": "commune", "code": "34172", "name": "Montpellier"},
                    "latitude": 43.6134,
                    "longitude": 3.8742,
                    "precision": "commune",
                    "note": "",
                },
                "service": {"code": "export-insurance", "name": "Assurance export"},
                "country": None,
                "sectors": [],
                "results": [],
                "fallbacks": [],
                "hint": "",
                "empty_message": "",
                "local_doors": [
                    {
                        "programme": {
                            "slug": "assurance-prospection-bpifrance",
                            "name": "Assurance prospection (Bpifrance)",
                            "level": "national",
                            "operator": "Bpifrance",
                            "official_url": "https://www.bpifrance.fr/",
                            "page": "/dispositifs/assurance-prospection-bpifrance/",
                        },
                        "entry_points": [
                            {
                                "territory": {
                                    "level": "departement",
                                    "code": "34",
                                    "name": "Hérault",
                                },
                                "structure": {
                                    "id": 12,
                                    "slug": "cci-herault",
                                    "name": "CCI Hérault — service international",
                                },
                                "contact": {
                                    "name": "Service international",
                                    "role": "Accueil export",
                                    "phone": "+33499000001",
                                    "email": "cci-herault.international@demo.invalid",
                                },
                                "note": "Prépare le dossier avant le dépôt chez Bpifrance.",
                                "text": "Votre porte d'entrée locale : CCI Hérault — service "
                                "international — Service international — Accueil export",
                            }
                        ],
                    }
                ],
            },
            response_only=True,
            status_codes=["200"],
        ),
        OpenApiExample(
            "Code postal ambigu",
            summary="?postal_code=13100&service=trade-fairs",
            value={
                "detail": "Le code postal 13100 dessert plusieurs communes : précisez laquelle "
                "(Aix-en-Provence (13001), Beaurecueil (13012), …).",
                "code": "ambiguous_postal_code",
                "errors": {"postal_code": ["Le code postal 13100 dessert plusieurs communes…"]},
                "candidates": [
                    {"level": "commune", "code": "13001", "name": "Aix-en-Provence"},
                    {"level": "commune", "code": "13012", "name": "Beaurecueil"},
                ],
            },
            response_only=True,
            status_codes=["400"],
        ),
        OpenApiExample(
            "SIRENE injoignable",
            summary="?siret=<SIRET hors registre>&service=trade-fairs",
            value={
                "detail": "Le répertoire SIRENE ne répond pas pour le moment : impossible de "
                "situer l'établissement 09990001100026. Indiquez plutôt la commune de "
                "l'entreprise (ou son code postal).",
                "code": "sirene_unavailable",
                "errors": {"siret": ["Le répertoire SIRENE ne répond pas pour le moment…"]},
            },
            response_only=True,
            status_codes=["503"],
        ),
    ],
)
class RelayView(QueryContractMixin, APIView):
    renderer_classes = TABULAR_RENDERERS
    query_serializer_class = RelayQuerySerializer

    def get(self, request):
        caller = caller_for(request)
        query = RelayQuerySerializer(data=request.query_params, context={"caller": caller})
        query.is_valid(raise_exception=True)
        response = find_relays(query.validated_data["query"])
        count_if_unmet(request, response)
        body = response_payload(response)
        ranked = [*body["results"], *body["fallbacks"]]
        if request.accepted_renderer.format == "geojson":
            return Response({"results": ranked, "service": body["service"]["code"]})
        if request.accepted_renderer.format == "csv":
            return Response(ranked)
        body["local_doors"] = doors_payload(local_doors(response=response, caller=caller))
        return Response(body)
