"""How the lookup reads the relay index: growing bounding boxes around the firm's point.

Plain indexed SQL (``=``, ``IN``, ``BETWEEN`` on ``RelayIndexEntry``), identical on SQLite and
PostgreSQL; distances are haversine in Python (``core.geo``). A search widens its box
(``SEARCH_RADII_KM``, then no box at all) until its ranking says the first ``k`` cannot change
by looking farther: competent relays are never cut by a radius (docs/relay.md §4).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter

from core.db_router import read_connection
from core.geo import BoundingBox, haversine_terms_from, km_of_term
from core.prepared import prepared_cursor
from structures.relay import criteria
from structures.relay.index import RelayIndexEntry, unpack_details
from structures.relay.types import Condition

# Radii of the successive boxes (km); after the last one the search has no box at all.
SEARCH_RADII_KM = (15.0, 60.0, 240.0, 960.0)

# What a search reads of every row in its box; the rest of a row, in ``details``, is unpacked only
# for the rows it judges (``structures.relay.index``).
FIELDS = ("offer_id", "coverage_rank", "latitude", "longitude", "details")
_OFFER, _RANK, _LAT, _LON, _DETAILS = range(len(FIELDS))


@dataclass(frozen=True)
class Candidate:
    """An offer seen by a search, measured and judged, not yet loaded."""

    offer_id: int
    structure_id: int
    territory_id: int
    coverage_rank: int
    distance_km: float
    approximate: bool
    region_id: int | None
    market_match: str
    conditions: tuple[Condition, ...]
    sort_key: str
    fallback: str = ""
    region_first: bool = False
    covers: bool = False  # found through the place's ancestors: its coverage contains the place


@dataclass(frozen=True)
class Where:
    """Which index rows a search reads: plain columns, turned into portable SQL."""

    service_id: int
    territory_ids: tuple[int, ...] = ()
    remote_only: bool = False


_heads: dict[str, str] = {}


def _select_head(reader) -> str:
    """The query's fixed start, quoted once per database vendor."""
    head = _heads.get(reader.vendor)
    if head is None:
        qn = reader.ops.quote_name
        columns = ", ".join(qn(f) for f in FIELDS)
        table = qn(RelayIndexEntry._meta.db_table)
        head = _heads[reader.vendor] = f"SELECT {columns} FROM {table} WHERE service_id = %s"
    return head


def index_rows(where: Where, box: BoundingBox | None) -> list[tuple]:
    """Read index rows with one hand-written, portable SELECT.

    Raw SQL on purpose: compiling the equivalent ORM query costs several times the query itself
    on this hot path (measured with bench_relay).
    """
    reader = read_connection(RelayIndexEntry)
    sql = [_select_head(reader)]
    params: list = [where.service_id]
    if where.territory_ids:
        sql.append(f"AND territory_id IN ({', '.join(['%s'] * len(where.territory_ids))})")
        params += where.territory_ids
    if where.remote_only:
        sql.append("AND is_remote = %s")
        params.append(True)
    if box is not None:
        sql.append("AND latitude BETWEEN %s AND %s")
        params += [box.min_lat, box.max_lat]
        if box.lon_ranges:
            ranges = " OR ".join(["longitude BETWEEN %s AND %s"] * len(box.lon_ranges))
            sql.append(f"AND ({ranges})")
            for low, high in box.lon_ranges:
                params += [low, high]
    with prepared_cursor(reader) as cursor:
        cursor.execute(" ".join(sql), params)
        return cursor.fetchall()


class _Horizon:
    """How far a round still needs to judge: lowered once the first ``k`` are settled."""

    __slots__ = ("km",)

    def __init__(self, km: float | None) -> None:
        self.km = math.inf if km is None else km


