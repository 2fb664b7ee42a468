"""A brute-force reference implementation of docs/relay.md, for the randomised proof.

Deliberately naive and independent of the engine: it reads the normalised models only (never
``RelayIndexEntry``, never ``structures.relay.criteria``), examines every offer for every query,
and applies each rule of the spec literally, in plain Python. ``core.geo.haversine_km`` is the
one shared helper, because the spec mandates a single haversine definition.

``Snapshot.load()`` reads the registry once; ``reference_find(snapshot, query)`` answers a query
with the ordered list of ``RefResult`` (competent relays first, then labelled fallbacks) or a
``RefError``. Reload the snapshot after changing the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from core.geo import haversine_km

NEAREST_COMMUNE_MAX_KM = 60.0
LEVEL_RANK = {
    "arrondissement": 0,
    "commune": 1,
    "epci": 2,
    "departement": 3,
    "region": 4,
    "country": 5,
}
HARD_CORE_SERVICES = frozenset(
    {"transport-logistics", "export-finance", "export-insurance", "public-aid"}
)
GENERALIST_SERVICE = "information-orientation"
NAF_CODE = re.compile(r"^(\d{2})(\.\d{1,2}[A-Z]?)?$")


# --- Query and answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """The arguments of one ``find_relays`` call (only the ones the proof varies)."""

    service: str
    commune: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    sector: str | None = None
    country: str | None = None
    profile: object | None = None  # structures.relay.types.EligibilityProfile
    k: int = 5
    include_remote: bool = True

    def kwargs(self) -> dict:
        args = {"service": self.service, "k": self.k, "include_remote": self.include_remote}
        for name in ("commune", "postal_code", "latitude", "longitude", "sector", "country"):
            value = getattr(self, name)
            if value is not None:
                args[name] = value
        if self.profile is not None:
            args["profile"] = self.profile
        return args


@dataclass(frozen=True)
class RefError:
    code: str
    candidates: tuple[int, ...] = ()  # territory ids


@dataclass(frozen=True)
class RefLocation:
    commune_id: int
    latitude: float
    longitude: float
    precision: str  # "exact" or "commune"
    region_id: int | None
    from_alias: bool = False


@dataclass(frozen=True)
class RefResult:
    offer_id: int
    fallback: str  # "" for a competent relay, else planned_market / near_miss / out_of_area /
    # remote / generalist
    distance_km: float  # exact haversine, not rounded
    matched_territory_id: int | None
    coverage_rank: int | None
    market_match: str  # explicit / generalist / planned / not_asked
    same_region: bool
    point_is_approximate: bool
    key: str


@dataclass
class RefAnswer:
    location: RefLocation | None = None
    results: list[RefResult] = field(default_factory=list)
    error: RefError | None = None


# --- Snapshot of the registry -------------------------------------------------------------------


@dataclass
class _Territory:
    id: int
    level: str
    code: str
    rank: int
    latitude: float | None
    longitude: float | None
    parent_id: int | None


@dataclass
class _Structure:
    id: int
    slug: str
    is_active: bool
    is_validated: bool
    latitude: float | None
    longitude: float | None
    commune_id: int | None
    coverage: frozenset[int]


@dataclass
class _Offer:
    id: int
    structure_id: int
    service_code: str
    is_active: bool
    coverage: frozenset[int]
    sectors: frozenset[str]
    markets: dict[str, str]  # country code -> status
    min_employees: int | None
    max_employees: int | None
    min_age_years: int | None
    naf_include: frozenset[str]
    naf_exclude: frozenset[str]
    members_only: bool
    delivery: str


@dataclass
class Snapshot:
    territories: dict[int, _Territory]
    ancestors: dict[int, frozenset[int]]  # place id -> ancestor ids (self included)
    places_by_code: dict[str, int]  # commune and arrondissement codes
    aliases: dict[str, int]
    postal_codes: dict[str, list[int]]
    point_places: list[_Territory]  # candidates of the nearest-commune search
    sectors: dict[str, tuple[str, str | None]]  # code -> (kind, parent section code)
    filiere_divisions: dict[str, frozenset[str]]
    hard_core: dict[str, bool]  # service code -> is_hard_core
    structures: dict[int, _Structure]
    offers: list[_Offer]

    @classmethod
    def load(cls) -> Snapshot:
        from structures.models import (
            Offer,
            OfferCoverage,
            OfferMarket,
            Sector,
            Service,
            Structure,
            StructureCoverage,
        )
        from territories.models import CommuneAlias, PostalCode, Territory, TerritoryAncestor

        territories = {
            row[0]: _Territory(*row)
            for row in Territory.objects.values_list(
                "id", "level", "code", "rank", "latitude", "longitude", "parent_id"
            )
        }
        ancestors: dict[int, set[int]] = {}
        for descendant, ancestor in TerritoryAncestor.objects.values_list(
            "descendant_id", "ancestor_id"
        ):
            ancestors.setdefault(descendant, set()).add(ancestor)
        places = [t for t in territories.values() if t.level in ("commune", "arrondissement")]
        with_arrondissements = {t.parent_id for t in places if t.level == "arrondissement"}
        point_places = [
            t
            for t in places
            if t.latitude is not None
            and t.longitude is not None
            # Paris, Lyon and Marseille resolve to their arrondissements from coordinates.
            and t.id not in with_arrondissements
        ]
        postal: dict[str, list[int]] = {}
        for code, commune_id in PostalCode.objects.values_list("code", "commune_id"):
            postal.setdefault(code, []).append(commune_id)

        sector_rows = list(Sector.objects.values_list("id", "code", "kind", "parent_id"))
        sector_code = {row[0]: row[1] for row in sector_rows}
        sectors = {
            code: (kind, sector_code.get(parent_id)) for _, code, kind, parent_id in sector_rows
        }
        filiere_divisions: dict[str, set[str]] = {
            code: set() for code, (kind, _) in sectors.items() if kind == "filiere"
        }
        for from_id, to_id in Sector.naf_divisions.through.objects.values_list(
            "from_sector_id", "to_sector_id"
        ):
            filiere_divisions[sector_code[from_id]].add(sector_code[to_id])

        structure_coverage: dict[int, set[int]] = {}
        for structure_id, territory_id in StructureCoverage.objects.values_list(
            "structure_id", "territory_id"
        ):
            structure_coverage.setdefault(structure_id, set()).add(territory_id)
        structures = {
            row[0]: _Structure(*row, coverage=frozenset(structure_coverage.get(row[0], ())))
            for row in Structure.objects.values_list(
                "id", "slug", "is_active", "is_validated", "latitude", "longitude", "commune_id"
            )
        }

        def many(through, left: str, right: str, translate=None) -> dict[int, set]:
            out: dict[int, set] = {}
            for a, b in through.objects.values_list(left, right):
                out.setdefault(a, set()).add(translate[b] if translate else b)
            return out

        offer_coverage = many(OfferCoverage, "offer_id", "territory_id")
        offer_sectors = many(Offer.sectors.through, "offer_id", "sector_id", sector_code)
        offer_include = many(Offer.naf_include.through, "offer_id", "sector_id", sector_code)
        offer_exclude = many(Offer.naf_exclude.through, "offer_id", "sector_id", sector_code)
        markets: dict[int, dict[str, str]] = {}
        for offer_id, country_id, status in OfferMarket.objects.values_list(
            "offer_id", "country_id", "status"
        ):
            markets.setdefault(offer_id, {})[territories[country_id].code] = status
        offers = [
            _Offer(
                id=row[0],
                structure_id=row[1],
                service_code=row[2],
                is_active=row[3],
                coverage=frozenset(offer_coverage.get(row[0], ())),
                sectors=frozenset(offer_sectors.get(row[0], ())),
                markets=markets.get(row[0], {}),
                min_employees=row[4],
                max_employees=row[5],
                min_age_years=row[6],
                naf_include=frozenset(offer_include.get(row[0], ())),
                naf_exclude=frozenset(offer_exclude.get(row[0], ())),
                members_only=row[7],
                delivery=row[8],
            )
            for row in Offer.objects.values_list(
                "id",
                "structure_id",
                "service__code",
                "is_active",
                "min_employees",
                "max_employees",
                "min_age_years",
                "members_only",
                "delivery",
            )
        ]
        return cls(
            territories=territories,
            ancestors={k: frozenset(v) for k, v in ancestors.items()},
            places_by_code={t.code: t.id for t in places},
            aliases=dict(CommuneAlias.objects.values_list("code", "commune_id")),
            postal_codes=postal,
            point_places=point_places,
            sectors=sectors,
            filiere_divisions={k: frozenset(v) for k, v in filiere_divisions.items()},
            hard_core=dict(Service.objects.values_list("code", "is_hard_core")),
            structures=structures,
            offers=offers,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def region_of(self, place_id: int | None) -> int | None:
        if place_id is None:
            return None
        for ancestor_id in self.ancestors.get(place_id, ()):
            if self.territories[ancestor_id].level == "region":
                return ancestor_id
        return None

    def expand_sector(self, code: str) -> frozenset[str] | None:
        """docs/relay.md §3, re-derived from the Sector rows; None for an unknown code."""
        match = NAF_CODE.match(code)
        if match:
            division = match.group(1)
            if self.sectors.get(division, ("",))[0] != "naf_division":
                return None
            section = self.sectors[division][1]
            filieres = {
                f for f, divisions in self.filiere_divisions.items() if division in divisions
            }
            return frozenset({division, section, *filieres})
        kind = self.sectors.get(code, ("", None))[0]
        if kind == "naf_section":
            divisions = {
                c
                for c, (k, parent) in self.sectors.items()
                if k == "naf_division" and parent == code
            }
            return frozenset({code, *divisions})
        if kind == "filiere":
            divisions = self.filiere_divisions[code]
            sections = {self.sectors[d][1] for d in divisions}
            return frozenset({code, *divisions, *sections})
        return None

    def naf_pair(self, naf_code: str) -> frozenset[str]:
        """The SME's {division, section} for the eligibility NAF rules."""
        division = naf_code[:2]
        section = self.sectors.get(division, ("", None))[1]
        return frozenset(c for c in (division, section) if c)

    def resolve(self, query: Query) -> RefLocation | RefError:
        if query.commune is not None:
            place_id = self.places_by_code.get(query.commune)
            from_alias = False
            if place_id is None:
                place_id = self.aliases.get(query.commune)
                from_alias = place_id is not None
            if place_id is None:
                return RefError("unknown_commune")
            if query.postal_code is not None and place_id not in self.postal_codes.get(
                query.postal_code, ()
            ):
                return RefError("invalid")
            place = self.territories[place_id]
            return RefLocation(
                place_id,
                place.latitude,
                place.longitude,
                "commune",
                self.region_of(place_id),
                from_alias,
            )
        if query.postal_code is not None:
            communes = self.postal_codes.get(query.postal_code, [])
            # A city and one of its arrondissements sharing the code (75008) are one place: the
            # arrondissement, the finer one (territories.selectors.communes_for_postal_code).
            communes = [
                c
                for c in communes
                if not any(
                    self.territories[a].level == "arrondissement"
                    and c == self.territories[a].parent_id
                    for a in communes
                )
            ]
            if not communes:
                return RefError("unknown_postal_code")
            if len(communes) > 1:
                return RefError("ambiguous_postal_code", tuple(sorted(communes)))
            place = self.territories[communes[0]]
            return RefLocation(
                place.id, place.latitude, place.longitude, "commune", self.region_of(place.id)
            )
        lat, lon = query.latitude, query.longitude
        best = min(
            self.point_places,
            key=lambda t: (haversine_km(lat, lon, t.latitude, t.longitude), t.code),
        )
        if haversine_km(lat, lon, best.latitude, best.longitude) > NEAREST_COMMUNE_MAX_KM:
            return RefError("outside_france")
        return RefLocation(best.id, lat, lon, "exact", self.region_of(best.id))


