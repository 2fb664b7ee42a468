"""Labelled fallbacks when fewer than ``k`` relays are competent (docs/relay.md §5).

In this order, each labelled: covering offers whose only obstacle is a planned market
(``planned_market``) or one condition of the firm's profile (``near_miss``); offers of the service
outside their coverage within the horizon (``out_of_area``, rules R2 and R8); remote offers at any
distance (``remote``). When no relay at all is competent, the nearest generalist desk
(``generalist``: information and orientation) is the next step, so that no search ends with
nobody to call.
"""

from __future__ import annotations

from dataclasses import replace

from structures.relay import criteria, reference
from structures.relay.enums import FallbackKind
from structures.relay.ranking import fallback_key, horizon_km, proximity_key
from structures.relay.search import Candidate, Seen, Where, nearest

# The catalogue's generalist service: the first port of call, whatever the need.
GENERALIST_SERVICE = "information-orientation"


def find_fallbacks(
    query, *, judge: criteria.Judge, seen: Seen, covering: set[int]
) -> list[Candidate]:
    """Up to ``query.k - len(seen.found)`` fallbacks, labelled.

    ``seen`` and ``covering`` come from the competent search, complete since it came back with
    fewer than ``k``: the planned-market and near-miss offers it saw, and every offer covering
    the place (never offered again as "out of area").
    """
    need = query.k - len(seen.found)
    if need <= 0:
        return []
    found = [
        replace(c, fallback=kind)
        for kind, candidates in (
            (FallbackKind.PLANNED_MARKET, seen.planned),
            (FallbackKind.NEAR_MISS, seen.near),
        )
        for c in sorted(candidates, key=proximity_key)
    ][:need]
    chosen = {c.offer_id for c in (*seen.found, *found)}
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
        more = nearest(
            where,
            origin=origin,
            judge=judge,
            k=need - len(found),
            order=fallback_key,
            max_radius=max_radius,
            exclude=covering | chosen,
        ).found
        found += [replace(c, fallback=kind) for c in more]
        chosen |= {c.offer_id for c in more}
    if not seen.found and len(found) < need:
        found += _generalist(query, today=judge.today, origin=origin, exclude=chosen)
    return found


def _generalist(query, *, today, origin: tuple[float, float], exclude: set[int]) -> list[Candidate]:
    """The nearest generalist desk covering the place, else the nearest at any distance.

    Judged on nothing but territory: it is a first port of call, whatever the criteria; the
    conditions it sets are stated with it.
    """
    service = reference.services.get().get(GENERALIST_SERVICE)
    if service is None:
        return []
    anyone = criteria.Judge(sectors=None, country=None, profile=None, today=today, open_only=True)
    for where, order in (
        (Where(service_id=service.pk, territory_ids=query.location.ancestor_ids), proximity_key),
        (Where(service_id=service.pk), fallback_key),
    ):
        desk = nearest(where, origin=origin, judge=anyone, k=1, order=order, exclude=exclude)
        if desk.found:
            return [replace(desk.found[0], fallback=FallbackKind.GENERALIST)]
    return []


def _stage(query) -> str | None:
    return query.profile.export_stage if query.profile else None
