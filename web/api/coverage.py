"""``/api/v1/coverage/``: the coverage-gap report of a territory (``insights.coverage``).

For a région, a département, an EPCI or France, one service or all of them, an optional target
country, sector and horizon: every place (commune, or arrondissement of Paris, Lyon, Marseille)
with its state — covered, far, uncovered —, its inhabitants and registered SMEs, and the totals
of the territory, of each EPCI, département and région within it and of each service.

- **Query.** ``CoverageQuerySerializer`` reads the parameters (official codes; an empty value is
  "not given", as an HTML form sends it) and refuses what the report cannot answer with the
  usual 400 body; ``territory_coverage`` checks the rest (``CoverageError``, also a 400). Every
  service over the whole of France is refused: it takes several seconds of a worker per call.
- **One snapshot, streamed.** A report is one computation under one stamp: the totals are the
  sums of its places. The places are therefore not paginated (pages read at different times
  could mix two registry states and no longer add up to the totals); they are bounded by the
  territory (about 35,000 places for France) and written in chunks of
  ``PLACES_PER_CHUNK`` — JSON, CSV or GeoJSON — so the body is never built whole in memory.
  ``state=`` keeps only the places in one state (totals unchanged).
- **Conditional GET.** The ``ETag`` is a hash of the report's stamp (the relay index of each
  service), of the SMEs counted per place, of the normalised request and of the format and
  language; ``If-None-Match`` with it answers 304 without a body. The report itself is cached
  by ``insights.coverage`` under the same stamp, so a repeated request costs little either way.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin
from core.api.renderers import spreadsheet_safe
from insights.coverage import (
    STATES,
    CoverageError,
    PlaceRow,
    StateTotals,
    TerritoryCoverage,
    territory_coverage,
)
from structures.api.mixins import TABULAR_RENDERERS
from structures.models import Service
from structures.relay.criteria import expand_sector
from territories.api.fields import TerritoryReferenceField
from territories.enums import TerritoryLevel

PLACES_PER_CHUNK = 500
# Farther than any two points of France (and of the Earth, 20,015 km): a horizon beyond it
# would mean "no horizon", which "far" then never shows.
MAX_HORIZON_KM = 20_000
REPORT_LEVELS = (
    TerritoryLevel.COUNTRY.value,
    TerritoryLevel.REGION.value,
    TerritoryLevel.DEPARTEMENT.value,
    TerritoryLevel.EPCI.value,
)
FORMATS = ("json", "csv", "geojson")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}
# The columns of the CSV (and the properties of each GeoJSON feature), before one
# ``state.<service code>`` column per service of the report, in catalogue order.
PLACE_COLUMNS = (
    "code",
    "name",
    "level",
    "population",
    "smes",
    "latitude",
    "longitude",
    "state",
    "distance_km",
    "relay.id",
    "relay.slug",
    "relay.name",
    "relay.offer_id",
)
TOO_BROAD = _(
    "Choisissez un service pour l'ensemble de la France : tous les services à la fois sur tout "
    "le pays demandent trop de calcul. Tous les services restent possibles pour une région, un "
    "département ou un EPCI."
)


class CoverageRefused(exceptions.APIException):
    """A request the report cannot answer (``CoverageError``, or France with every service)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message, *, code: str = "invalid", field: str = "non_field_errors"):
        super().__init__(detail=str(message), code=code)
        self.payload = {"detail": str(message), "code": code, "errors": {field: [str(message)]}}