# --- The lookup ---------------------------------------------------------------------------------


@dataclass
class _Candidate:
    offer: _Offer
    structure: _Structure
    distance: float
    approximate: bool
    matched: int | None  # finest coverage territory containing the commune
    sector_ok: bool
    market: str  # explicit / generalist / planned / restricted / not_asked
    failures: int  # conditions of the profile the offer's eligibility rules reject
    same_region: bool
    key: str
    finest_rank: int = 9

    @property
    def covers(self) -> bool:
        return self.matched is not None

    @property
    def eligible(self) -> bool:
        return self.failures == 0

    def result(self, fallback: str, snapshot: Snapshot, *, market: str = "") -> RefResult:
        return RefResult(
            offer_id=self.offer.id,
            fallback=fallback,
            distance_km=self.distance,
            matched_territory_id=self.matched,
            coverage_rank=snapshot.territories[self.matched].rank if self.covers else None,
            market_match=market or self.market,
            same_region=self.same_region,
            point_is_approximate=self.approximate,
            key=self.key,
        )


def _failures(offer: _Offer, profile, today: date, snapshot: Snapshot) -> int:
    """How many of the three profile conditions — size, age, NAF code — the offer rejects."""
    if profile is None:
        return 0
    failures = 0
    if profile.employees is not None and (
        (offer.min_employees is not None and profile.employees < offer.min_employees)
        or (offer.max_employees is not None and profile.employees > offer.max_employees)
    ):
        failures += 1
    if (
        profile.created_on is not None
        and offer.min_age_years  # 0 and None set no condition
        and (today - profile.created_on).days / 365.25 < offer.min_age_years
    ):
        failures += 1
    if profile.naf_code:
        pair = snapshot.naf_pair(profile.naf_code)
        if (offer.naf_include and not (pair & offer.naf_include)) or (pair & offer.naf_exclude):
            failures += 1
    return failures


