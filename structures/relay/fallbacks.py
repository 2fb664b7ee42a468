"""Labelled fallbacks when fewer than ``k`` relays are competent (docs/relay.md §5).

In this order, each labelled: covering offers whose only obstacle is a planned market
(``planned_market``), offers of the service outside their coverage within the horizon
(``out_of_area``, rules R2 and R8), then remote offers at any distance (``remote``).
"""

from __future__ import annotations

from dataclasses import replace

from structures.relay import criteria
from structures.relay.enums import FallbackKind
from structures.relay.ranking import fallback_key, horizon_km, proximity_key
from structures.relay.search import Candidate, Where, nearest


def find_fallbacks(
    query,
    *,
    judge: criteria.Judge,
    competent: list[Candidate],
    planned: list[Candidate],
    covering: set[int],
) -> list[Candidate]:
    """Up to ``query.k - len(competent)`` fallbacks, labelled.

    ``planned`` and ``covering`` come from the competent search, complete since it came back
    with fewer than ``k``: the planned-market offers seen, and every offer covering the place
    (never offered again as "out of area").
    """
    need = query.k - len(competent)
    if need <= 0:
        return []
    found = [
        replace(c, fallback=FallbackKind.PLANNED_MARKET)
        for c in sorted(planned, key=proximity_key)[:need]
    ]
    chosen = {c.offer_id for c in (*competent, *found)}
    origin = (query.location.latitude, query.location.longitude)
    wider = [
        (FallbackKind.OUT_OF_AREA, Where(service_id=query.service.pk), horizon_km(_stage(query))),
    ]
    if query.include_remote:
        wider.append(
            (FallbackKind.REMOTE, Where(service_id=query.service.pk, remote_only=True), None)
        )
    for kind, where, max_radius in wider:
        if len(found) >= need:
            break
        more, _planned = nearest(
            where,
            origin=origin,
            judge=judge,
            k=need - len(found),
            order=fallback_key,
            max_radius=max_radius,
            exclude=covering | chosen,
        )
        found += [replace(c, fallback=kind) for c in more]
        chosen |= {c.offer_id for c in more}
    return found


def _stage(query) -> str | None:
    return query.profile.export_stage if query.profile else None
