"""Keeping ``RelayIndexEntry`` in step with offers and structures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from structures.enums import MarketStatus, OfferDelivery
from structures.relay.index import RelayIndexEntry

_CHUNK = 2000
REGION_RANK = 4


def _codes(values: Iterable[str]) -> str:
    """``|a|b|`` (sorted, so that equal sets give equal strings); empty for no restriction."""
    values = sorted(set(values))
    return f"|{'|'.join(values)}|" if values else ""


def _entries_for(offer_ids: list[int], rank_cache: dict[int, int]) -> list[RelayIndexEntry]:
    from structures.models import Offer, OfferCoverage, OfferMarket, StructureCoverage
    from territories.models import Territory, TerritoryAncestor

    offers = list(
        Offer.objects.filter(
            pk__in=offer_ids,
            is_active=True,
            structure__is_active=True,
            structure__is_validated=True,
        ).values(
            "pk",
            "structure_id",
            "service_id",
            "min_employees",
            "max_employees",
            "min_age_years",
            "members_only",
            "application_required",
            "delivery",
            "structure__slug",
            "structure__latitude",
            "structure__longitude",
            "structure__commune_id",
            "structure__commune__latitude",
            "structure__commune__longitude",
        )
    )
    if not offers:
        return []
    ids = [o["pk"] for o in offers]
    structure_ids = {o["structure_id"] for o in offers}
    own: dict[int, set[int]] = defaultdict(set)
    for offer_id, territory_id in OfferCoverage.objects.filter(offer_id__in=ids).values_list(
        "offer_id", "territory_id"
    ):
        own[offer_id].add(territory_id)
    inherited: dict[int, set[int]] = defaultdict(set)
    for structure_id, territory_id in StructureCoverage.objects.filter(
        structure_id__in=structure_ids
    ).values_list("structure_id", "territory_id"):
        inherited[structure_id].add(territory_id)
    communes = {o["structure__commune_id"] for o in offers if o["structure__commune_id"]}
    region_of = dict(
        TerritoryAncestor.objects.filter(
            descendant_id__in=communes, ancestor_rank=REGION_RANK
        ).values_list("descendant_id", "ancestor_id")
    )
    sectors: dict[int, set[str]] = defaultdict(set)
    naf_in: dict[int, set[str]] = defaultdict(set)
    naf_out: dict[int, set[str]] = defaultdict(set)
    for relation, target in (
        (Offer.sectors.through, sectors),
        (Offer.naf_include.through, naf_in),
        (Offer.naf_exclude.through, naf_out),
    ):
        for offer_id, code in relation.objects.filter(offer_id__in=ids).values_list(
            "offer_id", "sector__code"
        ):
            target[offer_id].add(code)
    active: dict[int, set[str]] = defaultdict(set)
    planned: dict[int, set[str]] = defaultdict(set)
    for offer_id, code, status in OfferMarket.objects.filter(offer_id__in=ids).values_list(
        "offer_id", "country__code", "status"
    ):
        (active if status == MarketStatus.ACTIVE else planned)[offer_id].add(code)

    coverage_of: dict[int, set[int]] = {}
    for offer in offers:
        # Empty offer coverage inherits the structure's; with neither, the structure's own commune.
        territories = own.get(offer["pk"]) or inherited.get(offer["structure_id"])
        if not territories and offer["structure__commune_id"]:
            territories = {offer["structure__commune_id"]}
        coverage_of[offer["pk"]] = territories or set()
    missing = {t for ts in coverage_of.values() for t in ts} - rank_cache.keys()
    if missing:
        rank_cache.update(Territory.objects.filter(pk__in=missing).values_list("pk", "rank"))

    entries = []
    for offer in offers:
        if offer["structure__latitude"] is not None:
            lat, lon, approximate = (
                offer["structure__latitude"],
                offer["structure__longitude"],
                False,
            )
        elif offer["structure__commune__latitude"] is not None:
            lat, lon = offer["structure__commune__latitude"], offer["structure__commune__longitude"]
            approximate = True
        else:
            continue  # no point at all: cannot be ranked by distance
        common = {
            "offer_id": offer["pk"],
            "structure_id": offer["structure_id"],
            "service_id": offer["service_id"],
            "latitude": lat,
            "longitude": lon,
            "point_is_approximate": approximate,
            "region_id": region_of.get(offer["structure__commune_id"]),
            "is_remote": offer["delivery"] in (OfferDelivery.REMOTE, OfferDelivery.BOTH),
            "min_employees": offer["min_employees"],
            "max_employees": offer["max_employees"],
            "min_age_years": offer["min_age_years"],
            "members_only": offer["members_only"],
            "application_required": offer["application_required"],
            "sector_codes": _codes(sectors.get(offer["pk"], ())),
            "market_codes": _codes(active.get(offer["pk"], ())),
            "planned_codes": _codes(planned.get(offer["pk"], ())),
            "naf_include": _codes(naf_in.get(offer["pk"], ())),
            "naf_exclude": _codes(naf_out.get(offer["pk"], ())),
            "sort_key": f"{offer['structure__slug']}|{offer['pk']:012d}",
        }
        for territory_id in sorted(coverage_of[offer["pk"]]):
            entries.append(
                RelayIndexEntry(
                    territory_id=territory_id, coverage_rank=rank_cache[territory_id], **common
                )
            )
    return entries


@transaction.atomic
def refresh_relay_index(*, offer_ids: Iterable[int] | None = None) -> int:
    """Rebuild the index rows of these offers, or of every offer when ``offer_ids`` is None.

    Returns the number of rows written. Safe to call repeatedly; runs in one transaction.
    """
    from structures.models import Offer

    rank_cache: dict[int, int] = {}
    written = 0
    if offer_ids is None:
        RelayIndexEntry.objects.all().delete()
        ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(offer_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        if offer_ids is not None:
            RelayIndexEntry.objects.filter(offer_id__in=chunk).delete()
        entries = _entries_for(chunk, rank_cache)
        RelayIndexEntry.objects.bulk_create(entries, batch_size=5000)
        written += len(entries)
    return written


def refresh_structures(*, structure_ids: Iterable[int]) -> int:
    """Rebuild the index rows of every offer of these structures."""
    from structures.models import Offer

    ids = list(
        Offer.objects.filter(structure_id__in=list(structure_ids)).values_list("pk", flat=True)
    )
    return refresh_relay_index(offer_ids=ids) if ids else 0