def _market(offer: _Offer, country: str | None) -> str:
    if country is None:
        return "not_asked"
    if not offer.markets:
        return "generalist"
    status = offer.markets.get(country)
    if status == "active":
        return "explicit"
    if status == "planned":
        return "planned"
    return "restricted"


@dataclass
class _Relay:
    """An indexed offer of a service, measured from the place (before any criterion)."""

    offer: _Offer
    structure: _Structure
    distance: float
    approximate: bool
    matched: int | None  # finest coverage territory containing the commune
    same_region: bool
    key: str
    finest_rank: int


def _relays(snapshot: Snapshot, located: RefLocation, service: str):
    commune_ancestors = snapshot.ancestors[located.commune_id]
    for offer in snapshot.offers:
        structure = snapshot.structures[offer.structure_id]
        if offer.service_code != service:
            continue
        # Rule R4: only active offers of active, validated structures are relays.
        if not (offer.is_active and structure.is_active and structure.is_validated):
            continue
        if structure.latitude is not None and structure.longitude is not None:
            lat, lon, approximate = structure.latitude, structure.longitude, False
        elif structure.commune_id is not None:
            commune = snapshot.territories[structure.commune_id]
            if commune.latitude is None:
                continue
            lat, lon, approximate = commune.latitude, commune.longitude, True
        else:
            continue  # no point: not indexed
        coverage = offer.coverage or structure.coverage
        if not coverage:
            coverage = frozenset({structure.commune_id}) if structure.commune_id else frozenset()
        if not coverage:
            continue  # no coverage at all: not indexed
        matching = [t for t in coverage if t in commune_ancestors]
        yield _Relay(
            offer=offer,
            structure=structure,
            distance=haversine_km(located.latitude, located.longitude, lat, lon),
            approximate=approximate,
            matched=(
                min(matching, key=lambda t: (snapshot.territories[t].rank, t)) if matching else None
            ),
            same_region=(
                located.region_id is not None
                and snapshot.region_of(structure.commune_id) == located.region_id
            ),
            key=f"{structure.slug}|{offer.id:012d}",
            finest_rank=min(snapshot.territories[t].rank for t in coverage),
        )


