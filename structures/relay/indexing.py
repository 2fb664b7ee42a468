"""Keeping ``RelayIndexEntry`` in step with offers and structures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.dispatch import Signal

from core import reference_cache
from structures.enums import MarketStatus, OfferDelivery
from structures.relay.index import RelayIndexEntry, pack_details
from structures.relay.reference import RELAY_INDEX_TABLE

_CHUNK = 2000
REGION_RANK = 4

# Sent (sender=RelayIndexEntry, service_ids=frozenset) inside the transaction that wrote or
# deleted index rows of these services: what was derived from a service's index (the coverage
# reports above this layer, ``insights.jobs``) is out of date from that commit on. Only when
# someone listens are the services of the rows read.
relay_index_changed = Signal()

# While ``deferred_refresh()`` runs, the refreshes asked for (by the signals on each save) are
# collected here instead of run: the offers and the structures to re-index on exit.
_pending: ContextVar[tuple[set[int], set[int]] | None] = ContextVar(
    "relay_index_pending", default=None
)


@contextmanager
def deferred_refresh() -> Iterator[None]:
    """Re-index once, on exit, every offer and structure the block saved.

    A loader that saves an offer, then its coverage, markets and sectors one by one would have
    its rows rebuilt once per save (the demo: 435 rebuilds for 331 offers, most of its time).
    Inside the block the refreshes are collected; on a normal exit they run together, in the
    same transaction as the writes when the block is inside one. On an exception nothing is
    re-indexed: the writes roll back with the caller's transaction. Nested blocks join the
    outermost one.
    """
    if _pending.get() is not None:
        yield
        return
    offers: set[int] = set()
    structures: set[int] = set()
    token = _pending.set((offers, structures))
    try:
        yield
    finally:
        _pending.reset(token)
    if structures:
        from structures.models import Offer

        offers.update(
            Offer.objects.filter(structure_id__in=structures).values_list("pk", flat=True)
        )
    if offers:
        refresh_relay_index(offer_ids=offers)


def indexed_services(queryset) -> set[int]:
    """The services of these index rows (before they are deleted), when someone listens for
    ``relay_index_changed``; else nothing is read."""
    if not relay_index_changed.has_listeners(RelayIndexEntry):
        return set()
    return set(queryset.order_by().values_list("service_id", flat=True).distinct())


def announce(service_ids: set[int]) -> None:
    """Send ``relay_index_changed`` for these services, if any."""
    if service_ids:
        relay_index_changed.send(sender=RelayIndexEntry, service_ids=frozenset(service_ids))


def _codes(values: Iterable[str]) -> str:
    """``|a|b|`` (sorted, so that equal sets give equal strings); empty for no restriction."""
    values = sorted(set(values))
    return f"|{'|'.join(values)}|" if values else ""


_OFFER_VALUES = (
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


def _indexable_offers(offer_ids: list[int]) -> list[dict]:
    """Active offers of published structures (rule R4), as plain values."""
    from structures.models import Offer

    return list(
        Offer.objects.filter(
            pk__in=offer_ids,
            is_active=True,
            structure__is_active=True,
            structure__is_validated=True,
        ).values(*_OFFER_VALUES)
    )


def _coverages(offers: list[dict], rank_cache: dict[int, int]) -> dict[int, set[int]]:
    """Each offer's effective coverage: its own, else its structure's, else the structure's own
    commune (docs/relay.md §2). Fills ``rank_cache`` with the ranks of those territories."""
    from structures.models import OfferCoverage, StructureCoverage
    from territories.models import Territory

    own: dict[int, set[int]] = defaultdict(set)
    for offer_id, territory_id in OfferCoverage.objects.filter(
        offer_id__in=[o["pk"] for o in offers]
    ).values_list("offer_id", "territory_id"):
        own[offer_id].add(territory_id)
    inherited: dict[int, set[int]] = defaultdict(set)
    for structure_id, territory_id in StructureCoverage.objects.filter(
        structure_id__in={o["structure_id"] for o in offers}
    ).values_list("structure_id", "territory_id"):
        inherited[structure_id].add(territory_id)
    coverage_of: dict[int, set[int]] = {}
    for offer in offers:
        territories = own.get(offer["pk"]) or inherited.get(offer["structure_id"])
        if not territories and offer["structure__commune_id"]:
            territories = {offer["structure__commune_id"]}
        coverage_of[offer["pk"]] = territories or set()
    missing = {t for ts in coverage_of.values() for t in ts} - rank_cache.keys()
    if missing:
        rank_cache.update(Territory.objects.filter(pk__in=missing).values_list("pk", "rank"))
    return coverage_of


def _regions(offers: list[dict]) -> dict[int, int]:
    """The région of each structure's commune."""
    from territories.models import TerritoryAncestor

    communes = {o["structure__commune_id"] for o in offers if o["structure__commune_id"]}
    return dict(
        TerritoryAncestor.objects.filter(
            descendant_id__in=communes, ancestor_rank=REGION_RANK
        ).values_list("descendant_id", "ancestor_id")
    )


