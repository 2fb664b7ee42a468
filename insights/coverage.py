"""The coverage-gap report of a territory, as agencies read it (docs/insights.md, "Coverage").

``structures.coverage`` decides each place's state for one service, following the relay's
competence rules exactly. This module adds what the registry layer cannot know or should not
repeat:

- **SMEs**: the registered SMEs of each place and of each total (``smes`` is above
  ``structures``);
- **all services at once**: a place's state over the catalogue is its *worst* state (uncovered if
  one service has no competent relay at all, far if one has its nearest beyond the horizon,
  covered when every service is covered), with the per-service totals beside it;
- **reuse**: each service's report is cached under a stamp of that service's relay index
  (``structures.coverage.index_fingerprints``), which every listing write changes — a report is
  recomputed on demand after a change and reused otherwise. ``precompute_coverage`` computes
  the most asked ones ahead (France, régions, départements), off the request: the worker after
  a listing change (``insights.jobs``), or ``manage.py precompute_coverage``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from smes.selectors import sme_counts_by_commune
from structures.coverage import (
    COVERED,
    FAR,
    STATES,
    UNCOVERED,
    CoverageError,
    CoverageReport,
    PlaceCoverage,
    check_request,
    coverage_by_service,
    covered_population_by_service,
    index_fingerprints,
)
from structures.models import Service, Structure
from structures.selectors import open_data_scope
from territories.enums import TerritoryLevel
from territories.models import Territory

__all__ = [
    "COVERED",
    "FAR",
    "STATES",
    "UNCOVERED",
    "CoverageError",
    "PlaceRow",
    "RelaySummary",
    "ServiceTotals",
    "StateTotals",
    "TerritoryCoverage",
    "precompute_coverage",
    "precomputed_territories",
    "territory_coverage",
]

# Worst first: the state of a place over several services is the first one any service has.
_SEVERITY = (UNCOVERED, FAR, COVERED)
_CACHE_VERSION = 1


@dataclass(frozen=True)
class RelaySummary:
    """The structure named as a place's nearest competent relay."""

    pk: int
    name: str
    slug: str
    commune_name: str


@dataclass(frozen=True)
class PlaceRow:
    """One place of the report.

    One service: ``state`` and the nearest competent relay (``structure_id``, ``offer_id``,
    ``distance_km``; ``None`` when uncovered). All services: ``state`` is the worst of the
    services' states, the relay fields are ``None``, and ``service_states`` gives each
    service's state by code (one entry with one service).
    """

    territory_id: int
    level: str
    code: str
    name: str
    population: int | None
    latitude: float
    longitude: float
    smes: int
    state: str
    service_states: dict[str, str]
    distance_km: float | None = None
    offer_id: int | None = None
    structure_id: int | None = None

    def count(self, state: str) -> int:
        """How many services are in ``state`` here."""
        return sum(1 for value in self.service_states.values() if value == state)


@dataclass
class StateTotals:
    """Places, inhabitants and registered SMEs in each state, for one territory."""

    territory_id: int
    level: str
    code: str
    name: str
    places: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    population: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    smes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    def add(self, *, state: str, population: int | None, smes: int) -> None:
        self.places[state] += 1
        self.population[state] += population or 0
        self.smes[state] += smes

    @property
    def place_count(self) -> int:
        return sum(self.places.values())

    @property
    def population_total(self) -> int:
        return sum(self.population.values())

    @property
    def sme_total(self) -> int:
        return sum(self.smes.values())

    def population_share(self, state: str) -> float | None:
        """The share (0–1) of the inhabitants in ``state``; ``None`` when nobody lives here."""
        total = self.population_total
        return self.population[state] / total if total else None


@dataclass(frozen=True)
class ServiceTotals:
    """One service's totals over the whole territory (all-services reports)."""

    service: Service
    totals: StateTotals


@dataclass(frozen=True)
class TerritoryCoverage:
    territory: Territory
    services: tuple[Service, ...]
    all_services: bool
    country_code: str | None
    sector: str | None
    horizon_km: float
    places: tuple[PlaceRow, ...]
    # Codes of places without a known centre: no state (the lookup cannot search from them).
    unlocated: tuple[str, ...]
    # SMEs registered on a divided city as a whole (Paris, Lyon, Marseille rather than one of
    # their arrondissements) or on a place without a centre: counted here, in no state.
    unplaced_smes: int
    totals: StateTotals
    subtotals: tuple[StateTotals, ...]  # EPCIs, départements, régions within, by level, code
    by_service: tuple[ServiceTotals, ...]  # one per service, catalogue order
    relays: dict[int, RelaySummary]  # the structures named as nearest relays, by id
    stamp: str  # the relay index stamps the report was computed from

    @property
    def service(self) -> Service | None:
        """The service of a one-service report."""
        return None if self.all_services else self.services[0]


