"""Coverage-gap report: for every place of a territory, is there a competent
relay within the horizon for a service? (docs/relay.md, "Coverage report").

**Same competence as the lookup.** A relay is competent for a place exactly when
``find_relays`` would list it among the competent results of a firm at the place's centre that
gives no profile, only the report's target country and sector: the index rows
(``RelayIndexEntry``: active offers of published structures, effective coverage), the coverage
containing the place through the closure, and ``criteria.judge`` with ``profile=None`` — so
eligibility conditions (size, age, NAF rules) and members-only are stated by the lookup, never
filtered, and never filter here either. Distances are ``core.geo.haversine_km`` from the place's
centre to the relay's point, shown rounded to the metre like a lookup's result.

**Set-based.** One read of the service's index rows (each judged once: the verdict does not
depend on the place), one read of the closure links of the territory's places; each place then
looks only at the offers whose coverage contains it — a join through its few ancestors, not a
nearest-neighbour search over the country.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext_lazy as _

from core.db_router import read_connection
from core.geo import KM_PER_DEGREE_LAT, haversine_km
from structures.models import Service
from structures.relay import criteria
from structures.relay.enums import MarketMatch
from structures.relay.index import RelayIndexEntry
from territories.enums import PLACE_LEVELS, TerritoryLevel
from territories.models import Territory, TerritoryAncestor

COVERED, FAR, UNCOVERED = "covered", "far", "uncovered"
STATES = (COVERED, FAR, UNCOVERED)

# Levels whose totals the report gives (each one found inside the requested territory).
TOTAL_LEVELS = (
    TerritoryLevel.EPCI.value,
    TerritoryLevel.DEPARTEMENT.value,
    TerritoryLevel.REGION.value,
)

_INDEX_FIELDS = (
    "offer_id",
    "structure_id",
    "territory_id",
    "coverage_rank",
    "latitude",
    "longitude",
    "sector_codes",
    "market_codes",
    "planned_codes",
    "min_employees",
    "max_employees",
    "min_age_years",
    "members_only",
    "application_required",
    "naf_include",
    "naf_exclude",
    "sort_key",
)


# Float rounding between the latitude bound and haversine: look a millimetre farther.
_SLACK_KM = 1e-6


class CoverageError(ValueError):
    """A report that cannot be asked as given; the message is fit to show."""


@dataclass(frozen=True)
class PlaceCoverage:
    """One place (a commune, or a municipal arrondissement instead of its city) and its state.

    ``offer_id`` / ``structure_id`` / ``distance_km`` name the nearest competent relay (in the
    lookup's order: distance, finest coverage, explicit market, stable key), for ``covered`` and
    ``far``; all ``None`` for ``uncovered``.
    """

    territory_id: int
    level: str
    code: str
    name: str
    population: int | None
    latitude: float
    longitude: float
    state: str
    distance_km: float | None = None
    offer_id: int | None = None
    structure_id: int | None = None


@dataclass(frozen=True)
class CoverageTotals:
    """Places and inhabitants in each state, for one territory (the requested one, or an EPCI,
    département or région within it). A place of unknown population counts as 0 inhabitants."""

    territory_id: int
    level: str
    code: str
    name: str
    places: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    population: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    def add(self, place: PlaceCoverage) -> None:
        self.places[place.state] += 1
        self.population[place.state] += place.population or 0


@dataclass(frozen=True)
class CoverageReport:
    territory: Territory
    service: Service
    country_code: str | None
    sector: str | None
    horizon_km: float
    places: tuple[PlaceCoverage, ...]
    # Codes of places without a known centre: the lookup cannot search from them, no state.
    unlocated: tuple[str, ...]
    totals: CoverageTotals  # the requested territory
    # Every EPCI, département and région holding places of the report, except the territory
    # and those containing it; each counts only the report's places (an EPCI straddling a
    # border, its part inside). By level then code.
    subtotals: tuple[CoverageTotals, ...]
    # Place id -> ids of the subtotals it counts in: what a caller needs to add its own figures
    # per place (the SMEs) to the same totals.
    subtotals_of: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def place(self, code: str) -> PlaceCoverage:
        return next(p for p in self.places if p.code == code)


def report_places(territory: Territory):
    """The places of a territory the report lists: communes, except that Paris, Lyon and
    Marseille are replaced by their municipal arrondissements — where firms are located (a point
    resolves to an arrondissement), and so that no inhabitant is counted twice."""
    places = Territory.objects.filter(
        ancestor_links__ancestor=territory, level__in=PLACE_LEVELS, is_current=True
    )
    divided = Territory.objects.filter(level=TerritoryLevel.ARRONDISSEMENT, is_current=True)
    return places.exclude(pk__in=divided.values("parent_id")).order_by("code", "level")


def _competent_rows(
    services: Sequence[Service], *, sectors, country: str | None, today: date, within: Territory
) -> dict[int, dict[int, _Candidates]]:
    """The services' index rows judged competent for a firm with no profile, for the places of
    ``within``, in one read: by service id, candidates by coverage territory (latitude,
    longitude, rank, market order, sort key, offer id, structure id)."""
    judge = criteria.Judge(sectors=sectors, country=country, profile=None, today=today)
    rows = RelayIndexEntry.objects.filter(service__in=[service.pk for service in services])
    if within.level != TerritoryLevel.COUNTRY:
        # Only offers whose coverage contains one of the places can be competent there: a
        # département reads its own, its région's and the country's rows, not the nation's.
        rows = rows.filter(
            # DISTINCT: a few thousand coverage territories hashed once; without it PostgreSQL
            # may choose a semi join re-run per index row (1.4 s instead of 0.08 s for a région
            # once the tables are vacuumed).
            territory_id__in=TerritoryAncestor.objects.filter(
                descendant__in=report_places(within).values("pk")
            )
            .values("ancestor_id")
            .distinct()
        )
    fields = ("service_id", *_INDEX_FIELDS)
    # Rows as plain tuples through the cursor: the ORM's per-row cost would exceed the rest.
    sql, params = rows.values_list(*fields).query.sql_with_params()
    verdicts: dict[int, criteria.Verdict] = {}
    found: dict[int, dict[int, list[tuple]]] = {
        service.pk: defaultdict(list) for service in services
    }
    with read_connection(RelayIndexEntry).cursor() as cursor:
        cursor.execute(sql, params)
        for values in cursor.fetchall():
            row = dict(zip(fields, values, strict=True))
            # Every row of an offer carries the same criteria: judge each offer once.
            verdict = verdicts.get(row["offer_id"])
            if verdict is None:
                verdict = verdicts[row["offer_id"]] = judge(row)
            if verdict.status != criteria.OK:
                continue
            market_order = 0 if verdict.market_match == MarketMatch.EXPLICIT else 1
            found[row["service_id"]][row["territory_id"]].append(
                (
                    row["latitude"],
                    row["longitude"],
                    row["coverage_rank"],
                    market_order,
                    row["sort_key"],
                    row["offer_id"],
                    row["structure_id"],
                )
            )
    return {
        service_id: {pk: _Candidates(rows) for pk, rows in by_territory.items()}
        for service_id, by_territory in found.items()
    }


class _Candidates:
    """The competent offers of one coverage territory, for nearest-offer searches.

    Offers sharing a point (a structure's offers, structures at a commune centre) are at the
    same distance from any place: only the first by the lookup's order is kept. The rest are
    sorted by latitude, so that a search can stop once the latitude gap alone — a lower bound
    of the haversine distance — exceeds the best distance found.
    """

    def __init__(self, rows: list[tuple]) -> None:
        first: dict[tuple[float, float], tuple] = {}
        for row in rows:
            point = (row[0], row[1])
            if point not in first or row[2:5] < first[point][2:5]:
                first[point] = row
        self.rows = sorted(first.values())
        self.latitudes = [row[0] for row in self.rows]

    def nearest(self, lat: float, lon: float, best: tuple | None) -> tuple | None:
        """``best`` or a better ((distance, rank, market order, key), offer, structure)."""
        rows, lats = self.rows, self.latitudes
        up = bisect_left(lats, lat)
        down = up - 1
        while True:
            gap_up = (lats[up] - lat) if up < len(rows) else math.inf
            gap_down = (lat - lats[down]) if down >= 0 else math.inf
            gap = min(gap_up, gap_down)
            bound = math.inf if best is None else best[0][0] + _SLACK_KM
            # R·Δφ ≤ haversine: nothing farther in latitude can be nearer (ties included).
            if gap == math.inf or gap * KM_PER_DEGREE_LAT > bound:
                return best
            if gap_up <= gap_down:
                row, up = rows[up], up + 1
            else:
                row, down = rows[down], down - 1
            o_lat, o_lon, rank, market_order, key, offer, structure = row
            candidate = (haversine_km(lat, lon, o_lat, o_lon), rank, market_order, key)
            if best is None or candidate < best[0]:
                best = (candidate, offer, structure)

    def any_within(self, lat: float, lon: float, radius_km: float) -> bool:
        """Whether one of these offers lies within ``radius_km`` of the point — the nearest's
        distance ≤ radius, without finding the nearest: the first offer within it settles."""
        rows, lats = self.rows, self.latitudes
        up = bisect_left(lats, lat)
        down = up - 1
        bound = radius_km + _SLACK_KM
        while True:
            gap_up = (lats[up] - lat) if up < len(rows) else math.inf
            gap_down = (lat - lats[down]) if down >= 0 else math.inf
            gap = min(gap_up, gap_down)
            if gap == math.inf or gap * KM_PER_DEGREE_LAT > bound:
                return False
            if gap_up <= gap_down:
                row, up = rows[up], up + 1
            else:
                row, down = rows[down], down - 1
            if haversine_km(lat, lon, row[0], row[1]) <= radius_km:
                return True


def check_request(*, territory, service, country, sector, horizon_km):
    """Validate a report request: (expanded sectors or None, horizon in km). Raises
    ``CoverageError`` with a message fit to show."""
    if not isinstance(territory, Territory) or territory.level in PLACE_LEVELS:
        raise CoverageError(_("Choisissez une région, un département, un EPCI ou la France."))
    if territory.level == TerritoryLevel.COUNTRY and territory.code != "FR":
        raise CoverageError(_("Le rapport de couverture porte sur un territoire français."))
    if not isinstance(service, Service):
        raise CoverageError(_("Service inconnu."))
    if country is not None and (
        not isinstance(country, Territory) or country.level != TerritoryLevel.COUNTRY
    ):
        raise CoverageError(_("Le marché visé doit être un pays."))
    sectors = None
    if sector:
        sectors = criteria.expand_sector(sector)
        if sectors is None:
            raise CoverageError(_("Secteur inconnu : %(code)s.") % {"code": sector})
    try:
        horizon = settings.RELAY_HORIZON_KM if horizon_km is None else float(horizon_km)
    except (TypeError, ValueError):
        horizon = math.nan
    if not horizon > 0 or horizon == math.inf:
        raise CoverageError(_("L'horizon doit être un nombre de kilomètres positif."))
    return sectors, horizon


@dataclass
class _Places:
    """A territory's places and their closure links, read once for any number of services."""

    rows: list[tuple]  # pk, level, code, name, population, latitude, longitude
    ancestors: dict[int, list[int]]  # place -> every territory containing it
    subtotals_of: dict[int, tuple[int, ...]]  # place -> the EPCI, département, région totals
    names: dict[int, tuple[str, str, str]]  # subtotal territory -> level, code, name


def _read_places(territory: Territory) -> _Places:
    rows = list(
        report_places(territory).values_list(
            "pk", "level", "code", "name", "population", "latitude", "longitude"
        )
    )
    ancestors: dict[int, list[int]] = defaultdict(list)
    totals_of: dict[int, list[int]] = defaultdict(list)
    total_levels: set[int] = set()
    links = (
        TerritoryAncestor.objects.filter(
            descendant__in=report_places(territory).values("pk"),
        )
        .values_list("descendant_id", "ancestor_id", "ancestor__level")
        .order_by()
    )
    # The territory and what contains it (the région of a département) get no subtotal.
    around = set(
        TerritoryAncestor.objects.filter(descendant=territory).values_list("ancestor_id", flat=True)
    )
    for descendant, ancestor, level in links.iterator(chunk_size=5000):
        ancestors[descendant].append(ancestor)
        if level in TOTAL_LEVELS and ancestor not in around:
            totals_of[descendant].append(ancestor)
            total_levels.add(ancestor)
    names = {
        pk: (level, code, name)
        for pk, level, code, name in Territory.objects.filter(
            pk__in=list(total_levels)
        ).values_list("pk", "level", "code", "name")
    }
    return _Places(
        rows=rows,
        ancestors=ancestors,
        subtotals_of={pk: tuple(ids) for pk, ids in totals_of.items()},
        names=names,
    )


def _report(
    *,
    territory: Territory,
    service: Service,
    places: _Places,
    competent: dict[int, _Candidates],
    horizon: float,
    country_code: str | None,
    sector: str | None,
) -> CoverageReport:
    total = CoverageTotals(territory.pk, territory.level, territory.code, territory.name)
    subtotals = {pk: CoverageTotals(pk, *names) for pk, names in places.names.items()}
    results, unlocated = [], []
    for pk, level, code, name, population, lat, lon in places.rows:
        if lat is None:
            # The lookup refuses a place without a centre (``unknown_commune``): no state.
            unlocated.append(code)
            continue
        best = None
        for ancestor in places.ancestors.get(pk, ()):
            candidates = competent.get(ancestor)
            if candidates is not None:
                best = candidates.nearest(lat, lon, best)
        if best is None:
            place = PlaceCoverage(pk, level, code, name, population, lat, lon, UNCOVERED)
        else:
            distance = best[0][0]
            place = PlaceCoverage(
                pk,
                level,
                code,
                name,
                population,
                lat,
                lon,
                COVERED if distance <= horizon else FAR,
                distance_km=round(distance, 3),
                offer_id=best[1],
                structure_id=best[2],
            )
        results.append(place)
        total.add(place)
        for ancestor in places.subtotals_of.get(pk, ()):
            subtotals[ancestor].add(place)
    return CoverageReport(
        territory=territory,
        service=service,
        country_code=country_code,
        sector=sector or None,
        horizon_km=horizon,
        places=tuple(results),
        unlocated=tuple(unlocated),
        totals=total,
        subtotals=tuple(
            sorted(subtotals.values(), key=lambda t: (TOTAL_LEVELS.index(t.level), t.code))
        ),
        subtotals_of=places.subtotals_of,
    )


def coverage_by_service(
    *,
    territory: Territory,
    services: Sequence[Service],
    country: Territory | None = None,
    sector: str | None = None,
    horizon_km: float | None = None,
    today: date | None = None,
) -> dict[int, CoverageReport]:
    """``commune_coverage`` for several services at once, by service id: the places and their
    closure links are read once, then each service's index rows once."""
    from django.utils import timezone

    checked = [
        check_request(
            territory=territory,
            service=service,
            country=country,
            sector=sector,
            horizon_km=horizon_km,
        )
        for service in services
    ]
    if not checked:
        return {}
    sectors, horizon = checked[0]
    places = _read_places(territory)
    country_code = country.code if country is not None else None
    day = today or timezone.localdate()
    competent = _competent_rows(
        services, sectors=sectors, country=country_code, today=day, within=territory
    )
    return {
        service.pk: _report(
            territory=territory,
            service=service,
            places=places,
            competent=competent[service.pk],
            horizon=horizon,
            country_code=country_code,
            sector=sector,
        )
        for service in services
    }


def commune_coverage(
    *,
    territory: Territory,
    service: Service,
    country: Territory | None = None,
    sector: str | None = None,
    horizon_km: float | None = None,
    today: date | None = None,
) -> CoverageReport:
    """The coverage state of every place of ``territory`` for ``service``.

    ``covered``: a competent relay (docs/relay.md §3, for a firm at the place's centre with no
    profile, targeting ``country`` in ``sector``) within ``horizon_km`` (``RELAY_HORIZON_KM`` by
    default); ``far``: competent relays exist, the nearest beyond the horizon; ``uncovered``:
    none at all. Totals for the territory and for every EPCI, département and région within it.
    Raises ``CoverageError`` for a territory that is not an area of France, an unknown sector,
    a country that is not a country, or a horizon that is not positive.
    """
    check_request(
        territory=territory, service=service, country=country, sector=sector, horizon_km=horizon_km
    )
    return coverage_by_service(
        territory=territory,
        services=[service],
        country=country,
        sector=sector,
        horizon_km=horizon_km,
        today=today,
    )[service.pk]


def index_fingerprints(*, services: Sequence[Service]) -> dict[int, str]:
    """A stamp of each service's relay index rows, by service id, in one grouped query: they
    change on every listing write of that service, and only then.

    Every write of an offer or of its structure replaces its index rows (new ids, never reused:
    an auto-increment key), and a deletion lowers the count, so (count, highest id, sum of ids)
    changes whenever the rows do — the report of a service may be reused while its stamp holds.
    """
    stamps = dict.fromkeys((service.pk for service in services), "0.0.0")
    rows = (
        RelayIndexEntry.objects.filter(service__in=list(stamps))
        .values("service_id")
        .annotate(rows=Count("pk"), last=Max("pk"), total=Sum("pk"))
        .order_by()
    )
    for row in rows:
        stamps[row["service_id"]] = f"{row['rows']}.{row['last']}.{row['total']}"
    return stamps


def covered_population_by_service(
    *,
    territory: Territory,
    services: Sequence[Service],
    horizon_km: float | None = None,
    today: date | None = None,
) -> dict[int, int]:
    """Inhabitants of the places of ``territory`` in state *covered* for each service, by
    service id, for a firm with no target country or sector: ``commune_coverage``'s
    ``totals.population["covered"]``, without searching each place's nearest relay (the first
    competent relay found within the horizon settles a place). For figures that need only the
    share covered (the 4 D)."""
    from django.utils import timezone

    if not services:
        return {}
    _sectors, horizon = check_request(
        territory=territory, service=services[0], country=None, sector=None, horizon_km=horizon_km
    )
    places = _read_places(territory)
    day = today or timezone.localdate()
    covered: dict[int, int] = {}
    competent_of = _competent_rows(
        services, sectors=None, country=None, today=day, within=territory
    )
    for service in services:
        competent = competent_of[service.pk]
        total = 0
        for pk, _level, _code, _name, population, lat, lon in places.rows:
            if lat is None:
                continue
            for ancestor in places.ancestors.get(pk, ()):
                candidates = competent.get(ancestor)
                if candidates is not None and candidates.any_within(lat, lon, horizon):
                    total += population or 0
                    break
        covered[service.pk] = total
    return covered