class CoverageQuerySerializer(serializers.Serializer):
    territory = TerritoryReferenceField(
        levels=REPORT_LEVELS,
        help_text=_(
            "Territoire du rapport, « niveau:code » : country:FR, region:76, departement:34, "
            "epci:243400017 (SIREN). Une commune n'est pas un territoire de rapport."
        ),
    )
    service = serializers.CharField(
        max_length=64,
        required=False,
        help_text=_(
            "Code du service (voir /api/v1/services/), ex. export-finance. Absent ou vide : "
            "tous les services (état d'un lieu = le pire des services) — sauf sur toute la "
            "France, où un service est demandé."
        ),
    )
    country = TerritoryReferenceField(
        levels=(TerritoryLevel.COUNTRY.value,),
        required=False,
        help_text=_("Pays cible, code ISO 3166-1 alpha-2 (ex. MA)."),
    )
    sector = serializers.CharField(
        max_length=64, required=False, help_text=_("Code NAF (10.71C, 10, C) ou filière.")
    )
    horizon_km = serializers.FloatField(
        required=False,
        max_value=MAX_HORIZON_KM,
        help_text=_(
            "Horizon en km (nombre > 0, au plus %(max)d) : un relais compétent plus loin rend "
            "le lieu « far ». Par défaut RELAY_HORIZON_KM (100)."
        )
        % {"max": MAX_HORIZON_KM},
    )
    state = serializers.ChoiceField(
        choices=STATES,
        required=False,
        help_text=_("Ne lister que les lieux dans cet état (les totaux restent entiers)."),
    )

    def validate_service(self, value: str) -> Service:
        # (NUL, which PostgreSQL refuses in text, never gets here: DRF's CharField refuses it.)
        service = Service.objects.filter(code=value.strip()).first()
        if service is None:
            raise serializers.ValidationError(
                _("Service inconnu : « %(code)s » (voir /api/v1/services/).") % {"code": value}
            )
        return service

    def validate_sector(self, value: str) -> str:
        if expand_sector(value) is None:
            raise serializers.ValidationError(
                _("Secteur inconnu : « %(code)s » (code NAF ou filière, voir /api/v1/sectors/).")
                % {"code": value}
            )
        return value.strip()

    def validate_horizon_km(self, value: float) -> float:
        if not value > 0:
            raise serializers.ValidationError(
                _("L'horizon doit être un nombre de kilomètres positif.")
            )
        return value

    def validate_territory(self, value):
        if value.level == TerritoryLevel.COUNTRY and value.code != "FR":
            raise serializers.ValidationError(
                _("Le rapport porte sur la France, une région, un département ou un EPCI.")
            )
        return value

    def validate(self, attrs):
        territory = attrs["territory"]
        if territory.level == TerritoryLevel.COUNTRY and attrs.get("service") is None:
            raise CoverageRefused(TOO_BROAD, code="too_broad", field="service")
        return attrs


def given(query_params) -> dict[str, str]:
    """The query without its empty values: ``?country=`` means "no country", as a form sends."""
    return {name: value for name, value in query_params.items() if value != ""}


# --- Payload ------------------------------------------------------------------------------------


def _territory(territory) -> dict:
    return {
        "level": territory.level,
        "code": territory.code,
        "name": territory.name,
        "reference": f"{territory.level}:{territory.code}",
    }


def _service(service: Service) -> dict:
    return {"code": service.code, "name": service.name}


def totals_payload(totals: StateTotals) -> dict:
    return {
        "level": totals.level,
        "code": totals.code,
        "name": totals.name,
        "places": dict(totals.places),
        "population": dict(totals.population),
        "smes": dict(totals.smes),
        "place_count": totals.place_count,
        "population_total": totals.population_total,
        "sme_total": totals.sme_total,
        "population_share": {state: totals.population_share(state) for state in STATES},
    }


def place_payload(row: PlaceRow, report: TerritoryCoverage) -> dict:
    relay = report.relays.get(row.structure_id) if row.structure_id is not None else None
    return {
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "population": row.population,
        "smes": row.smes,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "state": row.state,
        "service_states": dict(row.service_states),
        "distance_km": row.distance_km,
        "relay": None
        if relay is None
        else {"id": relay.pk, "slug": relay.slug, "name": relay.name, "offer_id": row.offer_id},
    }


def request_payload(report: TerritoryCoverage, *, state: str | None) -> dict:
    service = report.service
    return {
        "territory": _territory(report.territory),
        "service": None if service is None else _service(service),
        "all_services": report.all_services,
        "country": report.country_code,
        "sector": report.sector,
        "horizon_km": report.horizon_km,
        "state": state,
    }