def _cache_key(
    *, territory: Territory, service: Service, country, sector, horizon: float, stamp: str
) -> str:
    raw = "|".join(
        str(part)
        for part in (
            _CACHE_VERSION,
            territory.pk,
            service.pk,
            country.code if country is not None else "",
            sector or "",
            repr(float(horizon)),
            stamp,
        )
    )
    return "report:" + hashlib.sha256(raw.encode()).hexdigest()


_PLACE_FIELDS = tuple(f.name for f in fields(PlaceCoverage))
_place_values = attrgetter(*_PLACE_FIELDS)


class _Stored(NamedTuple):
    """A service's report as cached: plain tuples, which (un)pickle several times faster than
    35,000 dataclass instances (France)."""

    places: list[tuple]  # PlaceCoverage values, in _PLACE_FIELDS order
    unlocated: tuple[str, ...]
    subtotals: list[tuple[int, str, str, str]]  # id, level, code, name; in report order
    subtotals_of: dict[int, tuple[int, ...]]
    country_code: str | None
    sector: str | None
    horizon_km: float

    @classmethod
    def of(cls, report: CoverageReport) -> _Stored:
        return cls(
            places=[_place_values(place) for place in report.places],
            unlocated=report.unlocated,
            subtotals=[(t.territory_id, t.level, t.code, t.name) for t in report.subtotals],
            subtotals_of=report.subtotals_of,
            country_code=report.country_code,
            sector=report.sector,
            horizon_km=report.horizon_km,
        )


_ID, _LEVEL, _CODE, _NAME, _POPULATION, _LAT, _LON, _STATE, _DISTANCE, _OFFER, _STRUCTURE = (
    _PLACE_FIELDS.index(name)
    for name in (
        "territory_id",
        "level",
        "code",
        "name",
        "population",
        "latitude",
        "longitude",
        "state",
        "distance_km",
        "offer_id",
        "structure_id",
    )
)


def _service_reports(
    *, territory: Territory, services: Sequence[Service], country, sector, horizon: float
) -> tuple[dict[int, _Stored], list[str]]:
    """Each service's report, from the cache when its relay index is unchanged."""
    cache = caches["coverage"]
    stamps = index_fingerprints(services=services)
    keys = {
        service.pk: _cache_key(
            territory=territory,
            service=service,
            country=country,
            sector=sector,
            horizon=horizon,
            stamp=stamps[service.pk],
        )
        for service in services
    }
    cached = cache.get_many(list(keys.values()))
    reports = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [service for service in services if service.pk not in reports]
    if missing:
        fresh = {
            pk: _Stored.of(report)
            for pk, report in coverage_by_service(
                territory=territory,
                services=missing,
                country=country,
                sector=sector,
                horizon_km=horizon,
            ).items()
        }
        cache.set_many({keys[pk]: stored for pk, stored in fresh.items()})
        reports.update(fresh)
    return reports, [f"{service.code}:{stamps[service.pk]}" for service in services]


def territory_coverage(
    *,
    territory: Territory,
    service: Service | None = None,
    country: Territory | None = None,
    sector: str | None = None,
    horizon_km: float | None = None,
) -> TerritoryCoverage:
    """The coverage-gap report of ``territory`` (France, a région, a département or an EPCI)
    for ``service``, or for every service of the catalogue when ``service`` is None, for a firm
    targeting ``country`` in ``sector`` (both optional), with ``horizon_km`` (default
    ``RELAY_HORIZON_KM``).

    Each place carries its state, its population and its registered SMEs; totals for the
    territory and for every EPCI, département and région within it. Raises ``CoverageError``
    (message fit to show) for a request the report cannot answer.
    """
    services = (service,) if service is not None else tuple(Service.objects.all())
    if not services:
        raise CoverageError(_("Le catalogue ne compte aucun service."))
    _sectors, horizon = check_request(
        territory=territory,
        service=services[0],
        country=country,
        sector=sector,
        horizon_km=horizon_km,
    )
    reports, stamps = _service_reports(
        territory=territory, services=services, country=country, sector=sector, horizon=horizon
    )
    ordered = [(s.code, s.pk, reports[s.pk]) for s in services]
    first = ordered[0][2]
    smes = sme_counts_by_commune(territory=territory, include_demo=open_data_scope().include_demo)
    one = len(ordered) == 1
    if one:
        states_of = None
    else:
        states_of: dict[int, dict[str, str]] = {}
        for code, _pk, stored in ordered:
            for values in stored.places:
                states_of.setdefault(values[_ID], {})[code] = values[_STATE]

    def new_totals(pk, level, code, name):
        return StateTotals(pk, level, code, name)

    totals = new_totals(territory.pk, territory.level, territory.code, territory.name)
    subtotals = {values[0]: new_totals(*values) for values in first.subtotals}
    per_service = {
        pk: new_totals(territory.pk, territory.level, territory.code, territory.name)
        for _code, pk, _stored in ordered
    }
    rows: list[PlaceRow] = []
    placed_smes = 0
    for values in first.places:
        pk, population = values[_ID], values[_POPULATION]
        if one:
            state = values[_STATE]
            states = {ordered[0][0]: state}
        else:
            states = states_of[pk]
            found = set(states.values())
            state = next(s for s in _SEVERITY if s in found)
        count = smes.get(pk, 0)
        placed_smes += count
        rows.append(
            PlaceRow(
                territory_id=pk,
                level=values[_LEVEL],
                code=values[_CODE],
                name=values[_NAME],
                population=population,
                latitude=values[_LAT],
                longitude=values[_LON],
                smes=count,
                state=state,
                service_states=states,
                distance_km=values[_DISTANCE] if one else None,
                offer_id=values[_OFFER] if one else None,
                structure_id=values[_STRUCTURE] if one else None,
            )
        )
        totals.add(state=state, population=population, smes=count)
        for ancestor in first.subtotals_of.get(pk, ()):
            subtotals[ancestor].add(state=state, population=population, smes=count)
        for code, service_pk, _stored in ordered:
            per_service[service_pk].add(state=states[code], population=population, smes=count)
    structure_ids = {row.structure_id for row in rows if row.structure_id is not None}
    relays = {
        pk: RelaySummary(pk, name, slug, commune_name or "")
        for pk, name, slug, commune_name in Structure.objects.filter(
            pk__in=structure_ids
        ).values_list("pk", "name", "slug", "commune__name")
    }
    return TerritoryCoverage(
        territory=territory,
        services=services,
        all_services=service is None,
        country_code=first.country_code,
        sector=first.sector,
        horizon_km=first.horizon_km,
        places=tuple(rows),
        unlocated=first.unlocated,
        unplaced_smes=sum(smes.values()) - placed_smes,
        totals=totals,
        subtotals=tuple(subtotals[values[0]] for values in first.subtotals),
        by_service=tuple(ServiceTotals(s, per_service[s.pk]) for s in services),
        relays=relays,
        stamp=hashlib.sha256(";".join(stamps).encode()).hexdigest()[:16],
    )


