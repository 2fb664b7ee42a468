"""The order of the relays (docs/relay.md §4 and §5): one key per list.

Competent relays: (a) for the "hard core" services of rule R7, relays of the firm's own région
first; (b) distance; (c) finest matching coverage level; (d) explicit market match before
generalist; (e) the stable key. Fallbacks: planned-market ones by (b)–(e), the others by
distance then the stable key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings

from structures.relay.enums import MarketMatch
from structures.relay.search import Candidate


def proximity_key(candidate: Candidate) -> tuple:
    """(b)–(e): distance, coverage level, explicit market first, stable key."""
    market_order = 0 if candidate.market_match == MarketMatch.EXPLICIT else 1
    return (candidate.distance_km, candidate.coverage_rank, market_order, candidate.sort_key)


def fallback_key(candidate: Candidate) -> tuple:
    """Out-of-area and remote fallbacks: distance, then the stable key."""
    return (candidate.distance_km, candidate.sort_key)


@dataclass(frozen=True)
class CompetentRanking:
    """The order of the competent list for one query, and when a search may stop looking.

    ``own_region_id`` is the firm's région when the service is in the hard core (rule R7:
    transport and logistics, export finance, export insurance, public aid), else ``None``.
    """

    own_region_id: int | None = None

    @classmethod
    def for_query(cls, query) -> CompetentRanking:
        if query.service.is_hard_core and query.location.region_id:
            return cls(own_region_id=query.location.region_id)
        return cls()

    def is_own_region(self, candidate: Candidate) -> bool:
        return self.own_region_id is not None and candidate.region_id == self.own_region_id

    def key(self, candidate: Candidate) -> tuple:
        outside = self.own_region_id is not None and not self.is_own_region(candidate)
        return (outside, *proximity_key(candidate))

    def mark_region_first(self, ranked: list[Candidate]) -> list[Candidate]:
        """The list with ``region_first`` set where rule R7 decided the order: a relay of the
        firm's région ranked before a nearer one outside it (said in its sentence)."""
        if self.own_region_id is None:
            return ranked
        nearest_outside_after = float("inf")
        marked = []
        for candidate in reversed(ranked):
            if self.is_own_region(candidate):
                if nearest_outside_after < candidate.distance_km:
                    candidate = replace(candidate, region_first=True)
            else:
                nearest_outside_after = min(nearest_outside_after, candidate.distance_km)
            marked.append(candidate)
        return marked[::-1]

    def settled(self, found: list[Candidate], k: int) -> bool:
        """Whether the first ``k`` among the relays seen within a radius are final.

        Every relay not seen yet is farther than those seen. Without the région rule, ``k`` seen
        suffice. With it, a farther relay of the firm's région would still rank before a nearer
        one outside it: only ``k`` seen in the région settle the list; otherwise the search goes
        on to its exhaustive last round.
        """
        if self.own_region_id is None:
            return len(found) >= k
        return sum(1 for c in found if c.region_id == self.own_region_id) >= k


def horizon_km(export_stage: str | None) -> float:
    """Fallback horizon (rule R2), widened with the firm's export experience (rule R8)."""
    factors = settings.RELAY_HORIZON_FACTORS
    return settings.RELAY_HORIZON_KM * factors.get(export_stage or "", 1.0)