def report_head(report: TerritoryCoverage, *, state: str | None, count: int) -> dict:
    """Everything but the places (the JSON body documented by ``CoverageReportSerializer``)."""
    return {
        "request": request_payload(report, state=state),
        "stamp": report.stamp,
        "totals": totals_payload(report.totals),
        "subtotals": [totals_payload(t) for t in report.subtotals],
        "by_service": [
            {"service": _service(item.service), "totals": totals_payload(item.totals)}
            for item in report.by_service
        ],
        "unlocated": list(report.unlocated),
        "unplaced_smes": report.unplaced_smes,
        "count": count,
    }


def selected_places(report: TerritoryCoverage, state: str | None) -> list[PlaceRow]:
    return [row for row in report.places if state is None or row.state == state]


def csv_header(report: TerritoryCoverage) -> list[str]:
    return [*PLACE_COLUMNS, *(f"state.{service.code}" for service in report.services)]


def flat_place(row: PlaceRow, report: TerritoryCoverage) -> dict:
    """One place under the CSV's column names, values typed (the GeoJSON properties)."""
    place = place_payload(row, report)
    relay = place.pop("relay") or {}
    states = place.pop("service_states")
    flat = {name: place.get(name) for name in PLACE_COLUMNS if "." not in name}
    flat.update({f"relay.{key}": relay.get(key) for key in ("id", "slug", "name", "offer_id")})
    flat.update({f"state.{service.code}": states.get(service.code) for service in report.services})
    return {name: flat[name] for name in csv_header(report)}


def _chunks(rows: list[PlaceRow]) -> Iterator[list[PlaceRow]]:
    for start in range(0, len(rows), PLACES_PER_CHUNK):
        yield rows[start : start + PLACES_PER_CHUNK]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, cls=JSONEncoder)


def stream_json(report: TerritoryCoverage, rows: list[PlaceRow], head: dict) -> Iterator[bytes]:
    yield (_dumps(head)[:-1] + ', "places": [').encode()
    separator = ""
    for chunk in _chunks(rows):
        yield (separator + ", ".join(_dumps(place_payload(r, report)) for r in chunk)).encode()
        separator = ", "
    yield b"]}"


def _cell(value) -> str:
    return "" if value is None else spreadsheet_safe(str(value))


def stream_csv(report: TerritoryCoverage, rows: list[PlaceRow]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(report))
    for chunk in _chunks(rows):
        writer.writerows([_cell(v) for v in flat_place(r, report).values()] for r in chunk)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no place: the header alone
        yield buffer.getvalue().encode("utf-8")


def _feature(row: PlaceRow, report: TerritoryCoverage) -> dict:
    return {
        "type": "Feature",
        "id": row.code,
        "geometry": {"type": "Point", "coordinates": [row.longitude, row.latitude]},
        "properties": flat_place(row, report),
    }


def stream_geojson(report: TerritoryCoverage, rows: list[PlaceRow], head: dict) -> Iterator[bytes]:
    members = {
        "type": "FeatureCollection",
        "count": head["count"],
        "stamp": head["stamp"],
        "request": head["request"],
        "totals": head["totals"],
    }
    yield (_dumps(members)[:-1] + ', "features": [').encode()
    separator = ""
    for chunk in _chunks(rows):
        yield (separator + ", ".join(_dumps(_feature(r, report)) for r in chunk)).encode()
        separator = ", "
    yield b"]}"


def report_etag(report: TerritoryCoverage, *, state: str | None, export_format: str) -> str:
    """A strong tag of one representation: the relay index stamp, the SMEs counted per place,
    the normalised request, the format and the language."""
    digest = hashlib.sha256()
    request = request_payload(report, state=state)
    parts = (
        report.stamp,
        _dumps(request),
        export_format,
        get_language() or "",
        str(report.unplaced_smes),
    )
    digest.update("\n".join(parts).encode())
    for row in report.places:
        digest.update(f"{row.territory_id}:{row.smes};".encode())
    return f'"{digest.hexdigest()[:32]}"'