def covered_population(*, territory: Territory, horizon_km: float | None = None) -> dict[int, int]:
    """Inhabitants of ``territory``'s places covered for each service of the catalogue, by
    service id (no country, no sector): the *covered* population of ``territory_coverage``,
    computed without each place's nearest relay (``structures.coverage.
    covered_population_by_service``) and cached under the same relay index stamps."""
    services = tuple(Service.objects.all())
    if not services:
        return {}
    _sectors, horizon = check_request(
        territory=territory, service=services[0], country=None, sector=None, horizon_km=horizon_km
    )
    stamps = index_fingerprints(services=services)
    raw = "|".join(
        [str(_CACHE_VERSION), "covered", str(territory.pk), repr(float(horizon))]
        + [f"{pk}:{stamp}" for pk, stamp in sorted(stamps.items())]
    )
    key = "covered:" + hashlib.sha256(raw.encode()).hexdigest()
    cache = caches["coverage"]
    covered = cache.get(key)
    if covered is None:
        covered = covered_population_by_service(
            territory=territory, services=services, horizon_km=horizon
        )
        cache.set(key, covered)
    return covered


def precomputed_territories() -> list[Territory]:
    """France, then every current région and département (by code): the reports most asked for,
    and the dearest to compute on a request. EPCIs (about 1,250, each small and quick) are
    computed when first asked."""
    territories = list(Territory.objects.filter(level=TerritoryLevel.COUNTRY, code="FR")) + sorted(
        Territory.objects.filter(
            level__in=[TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT], is_current=True
        ),
        key=lambda t: (t.level != TerritoryLevel.REGION, t.code),
    )
    return territories


def precompute_coverage(
    *,
    services: Sequence[Service] | None = None,
    territories: Sequence[Territory] | None = None,
) -> int:
    """Compute and store the reports of ``services`` (default: the catalogue) over
    ``territories`` (default: ``precomputed_territories()``) that a request with no country, no
    sector and the default horizon reads — the pages' and the API's default —, unless stored
    already under the services' current stamps. Returns how many were computed.

    Each service's stamp is read before its report is computed: a listing change committed
    meanwhile leaves a report under the old stamp, never read again, rather than an old report
    under the new stamp.
    """
    services = tuple(Service.objects.all()) if services is None else tuple(services)
    territories = precomputed_territories() if territories is None else list(territories)
    if not services or not territories:
        return 0
    cache = caches["coverage"]
    horizon = float(settings.RELAY_HORIZON_KM)
    computed = 0
    for territory in territories:
        stamps = index_fingerprints(services=services)
        keys = {
            service.pk: _cache_key(
                territory=territory,
                service=service,
                country=None,
                sector=None,
                horizon=horizon,
                stamp=stamps[service.pk],
            )
            for service in services
        }
        # has_key, not get_many: no report is read back (a France one is megabytes).
        missing = [service for service in services if not cache.has_key(keys[service.pk])]
        if not missing:
            continue
        fresh = coverage_by_service(territory=territory, services=missing, horizon_km=horizon)
        cache.set_many({keys[pk]: _Stored.of(report) for pk, report in fresh.items()})
        computed += len(fresh)
    return computed
