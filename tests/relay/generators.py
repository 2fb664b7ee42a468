"""A seeded random registry and random relay queries, on the real test territories.

The registry is dense on purpose: a few "hub" communes hold many structures sharing the commune
centre as their point, so that distance ties (and the tie-breaks of docs/relay.md §4) are the
common case rather than the exception.

Two ways to write it: ``via="bulk"`` (``bulk_create`` then ``refresh_relay_index()``, as a loader
does) and ``via="services"`` (``create_structure`` / ``create_offer``, so the signals maintain the
index row by row). ``mutate_registry`` then edits a registry through the services, which the
index must follow.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.text import slugify

from core.text import normalize_name
from structures.relay.types import EligibilityProfile
from tests.relay.reference import Query

QUERY_SERVICES = (
    "prospecting-missions",
    "information-orientation",
    "trade-fairs",
    "transport-logistics",
    "export-finance",
    "export-insurance",
    "public-aid",
)
MARKET_POOL = ("MA", "DE", "US", "CN", "BE", "IT", "TN", "JP")
HUB_COMMUNES = (
    "34172",  # Montpellier
    "34172",
    "34057",  # Castelnau-le-Lez
    "34129",  # Lattes
    "30189",  # Nîmes
    "13001",  # Aix-en-Provence
    "13201",  # Marseille 1er
    "13206",
    "13055",  # Marseille (the commune itself)
    "75056",  # Paris
    "75108",
    "75115",
    "69123",  # Lyon
    "69383",
    "69266",  # Villeurbanne
    "91228",  # Évry-Courcouronnes
    "2A004",  # Ajaccio
    "2B033",  # Bastia
    "97105",  # Basse-Terre
    "97120",  # Pointe-à-Pitre
)
EXPORT_STAGES = ("none", "occasional", "regular", "established")
TODAY = date(2025, 6, 1)


@dataclass
class World:
    """The real reference rows the generator draws from."""

    places: list  # Territory rows: communes and arrondissements with a point
    hubs: list
    by_code: dict
    ancestors: dict  # place id -> {level: territory}
    france: object
    countries: dict  # ISO code -> Territory
    services: dict  # code -> Service
    divisions: list[str]
    sections: list[str]
    filieres: list[str]
    sectors: dict  # code -> Sector
    alias_codes: list[str]
    unambiguous_postal_codes: list[str]
    ambiguous_postal_codes: dict[str, list[str]]  # code -> commune codes

    @classmethod
    def load(cls) -> World:
        from collections import defaultdict

        from structures.models import Sector, Service
        from territories.models import CommuneAlias, PostalCode, Territory, TerritoryAncestor

        places = list(
            Territory.objects.communes().filter(latitude__isnull=False).order_by("code", "level")
        )
        by_code = {t.code: t for t in places}
        ancestors: dict[int, dict] = defaultdict(dict)
        for link in TerritoryAncestor.objects.filter(descendant__in=places).select_related(
            "ancestor"
        ):
            ancestors[link.descendant_id][link.ancestor.level] = link.ancestor
        postal: dict[str, list[str]] = defaultdict(list)
        rows = PostalCode.objects.values_list("code", "commune__code", "commune__parent__code")
        cities = {}  # postal code -> codes of cities with one of their arrondissements on it
        for code, commune_code, parent_code in rows:
            postal[code].append(commune_code)
            if commune_code in by_code and by_code[commune_code].level == "arrondissement":
                cities.setdefault(code, set()).add(parent_code)
        # 75008 is Paris and Paris 8e: one place, the arrondissement (territories selectors).
        postal = {
            code: [c for c in communes if c not in cities.get(code, ())]
            for code, communes in postal.items()
        }
        sectors = {s.code: s for s in Sector.objects.all()}
        return cls(
            places=places,
            hubs=[by_code[code] for code in HUB_COMMUNES],
            by_code=by_code,
            ancestors=dict(ancestors),
            france=Territory.objects.get(level="country", code="FR"),
            countries={t.code: t for t in Territory.objects.filter(level="country")},
            services={s.code: s for s in Service.objects.all()},
            divisions=sorted(c for c, s in sectors.items() if s.kind == "naf_division"),
            sections=sorted(c for c, s in sectors.items() if s.kind == "naf_section"),
            filieres=sorted(c for c, s in sectors.items() if s.kind == "filiere"),
            sectors=sectors,
            # An old code equal to a current code would resolve to the current commune.
            alias_codes=sorted(
                code
                for code in CommuneAlias.objects.values_list("code", flat=True)
                if code not in by_code
            ),
            unambiguous_postal_codes=sorted(c for c, v in postal.items() if len(v) == 1),
            ambiguous_postal_codes={c: sorted(v) for c, v in sorted(postal.items()) if len(v) > 1},
        )


# --- Registry -----------------------------------------------------------------------------------


def _place(rng: random.Random, world: World):
    return rng.choice(world.hubs) if rng.random() < 0.65 else rng.choice(world.places)


def _coverage(rng: random.Random, world: World, home) -> list:
    """0–3 territories at random levels, mostly around ``home`` (a place, or None abroad)."""
    roll = rng.random()
    if roll < 0.3:
        return []
    count = 1 if roll < 0.8 else rng.randint(2, 3)
    chosen = []
    for _ in range(count):
        around = home if home is not None and rng.random() < 0.75 else _place(rng, world)
        levels = world.ancestors[around.pk]
        level = rng.choice(
            [
                "arrondissement",
                "commune",
                "commune",
                "epci",
                "departement",
                "departement",
                "region",
                "country",
            ]
        )
        territory = levels.get(level) or levels["commune"] if level != "country" else world.france
        if territory not in chosen:
            chosen.append(territory)
    return chosen


def _sectors(rng: random.Random, world: World) -> list[str]:
    if rng.random() < 0.55:
        return []
    pools = (world.divisions, world.sections, world.filieres)
    return sorted({rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 3))})


def _markets(rng: random.Random, world: World) -> dict[str, str]:
    if rng.random() < 0.45:
        return {}
    codes = rng.sample(MARKET_POOL[:6], rng.randint(1, 3))
    return {code: rng.choice(("active", "active", "planned")) for code in codes}


def _naf_rules(rng: random.Random, world: World, p: float) -> list[str]:
    if rng.random() >= p:
        return []
    return sorted(
        {rng.choice(world.divisions if rng.random() < 0.6 else world.sections) for _ in range(2)}
    )


@dataclass
class StructureSpec:
    name: str
    kind: str
    commune: object | None
    country: object | None
    latitude: float | None
    longitude: float | None
    is_active: bool
    is_validated: bool
    coverage: list
    offers: list[OfferSpec]


@dataclass
class OfferSpec:
    service: str
    is_active: bool
    coverage: list
    sectors: list[str]
    markets: dict[str, str]
    min_employees: int | None
    max_employees: int | None
    min_age_years: int | None
    naf_include: list[str]
    naf_exclude: list[str]
    members_only: bool
    delivery: str


KINDS = (
    "cci",
    "cma",
    "team_france_export",
    "exporters_club",
    "cluster_spl",
    "consultant",
    "bank",
    "freight_forwarder",
    "bpifrance",
    "chamber_agriculture",
    "regional_agency",
)


def _structure_spec(rng: random.Random, world: World, n: int) -> StructureSpec:
    roll = rng.random()
    if roll < 0.02:
        # An office abroad: a point in Morocco or Germany, no French commune.
        country = world.countries[rng.choice(("MA", "DE"))]
        home, commune, lat, lon = None, None, rng.uniform(31, 34), rng.uniform(-8, -5)
        if country.code == "DE":
            lat, lon = rng.uniform(48, 53), rng.uniform(7, 13)
        kind = "office_abroad"
    elif roll < 0.03:
        country, home, commune, lat, lon, kind = world.france, None, None, None, None, "other"
    else:
        country, home = None, _place(rng, world)
        commune = home
        kind = rng.choice(KINDS)
        if rng.random() < 0.35:
            lat = round(home.latitude + rng.uniform(-0.05, 0.05), 6)
            lon = round(home.longitude + rng.uniform(-0.05, 0.05), 6)
        else:
            lat = lon = None  # the commune centre: ties with every neighbour in the commune
    coverage = _coverage(rng, world, home)
    if home is None and rng.random() < 0.7:
        coverage = [world.france]
    offers = []
    for service in rng.sample(QUERY_SERVICES, rng.randint(1, 4)):
        offers.append(
            OfferSpec(
                service=service,
                is_active=rng.random() < 0.92,
                coverage=_coverage(rng, world, home) if rng.random() < 0.6 else [],
                sectors=_sectors(rng, world),
                markets=_markets(rng, world),
                min_employees=rng.choice((None, None, None, 5, 10, 20)),
                max_employees=rng.choice((None, None, None, None, 50, 250)),
                min_age_years=rng.choice((None, None, None, None, 1, 2, 3)),
                naf_include=_naf_rules(rng, world, 0.12),
                naf_exclude=_naf_rules(rng, world, 0.12),
                members_only=rng.random() < 0.15,
                delivery=rng.choice(("in_person", "in_person", "remote", "both")),
            )
        )
    name = f"Relais {n:03d} {rng.choice(('export', 'international', 'monde', 'ouest', 'sud'))}"
    return StructureSpec(
        name=name,
        kind=kind,
        commune=commune,
        country=country,
        latitude=lat,
        longitude=lon,
        is_active=rng.random() < 0.93,
        is_validated=rng.random() < 0.9,
        coverage=coverage,
        offers=offers,
    )


def _fix_employee_range(spec: OfferSpec) -> None:
    if (
        spec.min_employees is not None
        and spec.max_employees is not None
        and spec.min_employees > spec.max_employees
    ):
        spec.max_employees = None


def build_specs(*, seed: int, world: World, n_structures: int) -> list[StructureSpec]:
    rng = random.Random(seed)
    specs = [_structure_spec(rng, world, n) for n in range(n_structures)]
    for spec in specs:
        for offer in spec.offers:
            _fix_employee_range(offer)
    return specs


def generate_registry(*, seed: int, world: World, n_structures: int = 220, via: str = "bulk"):
    """Write a random registry; returns the created structures."""
    specs = build_specs(seed=seed, world=world, n_structures=n_structures)
    if via == "bulk":
        return _write_bulk(specs, world)
    return _write_through_services(specs, world)


def _offer_fields(spec: OfferSpec) -> dict:
    return {
        "is_active": spec.is_active,
        "min_employees": spec.min_employees,
        "max_employees": spec.max_employees,
        "min_age_years": spec.min_age_years,
        "members_only": spec.members_only,
        "delivery": spec.delivery,
    }


def _write_bulk(specs: list[StructureSpec], world: World) -> list:
    from structures.models import Offer, OfferCoverage, OfferMarket, Structure, StructureCoverage
    from structures.relay.indexing import refresh_relay_index

    structures = Structure.objects.bulk_create(
        [
            Structure(
                name=spec.name,
                slug=slugify(f"{spec.name}-{n}"),
                search_name=normalize_name(spec.name),
                kind=spec.kind,
                commune=spec.commune,
                country=spec.country or world.france,
                latitude=spec.latitude,
                longitude=spec.longitude,
                is_active=spec.is_active,
                is_validated=spec.is_validated,
            )
            for n, spec in enumerate(specs)
        ]
    )
    StructureCoverage.objects.bulk_create(
        [
            StructureCoverage(structure=structure, territory=territory)
            for structure, spec in zip(structures, specs, strict=True)
            for territory in spec.coverage
        ]
    )
    pairs = [
        (structure, offer)
        for structure, spec in zip(structures, specs, strict=True)
        for offer in spec.offers
    ]
    offers = Offer.objects.bulk_create(
        [
            Offer(structure=structure, service=world.services[spec.service], **_offer_fields(spec))
            for structure, spec in pairs
        ]
    )
    OfferCoverage.objects.bulk_create(
        [
            OfferCoverage(offer=offer, territory=territory)
            for offer, (_, spec) in zip(offers, pairs, strict=True)
            for territory in spec.coverage
        ]
    )
    OfferMarket.objects.bulk_create(
        [
            OfferMarket(offer=offer, country=world.countries[code], status=status)
            for offer, (_, spec) in zip(offers, pairs, strict=True)
            for code, status in spec.markets.items()
        ]
    )
    for relation in ("sectors", "naf_include", "naf_exclude"):
        through = getattr(Offer, relation).through
        through.objects.bulk_create(
            [
                through(offer_id=offer.pk, sector_id=world.sectors[code].pk)
                for offer, (_, spec) in zip(offers, pairs, strict=True)
                for code in getattr(spec, relation)
            ]
        )
    refresh_relay_index()
    return structures


def _write_through_services(specs: list[StructureSpec], world: World) -> list:
    from structures.services import create_offer, create_structure

    structures = []
    for spec in specs:
        data = {
            "name": spec.name,
            "kind": spec.kind,
            "commune": spec.commune,
            "latitude": spec.latitude,
            "longitude": spec.longitude,
            "is_active": spec.is_active,
            "is_validated": spec.is_validated,
            "coverage": spec.coverage,
        }
        if spec.country is not None:
            data["country"] = spec.country
        structure = create_structure(data=data)
        for offer in spec.offers:
            create_offer(
                structure=structure,
                service=world.services[offer.service],
                data={
                    **_offer_fields(offer),
                    "coverage": offer.coverage,
                    "sectors": [world.sectors[c] for c in offer.sectors],
                    "naf_include": [world.sectors[c] for c in offer.naf_include],
                    "naf_exclude": [world.sectors[c] for c in offer.naf_exclude],
                },
                markets={world.countries[c]: s for c, s in offer.markets.items()},
            )
        structures.append(structure)
    return structures


def mutate_registry(
    *, seed: int, world: World, count: int = 60, deletions: bool = False
) -> list[str]:
    """Random edits through the services (the index must follow); returns what was done.

    With ``deletions``, some offers and structures are also deleted through the ORM.
    """
    from structures.models import Offer, Structure
    from structures.services import update_offer, update_structure

    rng = random.Random(seed)
    done = []
    structures = list(Structure.objects.order_by("pk"))
    offers = list(Offer.objects.order_by("pk"))
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:
            structure = Structure.objects.get(pk=rng.choice(structures).pk)
            what = rng.choice(("is_active", "is_validated", "point", "coverage", "commune"))
            if what in ("is_active", "is_validated"):
                data = {what: not getattr(structure, what)}
            elif what == "point":
                if structure.latitude is None and structure.commune is not None:
                    data = {
                        "latitude": round(structure.commune.latitude + rng.uniform(-0.03, 0.03), 6),
                        "longitude": round(
                            structure.commune.longitude + rng.uniform(-0.03, 0.03), 6
                        ),
                    }
                else:
                    data = {"latitude": None, "longitude": None}
            elif what == "coverage":
                data = {"coverage": _coverage(rng, world, structure.commune)}
            else:
                if structure.commune is None:
                    continue
                data = {"commune": _place(rng, world)}
            update_structure(structure=structure, data=data, expected_version=structure.version)
            done.append(f"structure {structure.pk} {what}")
        elif roll < 0.95 or not deletions:
            offer = Offer.objects.select_related("structure__commune").get(pk=rng.choice(offers).pk)
            what = rng.choice(
                ("is_active", "coverage", "sectors", "markets", "delivery", "employees")
            )
            markets = None
            if what == "is_active":
                data = {"is_active": not offer.is_active}
            elif what == "coverage":
                data = {"coverage": _coverage(rng, world, offer.structure.commune)}
            elif what == "sectors":
                data = {"sectors": [world.sectors[c] for c in _sectors(rng, world)]}
            elif what == "markets":
                data, markets = {}, {world.countries[c]: s for c, s in _markets(rng, world).items()}
            elif what == "delivery":
                data = {"delivery": rng.choice(("in_person", "remote", "both"))}
            else:
                data = {"min_employees": rng.choice((None, 10)), "max_employees": None}
            update_offer(offer=offer, data=data, expected_version=offer.version, markets=markets)
            done.append(f"offer {offer.pk} {what}")
        elif roll < 0.975:
            offer = rng.choice(offers)
            offers.remove(offer)
            Offer.objects.get(pk=offer.pk).delete()
            done.append(f"offer {offer.pk} deleted")
        else:
            structure = rng.choice(structures)
            structures.remove(structure)
            offers = [o for o in offers if o.structure_id != structure.pk]
            Structure.objects.get(pk=structure.pk).delete()
            done.append(f"structure {structure.pk} deleted")
    return done


# --- Queries ------------------------------------------------------------------------------------


def _sector_query(rng: random.Random, world: World) -> str:
    roll = rng.random()
    if roll < 0.35:
        return f"{rng.choice(world.divisions)}.{rng.randint(10, 99)}{rng.choice('ABCZ')}"
    if roll < 0.55:
        return rng.choice(world.divisions)
    if roll < 0.75:
        return rng.choice(world.sections)
    return rng.choice(world.filieres)


def _profile(rng: random.Random, world: World) -> EligibilityProfile:
    def maybe(value):
        return value if rng.random() < 0.55 else None

    naf = maybe(f"{rng.choice(world.divisions)}.{rng.randint(10, 99)}Z")
    return EligibilityProfile(
        employees=maybe(rng.choice((1, 4, 5, 9, 10, 12, 20, 49, 50, 120, 250, 300))),
        created_on=maybe(TODAY - timedelta(days=rng.randint(0, 6 * 365))),
        naf_code=naf,
        member_of=frozenset(),
        export_stage=maybe(rng.choice(EXPORT_STAGES)),
    )


def random_query(rng: random.Random, world: World) -> Query:
    roll = rng.random()
    location: dict = {}
    if roll < 0.40:
        location["commune"] = _place(rng, world).code
    elif roll < 0.50:
        location["commune"] = rng.choice(world.alias_codes)
    elif roll < 0.60:
        location["commune"] = rng.choice(
            [t.code for t in world.places if t.level == "arrondissement"]
        )
    elif roll < 0.80:
        around = _place(rng, world)
        location["latitude"] = round(around.latitude + rng.uniform(-0.04, 0.04), 6)
        location["longitude"] = round(around.longitude + rng.uniform(-0.04, 0.04), 6)
        if rng.random() < 0.05:  # out at sea, far from any commune of the subset
            location["latitude"], location["longitude"] = 40.0, 4.0
    elif roll < 0.92:
        location["postal_code"] = rng.choice(world.unambiguous_postal_codes)
    else:
        code = rng.choice(sorted(world.ambiguous_postal_codes))
        location["postal_code"] = code
        if rng.random() < 0.6:  # the commune chosen among the candidates
            location["commune"] = rng.choice(world.ambiguous_postal_codes[code])
        elif rng.random() < 0.3:  # a commune that does not carry the code
            location["commune"] = _place(rng, world).code
    return Query(
        service=rng.choice(QUERY_SERVICES),
        sector=_sector_query(rng, world) if rng.random() < 0.3 else None,
        country=rng.choice(MARKET_POOL) if rng.random() < 0.4 else None,
        profile=_profile(rng, world) if rng.random() < 0.45 else None,
        k=rng.randint(1, 10),
        include_remote=rng.random() < 0.7,
        **location,
    )
