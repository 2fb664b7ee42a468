"""The territory reference as the lookup reads it: a copy per process of every territory as a
``TerritoryRef`` and of every current place (commune, municipal arrondissement) with its
ancestors (``core.reference_cache``, under the territories' version token).

A lookup resolves its commune and shows the territories of its results (the matched coverage,
each relay's commune and country). Read by SQL, that was a query joined three times per place
and a join per territory of every loaded offer, then a ``TerritoryRef`` built per row: on a
cold lookup (a commune and relays this process had not seen yet, most of them in
``bench_relay``) about a third of the engine's time on SQLite. The whole reference is about
37,000 territories and 180,000 closure rows, read in about 0.4 s and 17–18 MB per process
(``docs/scaling.md``), and it changes when the COG is reloaded, a few times a year.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Collection
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from core.db_router import read_connection
from core.reference_cache import ReferenceCache
from structures.relay.reference import TERRITORY_TABLE
from structures.relay.types import TERRITORY_REF_COLUMNS, TerritoryRef
from territories.enums import PLACE_LEVELS
from territories.models import Territory, TerritoryAncestor


@dataclass(frozen=True, slots=True)
class Place:
    """A current commune or municipal arrondissement, as a lookup's location needs it."""

    ref: TerritoryRef
    rank: int
    parent_id: int | None
    # The territories containing it, finest first (by rank, then id), and their ranks (each
    # territory's own, which the closure repeats): one tuple shared by the places of one EPCI
    # and département (1,367 chains for 35,014 places).
    chain: tuple[TerritoryRef, ...]
    chain_ranks: tuple[int, ...]

    @property
    def ancestors(self) -> tuple[TerritoryRef, ...]:
        """The place and every territory containing it, finest first."""
        return (self.ref, *self.chain)

    @property
    def ranks(self) -> tuple[int, ...]:
        return (self.rank, *self.chain_ranks)


@dataclass(frozen=True, slots=True)
class TerritoryTable:
    refs: dict[int, TerritoryRef]  # every territory, current or not, by id
    places: dict[str, Place]  # current places by INSEE code


def _rows(sql: str) -> list[tuple]:
    # A plain cursor: these statements run once per copy, so preparing them would save nothing.
    with read_connection(Territory).cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _load() -> TerritoryTable:
    # Some 300,000 objects are made here, and none becomes garbage: the collector's passes
    # over the whole heap that they would trigger took half of the load.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build()
    finally:
        if enabled:
            gc.enable()


def _build() -> TerritoryTable:
    reader = read_connection(Territory)
    qn = reader.ops.quote_name
    territories, closure = qn(Territory._meta.db_table), qn(TerritoryAncestor._meta.db_table)
    columns = ", ".join(qn(c) for c in (*TERRITORY_REF_COLUMNS, "rank", "parent_id", "is_current"))
    width = len(TERRITORY_REF_COLUMNS)
    refs: dict[int, TerritoryRef] = {}
    rank_of: dict[int, int] = {}
    current: dict[int, tuple[int, int | None]] = {}  # place id → (rank, parent id)
    for row in _rows(f"SELECT {columns} FROM {territories}"):
        # One string per level for all (a fresh one per row, else: 2 MB of "commune").
        ref = refs[row[0]] = TerritoryRef(row[0], sys.intern(row[1]), *row[2:width])
        rank, parent_id, is_current = row[width:]
        rank_of[ref.pk] = rank
        if is_current and ref.level in PLACE_LEVELS:
            current[ref.pk] = (rank, parent_id)
    # Each place's closure, in the order of the closure's unique index (no sort in the
    # database); a chain is put in rank order once, when first met.
    links = _rows(f"SELECT {qn('descendant_id')}, {qn('ancestor_id')} FROM {closure} ORDER BY 1, 2")
    chains: dict[tuple[int, ...], tuple[tuple[TerritoryRef, ...], tuple[int, ...]]] = {}
    places: dict[str, Place] = {}
    for pk, group in groupby(links, key=itemgetter(0)):
        if pk not in current:
            continue
        rank, parent_id = current[pk]
        key = tuple(ancestor_id for _pk, ancestor_id in group if ancestor_id != pk)
        chain = chains.get(key)
        if chain is None:
            ordered = sorted(key, key=lambda a: (rank_of[a], a))
            chain = chains[key] = (
                tuple(refs[a] for a in ordered),
                tuple(rank_of[a] for a in ordered),
            )
        place = Place(refs[pk], rank, parent_id, *chain)
        # A code names one place; if two levels shared it, the finest (lowest rank) would win.
        other = places.get(place.ref.code)
        if other is None or (rank, pk) < (other.rank, other.ref.pk):
            places[place.ref.code] = place
    return TerritoryTable(refs=refs, places=places)


territory_table = ReferenceCache(_load, tables=[TERRITORY_TABLE])


def territory_refs(ids: Collection[int]) -> dict[int, TerritoryRef]:
    """The territories with these ids (an id no territory has is left out)."""
    refs = territory_table.get().refs
    found = {pk: refs[pk] for pk in ids if pk in refs}
    if len(found) < len(ids):
        # Not in the copy: a territory this transaction wrote after the copy was read (its
        # token then reloads the copy for the next lookup). Read, not kept.
        missing = [pk for pk in ids if pk not in found]
        rows = Territory.objects.filter(pk__in=missing).values_list(*TERRITORY_REF_COLUMNS)
        found.update((row[0], TerritoryRef(*row)) for row in rows)
    return found