def _matches(if_none_match: str, etag: str) -> bool:
    # If-None-Match compares weakly (RFC 9110 §13.1.2): a W/ prefix does not matter.
    tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
    return "*" in tags or etag in tags


def _filename(report: TerritoryCoverage) -> str:
    service = report.service.code if report.service is not None else "tous-services"
    return f"couverture-{report.territory.level}-{report.territory.code}-{service}"


# --- Documentation ------------------------------------------------------------------------------


class StateCountsSerializer(serializers.Serializer):
    covered = serializers.IntegerField()
    far = serializers.IntegerField()
    uncovered = serializers.IntegerField()


class StateSharesSerializer(serializers.Serializer):
    covered = serializers.FloatField(allow_null=True)
    far = serializers.FloatField(allow_null=True)
    uncovered = serializers.FloatField(allow_null=True)


class CoverageTotalsSerializer(serializers.Serializer):
    level = serializers.CharField()
    code = serializers.CharField(help_text=_("Code officiel (INSEE, SIREN pour un EPCI)."))
    name = serializers.CharField()
    places = StateCountsSerializer(help_text=_("Lieux dans chaque état."))
    population = StateCountsSerializer(help_text=_("Habitants (INSEE) dans chaque état."))
    smes = StateCountsSerializer(help_text=_("PME enregistrées dans chaque état."))
    place_count = serializers.IntegerField()
    population_total = serializers.IntegerField()
    sme_total = serializers.IntegerField()
    population_share = StateSharesSerializer(
        help_text=_("Part (0–1) des habitants dans chaque état ; null sans habitant.")
    )


class ServiceCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ServiceTotalsSerializer(serializers.Serializer):
    service = ServiceCodeSerializer()
    totals = CoverageTotalsSerializer()


class ReportTerritorySerializer(serializers.Serializer):
    level = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    reference = serializers.CharField(help_text=_("« niveau:code », comme le paramètre."))


class CoverageRequestSerializer(serializers.Serializer):
    territory = ReportTerritorySerializer()
    service = ServiceCodeSerializer(allow_null=True)
    all_services = serializers.BooleanField()
    country = serializers.CharField(allow_null=True, help_text=_("ISO 3166-1 alpha-2."))
    sector = serializers.CharField(allow_null=True)
    horizon_km = serializers.FloatField()
    state = serializers.ChoiceField(choices=STATES, allow_null=True)


class PlaceRelaySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    offer_id = serializers.IntegerField()


class CoveragePlaceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Code INSEE de la commune (ou de l'arrondissement)."))
    name = serializers.CharField()
    level = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    smes = serializers.IntegerField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    state = serializers.ChoiceField(
        choices=STATES, help_text=_("Tous les services : le pire des états des services.")
    )
    service_states = serializers.DictField(
        child=serializers.ChoiceField(choices=STATES),
        help_text=_("Code du service → état."),
    )
    distance_km = serializers.FloatField(
        allow_null=True, help_text=_("Un service : distance au relais compétent le plus proche.")
    )
    relay = PlaceRelaySerializer(
        allow_null=True,
        help_text=_("Un service : la structure du relais compétent le plus proche."),
    )


class CoverageReportSerializer(serializers.Serializer):
    request = CoverageRequestSerializer()
    stamp = serializers.CharField(help_text=_("Change quand les fiches ou offres changent."))
    totals = CoverageTotalsSerializer()
    subtotals = CoverageTotalsSerializer(many=True)
    by_service = ServiceTotalsSerializer(many=True)
    unlocated = serializers.ListField(
        child=serializers.CharField(), help_text=_("Codes des lieux sans centre connu.")
    )
    unplaced_smes = serializers.IntegerField(
        help_text=_("PME rattachées à une ville entière (Paris, Lyon, Marseille) ou sans lieu.")
    )
    count = serializers.IntegerField(help_text=_("Nombre de lieux listés (après state=)."))
    places = CoveragePlaceSerializer(many=True)


class CoverageFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    count = serializers.IntegerField()
    stamp = serializers.CharField()
    request = CoverageRequestSerializer()
    totals = CoverageTotalsSerializer()
    features = serializers.ListField(
        child=serializers.DictField(),
        help_text=_("Un point par lieu ; propriétés = colonnes du CSV."),
    )


def _totals_example(level, code, name, places, population, smes) -> dict:
    total = sum(population)
    return {
        "level": level,
        "code": code,
        "name": name,
        "places": dict(zip(STATES, places, strict=True)),
        "population": dict(zip(STATES, population, strict=True)),
        "smes": dict(zip(STATES, smes, strict=True)),
        "place_count": sum(places),
        "population_total": total,
        "sme_total": sum(smes),
        "population_share": {
            s: round(p / total, 4) for s, p in zip(STATES, population, strict=True)
        },
    }


_EXAMPLE_REQUEST = {
    "territory": {
        "level": "departement",
        "code": "2A",
        "name": "Corse-du-Sud",
        "reference": "departement:2A",
    },
    "service": {"code": "export-finance", "name": "Financement export"},
    "all_services": False,
    "country": "MA",
    "sector": None,
    "horizon_km": 100.0,
    "state": None,
}
_EXAMPLE_TOTALS = _totals_example(
    "departement", "2A", "Corse-du-Sud", (41, 12, 71), (98120, 3010, 57420), (210, 4, 31)
)
_EXAMPLE_REPORT = {
    "request": _EXAMPLE_REQUEST,
    "stamp": "5f0c2a91be37d410",
    "totals": _EXAMPLE_TOTALS,
    "subtotals": [
        _totals_example(
            "epci", "242010056", "CA du Pays Ajaccien", (10, 0, 0), (86190, 0, 0), (195, 0, 0)
        )
    ],
    "by_service": [
        {
            "service": {"code": "export-finance", "name": "Financement export"},
            "totals": _EXAMPLE_TOTALS,
        }
    ],
    "unlocated": [],
    "unplaced_smes": 0,
    "count": 124,
    "places": [
        {
            "code": "2A004",
            "name": "Ajaccio",
            "level": "commune",
            "population": 73451,
            "smes": 160,
            "latitude": 41.9272,
            "longitude": 8.7346,
            "state": "covered",
            "service_states": {"export-finance": "covered"},
            "distance_km": 0.512,
            "relay": {"id": 31, "slug": "cci-ajaccio", "name": "CCI Ajaccio", "offer_id": 88},
        },
        {
            "code": "2A247",
            "name": "Porto-Vecchio",
            "level": "commune",
            "population": 11805,
            "smes": 22,
            "latitude": 41.5911,
            "longitude": 9.2795,
            "state": "uncovered",
            "service_states": {"export-finance": "uncovered"},
            "distance_km": None,
            "relay": None,
        },
    ],
}
_EXAMPLE_CSV = (
    "code,name,level,population,smes,latitude,longitude,state,distance_km,relay.id,relay.slug,"
    "relay.name,relay.offer_id,state.export-finance\r\n"
    "2A004,Ajaccio,commune,73451,160,41.9272,8.7346,covered,0.512,31,cci-ajaccio,CCI Ajaccio,"
    "88,covered\r\n"
    "2A247,Porto-Vecchio,commune,11805,22,41.5911,9.2795,uncovered,,,,,,uncovered\r\n"
)

COVERAGE_SCHEMA = extend_schema(
    tags=["couverture"],
    summary=_("Rapport de couverture d'un territoire (les manques de relais)"),
    description=_(
        "Pour une région, un département, un EPCI ou la France, un service ou tous, un pays "
        "cible et un secteur facultatifs : chaque lieu (commune, arrondissement de Paris, Lyon, "
        "Marseille) avec son état — covered (relais compétent dans l'horizon), far (le plus "
        "proche au-delà), uncovered (aucun) —, ses habitants et ses PME ; les totaux du "
        "territoire, de chaque EPCI, département et région, et de chaque service. Les lieux ne "
        "sont pas paginés (un rapport = un calcul, les totaux en sont la somme) : la réponse "
        "est écrite au fil de l'eau. Formats : JSON, ?format=csv (une ligne par lieu), "
        "?format=geojson (points). ETag : If-None-Match donne 304 tant que rien n'a changé."
    ),
    parameters=[
        CoverageQuerySerializer,
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            enum=list(FORMATS),
            description=_("json (défaut), csv ou geojson."),
        ),
        OpenApiParameter(
            "ETag",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            response=[200, 304],
            description=_("Étiquette du rapport (à renvoyer dans If-None-Match)."),
        ),
        OpenApiParameter(
            "X-Total-Count",
            OpenApiTypes.INT,
            OpenApiParameter.HEADER,
            response=[200],
            description=_("Nombre de lieux listés (après state=)."),
        ),
    ],
    responses={
        (200, "application/json"): CoverageReportSerializer,
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR, description=_("Une ligne par lieu, codes officiels.")
        ),
        (200, "application/geo+json"): OpenApiResponse(
            CoverageFeatureCollectionSerializer, description=_("Un point par lieu.")
        ),
        304: OpenApiResponse(description=_("Inchangé depuis l'ETag donné dans If-None-Match.")),
    },
    examples=[
        OpenApiExample(
            "Financement export pour le Maroc en Corse-du-Sud",
            summary="?territory=departement:2A&service=export-finance&country=MA",
            value=_EXAMPLE_REPORT,
            response_only=True,
            status_codes=["200"],
            media_type="application/json",
        ),
        OpenApiExample(
            "Le même rapport en CSV",
            summary="?territory=departement:2A&service=export-finance&country=MA&format=csv",
            value=_EXAMPLE_CSV,
            response_only=True,
            status_codes=["200"],
            media_type="text/csv",
        ),
        OpenApiExample(
            "Tous les services sur toute la France",
            summary="?territory=country:FR",
            value={
                "detail": str(TOO_BROAD),
                "code": "too_broad",
                "errors": {"service": [str(TOO_BROAD)]},
            },
            response_only=True,
            status_codes=["400"],
        ),
    ],
)


