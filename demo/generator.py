"""Deterministic bulk generator of synthetic structures and offers, for benchmarks.

``generate_structures()`` spreads structures over real communes weighted by population, gives
each the offers of its kind (real services, coverage at the kind's level, some sector and market
restrictions, eligibility rules), a fictitious desk, and keeps memory bounded by working in
batches. The same seed always gives the same rows (primary keys and timestamps aside).

Generated rows are demo rows (``is_demo=True``) with ``source="generator"``;
``clear_generated()`` removes them (offers, contacts, coverage, markets cascade).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.db import transaction

from core.text import normalize_name
from demo import fiction
from demo.places import Place, Places
from demo.profiles import DEFAULT_COVERAGE, OFFER_PROFILES, OWN, OfferTemplate
from demo.spec import DEMO_LICENCE
from structures.models import (
    Contact,
    Offer,
    OfferCoverage,
    OfferMarket,
    Sector,
    Service,
    Structure,
    StructureCoverage,
)
from structures.validators import normalize_phone
from territories.models import Territory

GENERATOR_SOURCE = "generator"
BATCH = 2000

# Kind mix of a plausible registry: many private providers and export groups, fewer consular
# and national bodies (weights, not percentages).
KIND_WEIGHTS: dict[str, int] = {
    "cci": 6,
    "cci_regional": 1,
    "cma": 6,
    "chamber_agriculture": 5,
    "team_france_export": 3,
    "cce_section": 3,
    "exporters_club": 8,
    "competitiveness_cluster": 2,
    "cluster_spl": 6,
    "export_group": 10,
    "international_incubator": 1,
    "bpifrance": 3,
    "regional_agency": 1,
    "een_contact_point": 2,
    "territorial_authority": 3,
    "innovation_support": 3,
    "training_body": 3,
    "consultant": 16,
    "import_export_firm": 5,
    "freight_forwarder": 10,
    "bank": 4,
}
KIND_LABELS = {
    "cci": "CCI — antenne internationale",
    "cci_regional": "CCI régionale — service international",
    "cma": "CMA — service international",
    "chamber_agriculture": "Chambre d'agriculture — export",
    "team_france_export": "Team France Export — conseiller",
    "cce_section": "Section CCE",
    "exporters_club": "Club des exportateurs",
    "competitiveness_cluster": "Pôle",
    "cluster_spl": "Cluster",
    "export_group": "Groupement export",
    "international_incubator": "Pépinière internationale",
    "bpifrance": "Bpifrance — antenne",
    "regional_agency": "Agence de développement",
    "een_contact_point": "Point EEN",
    "territorial_authority": "Collectivité — service export",
    "innovation_support": "Technopole",
    "training_body": "École — formation export",
    "consultant": "Conseil export",
    "import_export_firm": "Négoce international",
    "freight_forwarder": "Transit et logistique",
    "bank": "Banque — service international",
}
# Main export destinations of French SMEs, weighted (a rough shape, not statistics).
MARKET_WEIGHTS: dict[str, int] = {
    "DE": 14, "BE": 12, "IT": 10, "ES": 10, "GB": 8, "US": 8, "CH": 7, "NL": 6, "CN": 5,
    "MA": 5, "CA": 4, "JP": 3, "TN": 3, "SE": 2, "BR": 2, "VN": 2, "PL": 3, "SN": 2, "CI": 2,
    "AE": 2, "IN": 2, "DZ": 2, "PT": 3, "AT": 2,
}  # fmt: skip
MARKET_SERVICES = {"prospecting-missions", "trade-fairs", "partner-search", "market-intelligence",
                   "inter-cluster-alliances"}  # fmt: skip
FILIERE_SECTORS = (
    "agroalimentaire", "vins-spiritueux", "aeronautique-spatial", "numerique", "image-contenus",
    "sante-biotech", "mobilite-automobile", "mecanique", "textile-habillement",
    "cosmetique-parfum", "chimie-materiaux", "energie", "environnement", "glisse-sport",
)  # fmt: skip
WIDER = {"commune": "epci", "epci": "departement", "departement": "region", "region": "france"}


def generated_structures():
    return Structure.objects.filter(source=GENERATOR_SOURCE)


def clear_generated() -> int:
    """Delete every generated structure with its offers, contacts, coverage and index rows.

    Plain SQL deletes, table by table: fast, and no signal handler rebuilds index rows for
    offers that are about to disappear (a cascading ``delete()`` would).
    """
    from structures.models import StaffMembership, StructureLink, StructureMemberCount
    from structures.relay.index import RelayIndexEntry

    generated = generated_structures().values("pk")
    offers = Offer.objects.filter(structure__in=generated).values("pk")
    querysets = [
        RelayIndexEntry.objects.filter(structure__in=generated),
        OfferMarket.objects.filter(offer__in=offers),
        OfferCoverage.objects.filter(offer__in=offers),
        Offer.sectors.through.objects.filter(offer__in=offers),
        Offer.naf_include.through.objects.filter(offer__in=offers),
        Offer.naf_exclude.through.objects.filter(offer__in=offers),
        Offer.objects.filter(structure__in=generated),
        Contact.objects.filter(structure__in=generated),
        StructureCoverage.objects.filter(structure__in=generated),
        StructureMemberCount.objects.filter(structure__in=generated),
        StaffMembership.objects.filter(structure__in=generated),
        StructureLink.countries.through.objects.filter(structurelink__from_structure__in=generated),
        StructureLink.countries.through.objects.filter(structurelink__to_structure__in=generated),
        StructureLink.objects.filter(from_structure__in=generated),
        StructureLink.objects.filter(to_structure__in=generated),
        generated_structures(),
    ]
    deleted = 0
    with transaction.atomic():
        for queryset in querysets:
            deleted += queryset._raw_delete(queryset.db)
    return deleted


class _OfferFactory:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.services = {s.code: s.pk for s in Service.objects.all()}
        self.sectors = dict(Sector.objects.values_list("code", "pk"))
        self.countries = dict(
            Territory.objects.filter(level="country", code__in=MARKET_WEIGHTS).values_list(
                "code", "pk"
            )
        )
        self.market_codes = sorted(self.countries)
        self.market_weights = [MARKET_WEIGHTS[c] for c in self.market_codes]
        self.filieres = [code for code in FILIERE_SECTORS if code in self.sectors]

    def templates(self, kind: str, k: int) -> list[OfferTemplate]:
        profile = list(OFFER_PROFILES[kind])
        if len(profile) >= k:
            return self.rng.sample(profile, k)
        # Pad with other services of the catalogue, generalist and in person.
        used = {t.service for t in profile}
        extra = [code for code in sorted(self.services) if code not in used]
        return profile + [OfferTemplate(code) for code in self.rng.sample(extra, k - len(profile))]

    def eligibility(self, template: OfferTemplate) -> dict:
        rng = self.rng
        min_employees, max_employees = template.min_employees, template.max_employees
        roll = rng.random()
        if roll < 0.08 and min_employees is None:
            min_employees = rng.choice((3, 5, 10, 20))
        elif roll < 0.12 and max_employees is None:
            max_employees = rng.choice((49, 249))
        if (
            min_employees is not None
            and max_employees is not None
            and min_employees > max_employees
        ):
            max_employees = None
        min_age = template.min_age_years
        if min_age is None and rng.random() < 0.05:
            min_age = rng.choice((1, 2, 3))
        return {
            "min_employees": min_employees,
            "max_employees": max_employees,
            "min_age_years": min_age,
            "members_only": template.members_only or rng.random() < 0.05,
            "application_required": template.application_required,
            "delivery": "remote" if rng.random() < 0.05 else template.delivery,
            "cost": template.cost,
            "intensity": template.intensity,
        }

    def sectors_for(self, template: OfferTemplate) -> list[int]:
        codes = list(template.sectors)
        if not codes and self.rng.random() < 0.15:
            codes = self.rng.sample(self.filieres, self.rng.choice((1, 1, 2)))
        return sorted({self.sectors[c] for c in codes if c in self.sectors})

    def markets_for(self, template: OfferTemplate) -> list[tuple[int, str]]:
        if template.service not in MARKET_SERVICES or self.rng.random() >= 0.25:
            return []
        n = self.rng.choice((1, 1, 2, 3))
        codes = set(self.rng.choices(self.market_codes, weights=self.market_weights, k=n))
        return [
            (self.countries[c], "planned" if self.rng.random() < 0.15 else "active")
            for c in sorted(codes)
        ]


def _structure(index: int, kind: str, place: Place, rng: random.Random, france_id) -> Structure:
    slug = f"gen-{index:07d}"
    name = f"{KIND_LABELS[kind]} {place.name} n° {index} (généré)"
    # A synthetic point near the commune's centre (up to ~1 km): distinct relays in one town.
    lat = round(place.latitude + rng.uniform(-0.008, 0.008), 6)
    lon = round(place.longitude + rng.uniform(-0.008, 0.008), 6)
    return Structure(
        name=name,
        slug=slug,
        search_name=normalize_name(name),
        kind=kind,
        postal_code=place.postal_code,
        commune_id=place.id,
        country_id=france_id,
        latitude=lat,
        longitude=lon,
        coordinate_precision="manual",
        phone=normalize_phone(
            fiction.fiction_phone(departement_code=place.departement_code or "75", serial=index)
        ),
        email=fiction.demo_email(slug),
        description="Structure générée (données synthétiques de démonstration et de mesure).",
        source=GENERATOR_SOURCE,
        licence=DEMO_LICENCE,
        is_demo=True,
        is_active=True,
        is_validated=True,
    )


def generate_structures(
    *,
    count: int,
    offers_per_structure: int = 4,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create ``count`` structures with ``offers_per_structure`` offers each; return row counts."""
    started = time.perf_counter()
    rng = random.Random(f"structures-{seed}")
    places = Places()
    factory = _OfferFactory(rng)
    kinds = sorted(KIND_WEIGHTS)
    kind_weights = [KIND_WEIGHTS[k] for k in kinds]
    k = max(1, min(offers_per_structure, len(factory.services)))
    totals = dict.fromkeys(
        ("structures", "contacts", "offers", "coverage", "markets", "sectors"), 0
    )
    offer_ids: list[int] = []
    with transaction.atomic():
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            batch_places = places.draw(rng, size)
            batch_kinds = rng.choices(kinds, weights=kind_weights, k=size)
            structures = [
                _structure(start + i, kind, place, rng, places.france_id)
                for i, (kind, place) in enumerate(zip(batch_kinds, batch_places, strict=True))
            ]
            Structure.objects.bulk_create(structures, batch_size=BATCH)
            if structures[0].pk is None:  # a backend that does not return ids
                by_slug = dict(
                    Structure.objects.filter(slug__in=[s.slug for s in structures]).values_list(
                        "slug", "pk"
                    )
                )
                for s in structures:
                    s.pk = by_slug[s.slug]
            coverage = [
                StructureCoverage(
                    structure_id=s.pk,
                    territory_id=places.level_id(place, DEFAULT_COVERAGE[s.kind]),
                )
                for s, place in zip(structures, batch_places, strict=True)
            ]
            StructureCoverage.objects.bulk_create(coverage, batch_size=BATCH)
            contacts = [
                Contact(
                    structure_id=s.pk,
                    kind="desk",
                    name="Service international",
                    role="Accueil export",
                    email=fiction.demo_email(f"{s.slug}.international"),
                    phone=s.phone,
                    languages="fr,en",
                    is_demo=True,
                )
                for s in structures
            ]
            Contact.objects.bulk_create(contacts, batch_size=BATCH)
            if contacts[0].pk is None:
                ids = dict(
                    Contact.objects.filter(structure_id__in=[s.pk for s in structures]).values_list(
                        "structure_id", "pk"
                    )
                )
                for c in contacts:
                    c.pk = ids[c.structure_id]
            offers, facets = [], []
            for s, place, contact in zip(structures, batch_places, contacts, strict=True):
                for template in factory.templates(s.kind, k):
                    offers.append(
                        Offer(
                            structure_id=s.pk,
                            service_id=factory.services[template.service],
                            description=template.note,
                            contact_id=contact.pk,
                            **factory.eligibility(template),
                        )
                    )
                    wider = None
                    if template.coverage != OWN:
                        wider = places.level_id(place, template.coverage)
                    elif rng.random() < 0.10:
                        wider = places.level_id(
                            place, WIDER.get(DEFAULT_COVERAGE[s.kind], "france")
                        )
                    facets.append(
                        (wider, factory.sectors_for(template), factory.markets_for(template))
                    )
            Offer.objects.bulk_create(offers, batch_size=BATCH)
            if offers[0].pk is None:
                ids = {
                    (sid, svc): pk
                    for sid, svc, pk in Offer.objects.filter(
                        structure_id__in=[s.pk for s in structures]
                    ).values_list("structure_id", "service_id", "pk")
                }
                for o in offers:
                    o.pk = ids[(o.structure_id, o.service_id)]
            cov_rows, sector_rows, market_rows = [], [], []
            through = Offer.sectors.through
            for offer, (wider, sectors, markets) in zip(offers, facets, strict=True):
                if wider:
                    cov_rows.append(OfferCoverage(offer_id=offer.pk, territory_id=wider))
                sector_rows += [through(offer_id=offer.pk, sector_id=pk) for pk in sectors]
                market_rows += [
                    OfferMarket(offer_id=offer.pk, country_id=cid, status=status)
                    for cid, status in markets
                ]
            OfferCoverage.objects.bulk_create(cov_rows, batch_size=BATCH)
            through.objects.bulk_create(sector_rows, batch_size=BATCH)
            OfferMarket.objects.bulk_create(market_rows, batch_size=BATCH)
            offer_ids += [o.pk for o in offers]
            totals["structures"] += len(structures)
            totals["contacts"] += len(contacts)
            totals["offers"] += len(offers)
            totals["coverage"] += len(coverage) + len(cov_rows)
            totals["sectors"] += len(sector_rows)
            totals["markets"] += len(market_rows)
            if progress:
                progress(f"  {start + size} structures ({time.perf_counter() - started:.1f} s)")
    from structures.relay.indexing import refresh_relay_index

    totals["relay_index"] = refresh_relay_index(offer_ids=offer_ids)
    if progress:
        progress(
            f"  index des relais : {totals['relay_index']} lignes ({time.perf_counter() - started:.1f} s)"
        )
    return totals