def _judged(
    rows: Iterable[tuple],
    *,
    origin: tuple[float, float],
    judge: criteria.Judge,
    covering: set[int] | None,
    horizon: _Horizon,
    covers: bool,
):
    """Collapse index rows to one per offer (its finest matching coverage), measured, then
    judged nearest first while within ``horizon`` (read again before each judgement).

    Offers beyond the round's radius are never judged: a later, wider round sees them.
    """
    best: dict[int, tuple] = {}
    for row in rows:
        current = best.get(row[_OFFER])
        if current is None or row[_RANK] < current[_RANK]:
            best[row[_OFFER]] = row
    if covering is not None:
        covering.update(best)
    # Ordered by the haversine term, which the distance grows with: only the rows read below
    # are measured in km (most of a wide box never is).
    term_to = haversine_terms_from(*origin)
    measured = sorted(
        ((term_to(values[_LAT], values[_LON]), values) for values in best.values()),
        key=itemgetter(0),
    )
    for term, values in measured:
        distance = km_of_term(term)
        if distance > horizon.km:
            return
        row, conditional = unpack_details(values[_DETAILS])
        # A row without conditions (about half of them) has the same verdict for every offer.
        verdict = judge(row) if conditional else judge.plain
        if verdict.status == criteria.NO:
            continue
        yield (
            verdict.status,
            Candidate(
                offer_id=values[_OFFER],
                structure_id=row["structure_id"],
                territory_id=row["territory_id"],
                coverage_rank=values[_RANK],
                distance_km=distance,
                approximate=row["point_is_approximate"],
                region_id=row["region_id"],
                market_match=verdict.market_match,
                conditions=verdict.conditions,
                sort_key=row["sort_key"],
                covers=covers,
            ),
        )


def _rounds(max_radius: float | None) -> list[float | None]:
    if max_radius is None:
        return [*SEARCH_RADII_KM, None]
    return [*(r for r in SEARCH_RADII_KM if r < max_radius), max_radius]


@dataclass
class Seen:
    """What a search returns: the first ``k`` judged OK in order, and the offers it saw that
    are only one obstacle away — a planned market, or one condition of the profile."""

    found: list[Candidate]
    planned: list[Candidate]
    near: list[Candidate]


def nearest(
    where: Where,
    *,
    origin: tuple[float, float],
    judge: criteria.Judge,
    k: int,
    order: Callable[[Candidate], tuple],
    settled: Callable[[list[Candidate], int], bool] | None = None,
    covering: set[int] | None = None,
    max_radius: float | None = None,
    exclude: frozenset[int] | set[int] = frozenset(),
) -> Seen:
    """The first ``k`` offers matching ``where`` judged OK, by ``order``.

    ``settled(found, k)`` says whether what a radius saw decides the first ``k`` (default: ``k``
    of them are within it). The last round is exhaustive — no box, or ``max_radius`` (a fallback
    horizon) — so that when fewer than ``k`` come back, the planned and near lists (and
    ``covering``, the offers covering the place) are complete.
    """
    settled = settled or (lambda found, wanted: len(found) >= wanted)
    rounds = _rounds(max_radius)
    for radius in rounds:
        box = None if radius is None else BoundingBox.around(*origin, radius)
        seen = Seen([], [], [])
        horizon = _Horizon(radius)
        judged = _judged(
            index_rows(where, box),
            origin=origin,
            judge=judge,
            covering=covering,
            horizon=horizon,
            covers=bool(where.territory_ids),
        )
        lists = {criteria.OK: seen.found, criteria.PLANNED: seen.planned, criteria.NEAR: seen.near}
        done = False
        for status, candidate in judged:
            if candidate.offer_id in exclude:
                continue
            lists[status].append(candidate)
            if not done and status == criteria.OK and settled(seen.found, k):
                # Offers come nearest first: one farther than this one, the k-th the ranking
                # needs, cannot enter the first k, so only ties of its distance are still
                # judged. The planned and near-miss lists stay partial, but they only serve
                # fallbacks, which a settled search does not need.
                done = True
                horizon.km = candidate.distance_km
        if done or radius == rounds[-1]:
            seen.found.sort(key=order)
            del seen.found[k:]
            return seen
    raise AssertionError("the last round is always exhaustive")  # pragma: no cover