@COVERAGE_SCHEMA
class CoverageView(QueryContractMixin, APIView):
    renderer_classes = TABULAR_RENDERERS
    query_serializer_class = CoverageQuerySerializer
    # A report not in the cache costs a second or two of computation (France): a rate of its
    # own, per caller, besides the API's general throttles.
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, ScopedRateThrottle]
    throttle_scope = "coverage"

    def get(self, request):
        query = CoverageQuerySerializer(data=given(request.query_params))
        query.is_valid(raise_exception=True)
        options = query.validated_data
        try:
            report = territory_coverage(
                territory=options["territory"],
                service=options.get("service"),
                country=options.get("country"),
                sector=options.get("sector") or None,
                horizon_km=options.get("horizon_km"),
            )
        except CoverageError as exc:
            raise CoverageRefused(exc) from None
        state = options.get("state")
        export_format = request.accepted_renderer.format
        etag = report_etag(report, state=state, export_format=export_format)
        if _matches(request.headers.get("If-None-Match", ""), etag):
            return self._headers(HttpResponse(status=status.HTTP_304_NOT_MODIFIED), etag)
        rows = selected_places(report, state)
        head = report_head(report, state=state, count=len(rows))
        if export_format not in FORMATS:  # the browsable API: a page, not a download
            body = {**head, "places": [place_payload(r, report) for r in rows]}
            return self._headers(Response(body), etag)
        if export_format == "csv":
            body = stream_csv(report, rows)
        elif export_format == "geojson":
            body = stream_geojson(report, rows, head)
        else:
            body = stream_json(report, rows, head)
        response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[export_format])
        response["X-Total-Count"] = str(len(rows))
        if export_format != "json":
            response["Content-Disposition"] = (
                f'attachment; filename="{_filename(report)}.{export_format}"'
            )
        return self._headers(response, etag)

    @staticmethod
    def _headers(response, etag: str):
        response["ETag"] = etag
        # Public figures, the same for every caller: shared caches may keep them, but must ask
        # again (If-None-Match) before each reuse, since a listing may change at any time.
        patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ["Accept", "Accept-Language"])
        return response