def _criteria_codes(ids: list[int]) -> dict[str, dict[int, set[str]]]:
    """Sector, NAF include / exclude and market codes of each offer, by kind of criterion."""
    from structures.models import Offer, OfferMarket

    codes: dict[str, dict[int, set[str]]] = {
        name: defaultdict(set)
        for name in ("sector_codes", "naf_include", "naf_exclude", "market_codes", "planned_codes")
    }
    for relation, name in (
        (Offer.sectors.through, "sector_codes"),
        (Offer.naf_include.through, "naf_include"),
        (Offer.naf_exclude.through, "naf_exclude"),
    ):
        for offer_id, code in relation.objects.filter(offer_id__in=ids).values_list(
            "offer_id", "sector__code"
        ):
            codes[name][offer_id].add(code)
    for offer_id, code, status in OfferMarket.objects.filter(offer_id__in=ids).values_list(
        "offer_id", "country__code", "status"
    ):
        name = "market_codes" if status == MarketStatus.ACTIVE else "planned_codes"
        codes[name][offer_id].add(code)
    return codes


def _point(offer: dict) -> tuple[float, float, bool] | None:
    """The structure's point, else its commune's centre (approximate), else none."""
    if offer["structure__latitude"] is not None:
        return offer["structure__latitude"], offer["structure__longitude"], False
    if offer["structure__commune__latitude"] is not None:
        return offer["structure__commune__latitude"], offer["structure__commune__longitude"], True
    return None


def _entries_for(offer_ids: list[int], rank_cache: dict[int, int]) -> list[RelayIndexEntry]:
    offers = _indexable_offers(offer_ids)
    if not offers:
        return []
    coverage_of = _coverages(offers, rank_cache)
    region_of = _regions(offers)
    codes = _criteria_codes([o["pk"] for o in offers])
    entries = []
    for offer in offers:
        point = _point(offer)
        if point is None:
            continue  # no point at all: cannot be ranked by distance
        common = {
            "offer_id": offer["pk"],
            "structure_id": offer["structure_id"],
            "service_id": offer["service_id"],
            "latitude": point[0],
            "longitude": point[1],
            "point_is_approximate": point[2],
            "region_id": region_of.get(offer["structure__commune_id"]),
            "is_remote": offer["delivery"] in (OfferDelivery.REMOTE, OfferDelivery.BOTH),
            "min_employees": offer["min_employees"],
            "max_employees": offer["max_employees"],
            "min_age_years": offer["min_age_years"],
            "members_only": offer["members_only"],
            "application_required": offer["application_required"],
            "sort_key": f"{offer['structure__slug']}|{offer['pk']:012d}",
            **{name: _codes(by_offer.get(offer["pk"], ())) for name, by_offer in codes.items()},
        }
        entries += [
            RelayIndexEntry(
                territory_id=t,
                coverage_rank=rank_cache[t],
                details=pack_details({**common, "territory_id": t}),
                **common,
            )
            for t in sorted(coverage_of[offer["pk"]])
        ]
    return entries


@transaction.atomic
def refresh_relay_index(*, offer_ids: Iterable[int] | None = None) -> int:
    """Rebuild the index rows of these offers, or of every offer when ``offer_ids`` is None.

    Returns the number of rows written. Safe to call repeatedly; runs in one transaction.
    Inside ``deferred_refresh()`` the offers are only noted, and 0 is returned.
    """
    from structures.models import Offer

    pending = _pending.get()
    if pending is not None and offer_ids is not None:
        pending[0].update(offer_ids)
        return 0
    rank_cache: dict[int, int] = {}
    written = 0
    touched: set[int] = set()  # services whose rows were deleted or written
    if offer_ids is None:
        touched |= indexed_services(RelayIndexEntry.objects.all())
        RelayIndexEntry.objects.all().delete()
        ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(offer_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        if offer_ids is not None:
            stale = RelayIndexEntry.objects.filter(offer_id__in=chunk)
            touched |= indexed_services(stale)
            stale.delete()
        entries = _entries_for(chunk, rank_cache)
        RelayIndexEntry.objects.bulk_create(entries, batch_size=5000)
        written += len(entries)
        touched.update(entry.service_id for entry in entries)
    # The relay results' loaded offers (structures.relay.results) are read from the same rows.
    reference_cache.mark_changed(RELAY_INDEX_TABLE)
    announce(touched)
    return written


def refresh_structures(*, structure_ids: Iterable[int]) -> int:
    """Rebuild the index rows of every offer of these structures."""
    from structures.models import Offer

    pending = _pending.get()
    if pending is not None:
        pending[1].update(structure_ids)
        return 0
    ids = list(
        Offer.objects.filter(structure_id__in=list(structure_ids)).values_list("pk", flat=True)
    )
    return refresh_relay_index(offer_ids=ids) if ids else 0