def reference_find(
    snapshot: Snapshot,
    query: Query,
    *,
    today: date,
    remote_applies_criteria: bool = True,
    fallback_tiebreak_like_competent: bool = False,
) -> RefAnswer:
    """The ordered relays of docs/relay.md, computed by examining every offer.

    ``remote_applies_criteria``: §5 does not say whether a ``remote`` fallback must meet the
    sector, market and eligibility criteria (``out_of_area`` says so explicitly). The engine
    applies them, which is the sensible reading (a remote offer reserved to another sector is
    no help), hence the default.

    ``fallback_tiebreak_like_competent``: §5 orders ``out_of_area`` and ``remote`` fallbacks "by
    distance then key"; the engine breaks their distance ties like the competent list (finest
    coverage rank of the offer, explicit market, then key). False is the spec.
    """
    located = snapshot.resolve(query)
    if isinstance(located, RefError):
        return RefAnswer(error=located)
    if query.sector is not None:
        wanted_sectors = snapshot.expand_sector(query.sector)
        if wanted_sectors is None:
            return RefAnswer(location=located, error=RefError("unknown_sector"))
    else:
        wanted_sectors = None
    hard_core = snapshot.hard_core[query.service]

    candidates = [
        _Candidate(
            offer=relay.offer,
            structure=relay.structure,
            distance=relay.distance,
            approximate=relay.approximate,
            matched=relay.matched,
            sector_ok=(
                wanted_sectors is None
                or not relay.offer.sectors
                or bool(relay.offer.sectors & wanted_sectors)
            ),
            market=_market(relay.offer, query.country),
            failures=_failures(relay.offer, query.profile, today, snapshot),
            same_region=relay.same_region,
            key=relay.key,
            finest_rank=relay.finest_rank,
        )
        for relay in _relays(snapshot, located, query.service)
    ]

    def competent_order(c: _Candidate):
        rank = snapshot.territories[c.matched].rank
        return (
            0 if (not hard_core or c.same_region) else 1,
            c.distance,
            rank,
            0 if c.market == "explicit" else 1,
            c.key,
        )

    def fallback_order(c: _Candidate):
        if not fallback_tiebreak_like_competent:
            return (c.distance, c.key)
        return (c.distance, c.finest_rank, 0 if c.market == "explicit" else 1, c.key)

    market_ok = ("explicit", "generalist", "not_asked")
    competent = sorted(
        (
            c
            for c in candidates
            if c.covers and c.sector_ok and c.market in market_ok and c.eligible
        ),
        key=competent_order,
    )[: query.k]
    results = [c.result("", snapshot) for c in competent]
    room = query.k - len(results)
    if room <= 0:
        return RefAnswer(location=located, results=results)

    listed = {r.offer_id for r in results}
    proximity = lambda c: competent_order(c)[1:]  # noqa: E731
    planned = sorted(
        (
            c
            for c in candidates
            if c.covers and c.sector_ok and c.market == "planned" and c.eligible
        ),
        key=proximity,
    )
    fallbacks = [c.result("planned_market", snapshot) for c in planned]
    # A near miss: covering, competent on sector and market, rejected by one profile condition.
    near = sorted(
        (
            c
            for c in candidates
            if c.covers and c.sector_ok and c.market in market_ok and c.failures == 1
        ),
        key=proximity,
    )
    fallbacks += [c.result("near_miss", snapshot) for c in near]

    stage = getattr(query.profile, "export_stage", None) or "none"
    horizon = settings.RELAY_HORIZON_KM * settings.RELAY_HORIZON_FACTORS[stage]
    out_of_area = sorted(
        (
            c
            for c in candidates
            if not c.covers
            and c.sector_ok
            and c.market in market_ok
            and c.eligible
            and c.distance <= horizon
        ),
        key=fallback_order,
    )
    fallbacks += [c.result("out_of_area", snapshot) for c in out_of_area]
    fallbacks = fallbacks[:room]
    listed |= {r.offer_id for r in fallbacks}

    if query.include_remote and len(fallbacks) < room:
        remote = sorted(
            (
                c
                for c in candidates
                if c.offer.delivery in ("remote", "both")
                and not c.covers
                and c.offer.id not in listed
                and (
                    not remote_applies_criteria
                    or (c.sector_ok and c.market in market_ok and c.eligible)
                )
            ),
            key=fallback_order,
        )
        fallbacks += [c.result("remote", snapshot) for c in remote[: room - len(fallbacks)]]
        listed |= {r.offer_id for r in fallbacks}

    if not results and len(fallbacks) < room:
        fallbacks += _generalist(snapshot, located, listed)
    return RefAnswer(location=located, results=results + fallbacks)


def _generalist(snapshot: Snapshot, located: RefLocation, listed: set[int]) -> list[RefResult]:
    """§5, no dead end: the nearest information desk open to every firm (not members only)
    covering the place (by distance, finest coverage, key), else the nearest one anywhere (by
    distance, key) — whatever the criteria."""
    relays = [
        r
        for r in _relays(snapshot, located, GENERALIST_SERVICE)
        if r.offer.id not in listed and not r.offer.members_only
    ]
    covering = [r for r in relays if r.matched is not None]
    if covering:
        pick = min(
            covering,
            key=lambda r: (r.distance, snapshot.territories[r.matched].rank, r.key),
        )
    elif relays:
        pick = min(relays, key=lambda r: (r.distance, r.key))
    else:
        return []
    return [
        RefResult(
            offer_id=pick.offer.id,
            fallback="generalist",
            distance_km=pick.distance,
            matched_territory_id=pick.matched,
            coverage_rank=snapshot.territories[pick.matched].rank if pick.matched else None,
            market_match="not_asked",
            same_region=pick.same_region,
            point_is_approximate=pick.approximate,
            key=pick.key,
        )
    ]
