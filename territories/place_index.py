"""The territory names in memory, for a name search that forgives spelling mistakes.

Typo tolerance must behave the same on SQLite and PostgreSQL, so it uses no database function
(no pg_trgm): each process keeps every territory's normalised name and answers in Python, with
rapidfuzz computing the edit distances in C. Exact, prefix and word-prefix matches are
bisections in sorted lists and mean exactly what ``TerritoryQuerySet.search`` means in SQL.

Approximate matches (places only: communes and municipal arrondissements, current ones) are
sought when the exact search finds no exact name and fewer than ``FUZZY_BELOW`` matches:

1. prefilter: a name whose start is within *k* edits of the query shares a common subsequence
   of at least ``len(query) - k`` characters with its first ``len(query) + k`` characters; that
   test runs in C over every distinct start of a name (rapidfuzz, indel distance);
2. distance: for the few names left, the optimal string alignment distance (a swap of two
   letters counts once) to the whole name, and to its starts of ``len(query) ± k`` characters
   (the name being typed), on names without spaces or punctuation, so that "Lhay les Roses",
   "saintetienne" or "Villeneuve lès Avignon" cost nothing;
3. rank: fewer edits first, but a much larger commune may come before a closer spelling, as
   people look for where firms are: the score is ``edits - POPULATION_WEIGHT * log10(pop)``
   (one edit weighs as much as a population about 20 times smaller), plus ``PREFIX_PENALTY``
   when only the start of the name matches.

The index is cached per process, keyed by the reference's version token
(``ReferenceVersion``): one primary-key read per search tells when the reference was reloaded
or a territory changed, and the index is rebuilt on the next search.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from core.text import compact
from territories.enums import NAME_MATCH_QUALITY, PLACE_LEVELS, NameMatch
from territories.models import ReferenceVersion, Territory

# Approximate matches are sought when the exact search finds no exact name and fewer than this.
FUZZY_BELOW = 3
# At most this many approximate matches per search: they are suggestions, not a listing.
FUZZY_LIMIT = 10
# Queries shorter than this (letters, without spaces) are not corrected; longer ones are not
# either (the longest commune name has 38 letters), which bounds the work per query.
FUZZY_MIN_LENGTH = 4
FUZZY_MAX_LENGTH = 45
POPULATION_WEIGHT = 0.75
PREFIX_PENALTY = 0.5
# Names starting with an article get a second key without it: "Havre" with a typo finds Le Havre.
ARTICLES = ("le", "la", "les", "l")
# Above this many candidates in a prefix range, the query is too broad to be answered from
# memory: the database paginates it (``None`` is returned).
_BROAD_RANGE_FACTOR = 20
# The prefilter compares the query with the names' first characters, kept at these widths (a
# few megabytes each): the narrowest one that holds the query and its typos is used.
HEAD_WIDTHS = (6, 8, 10, 13, 16)
# A safety bound on the names the prefilter lets through (the best-aligned are kept).
MAX_SURVIVORS = 1500
_AFTER_ALL = "\uffff"


def max_typos(length: int) -> int:
    """Edits forgiven in a query of ``length`` letters: none below 4, one in 4–5, two beyond."""
    if length < FUZZY_MIN_LENGTH:
        return 0
    return 1 if length < 6 else 2


@dataclass(frozen=True)
class PlaceMatch:
    """One territory found by name, with how it matched (and, if approximate, its score)."""

    pk: int
    match: NameMatch
    edits: int = 0
    score: float = 0.0

    @property
    def quality(self) -> int:
        return NAME_MATCH_QUALITY[self.match]


class PlaceIndex:
    """Every territory's normalised name, with the lookups of the name search (read-only)."""

    def __init__(self, rows: list[tuple]) -> None:
        # rows: (pk, level, code, name, search_name, population, is_current, rank)
        self.size = len(rows)
        self.pks = [r[0] for r in rows]
        self.levels = [r[1] for r in rows]
        self.codes = [r[2] for r in rows]
        self.names = [r[3] for r in rows]
        self.populations = [r[5] for r in rows]
        self.current = [r[6] for r in rows]
        self.ranks = [r[7] for r in rows]
        exact: dict[str, list[int]] = defaultdict(list)
        prefix: list[tuple[str, int]] = []
        words: list[tuple[str, int]] = []
        fuzzy: list[tuple[str, int]] = []
        for i, row in enumerate(rows):
            key = row[4]
            if not key:
                continue
            exact[key].append(i)
            squeezed = compact(key)
            if squeezed != key:
                exact[squeezed].append(i)
            prefix.append((key, i))
            # "contains ' key'" in SQL: a word-suffix of the name starts with the key.
            start = key.find(" ")
            while start != -1:
                words.append((key[start + 1 :], i))
                start = key.find(" ", start + 1)
            if row[1] in PLACE_LEVELS and row[6]:
                fuzzy.append((squeezed, i))
                first, _sep, rest = key.partition(" ")
                if first in ARTICLES and rest:
                    fuzzy.append((compact(rest), i))
        # Tuples of integers are not tracked by the garbage collector: fewer objects for its
        # full passes to walk in a long-running process.
        self._exact = {key: tuple(ids) for key, ids in exact.items()}
        prefix.sort()
        words.sort()
        self._prefix_keys = [k for k, _i in prefix]
        self._prefix_ids = [i for _k, i in prefix]
        self._word_keys = [k for k, _i in words]
        self._word_ids = [i for _k, i in words]
        # Sorted, so that names sharing their first characters are neighbours: the prefilter
        # scores each distinct start once, and a start stands for a range of names.
        fuzzy.sort()
        self._fuzzy_keys = [k for k, _i in fuzzy]
        self._fuzzy_ids = [i for _k, i in fuzzy]
        self._heads: dict[int, tuple[list[str], list[int]]] = {}
        for width in HEAD_WIDTHS:
            heads: list[str] = []
            starts: list[int] = []
            for position, name in enumerate(self._fuzzy_keys):
                head = name[:width]
                if not heads or heads[-1] != head:
                    heads.append(head)
                    starts.append(position)
            starts.append(len(self._fuzzy_keys))
            self._heads[width] = (heads, starts)
        self._log_population = [
            math.log10(max(1, p or 1)) if lvl in PLACE_LEVELS else 0.0
            for p, lvl in zip(self.populations, self.levels, strict=True)
        ]

    @classmethod
    def build(cls) -> PlaceIndex:
        rows = list(
            Territory.objects.order_by("pk").values_list(
                "pk",
                "level",
                "code",
                "name",
                "search_name",
                "population",
                "is_current",
                "rank",
            )
        )
        return cls(rows)

    # Lookups ------------------------------------------------------------------------------

    def search(
        self,
        keys: tuple[str, ...],
        *,
        levels: tuple[str, ...] | None,
        current_only: bool,
        limit: int,
    ) -> list[PlaceMatch] | None:
        """Territories whose name matches one of ``keys`` (``core.text.place_name_keys``).

        Exact names first, then names starting with a key, then names with a word starting
        with one; within each group, places before larger territories, then by population.
        Approximate matches follow when the others are too few (see the module's docstring).
        ``None`` when more than ``limit`` territories match exactly or by prefix: the query is
        too broad to be answered from memory, and the database answers it.
        """

        def allowed(i: int) -> bool:
            return (levels is None or self.levels[i] in levels) and (
                not current_only or self.current[i]
            )

        quality: dict[int, int] = {}
        for key in keys:
            for i in self._exact.get(key, ()):
                quality[i] = 0
            for i in self._exact.get(compact(key), ()):
                quality[i] = 0
            for sorted_keys, ids, rank in (
                (self._prefix_keys, self._prefix_ids, 1),
                (self._word_keys, self._word_ids, 2),
            ):
                low = bisect.bisect_left(sorted_keys, key)
                high = bisect.bisect_left(sorted_keys, key + _AFTER_ALL, lo=low)
                if high - low > limit * _BROAD_RANGE_FACTOR:
                    return None
                for i in ids[low:high]:
                    if quality.get(i, 9) > rank:
                        quality[i] = rank
        close = {i: q for i, q in quality.items() if allowed(i)}
        if len(close) > limit:
            return None
        ordered = sorted(close, key=lambda i: (close[i], *self._order_key(i)))
        matches = [
            PlaceMatch(
                pk=self.pks[i],
                match=(NameMatch.EXACT, NameMatch.PREFIX, NameMatch.WORD)[close[i]],
            )
            for i in ordered
        ]
        wants_places = levels is None or any(level in PLACE_LEVELS for level in levels)
        if wants_places and len(close) < FUZZY_BELOW and not any(q == 0 for q in close.values()):
            matches += self.approximate(keys[0], exclude=set(close), allowed=allowed)
        return matches

    def approximate(
        self,
        key: str,
        *,
        exclude: Collection[int] = (),
        allowed: Callable[[int], bool] | None = None,
    ) -> list[PlaceMatch]:
        """Current places whose name, or its start, is within a few edits of ``key``, best
        first (at most ``FUZZY_LIMIT``)."""
        query = compact(key)
        length = len(query)
        k = max_typos(length)
        if k == 0 or length > FUZZY_MAX_LENGTH or not any(ch.isalpha() for ch in query):
            return []
        # 1. Prefilter in C on the names' first characters (see the module's docstring): the
        # start must keep ``len(head) - k`` letters of the query's start in order. The indel
        # distance with a cutoff is the fastest bound on that (indel = |a| + |b| - 2 LCS).
        width = next((w for w in HEAD_WIDTHS if length + k <= w), HEAD_WIDTHS[-1])
        head = query[: width - k]
        heads, starts = self._heads[width]
        survivors = process.extract(
            head,
            heads,
            scorer=Indel.distance,
            score_cutoff=width - len(head) + 2 * k,
            limit=MAX_SURVIVORS,
        )
        positions = [
            position
            for start, indel, rank in survivors
            if indel <= len(start) - len(head) + 2 * k
            for position in range(starts[rank], starts[rank + 1])
            if self._fuzzy_ids[position] not in exclude
            and (allowed is None or allowed(self._fuzzy_ids[position]))
        ]
        # 2. Edits to the whole name, then to its starts (the name being typed), in C.
        names = self._fuzzy_keys
        found: dict[int, tuple[int, float]] = {}  # fuzzy position → (edits, penalty)
        wholes = {p: names[p] for p in positions if abs(len(names[p]) - length) <= k}
        for _name, edits, position in process.extract(
            query, wholes, scorer=OSA.distance, score_cutoff=k, limit=None
        ):
            found[position] = (edits, 0.0)
        for end in range(max(1, length - k), length + k + 1):
            starts = {p: names[p][:end] for p in positions if len(names[p]) > end}
            for _start, edits, position in process.extract(
                query, starts, scorer=OSA.distance, score_cutoff=k, limit=None
            ):
                if position not in found or edits < found[position][0]:
                    found[position] = (edits, PREFIX_PENALTY)
        # 3. Rank: edits, the population's weight, whether only the start matched.
        best: dict[int, tuple[float, int]] = {}
        for position, (edits, penalty) in found.items():
            entry = self._fuzzy_ids[position]
            score = edits + penalty - POPULATION_WEIGHT * self._log_population[entry]
            if entry not in best or score < best[entry][0]:
                best[entry] = (score, edits)
        ranked = sorted(best, key=lambda i: (best[i][0], self.names[i], self.codes[i]))
        return [
            PlaceMatch(
                pk=self.pks[i], match=NameMatch.APPROXIMATE, edits=best[i][1], score=best[i][0]
            )
            for i in ranked[:FUZZY_LIMIT]
        ]

    def _order_key(self, i: int) -> tuple:
        population = self.populations[i]
        return (
            0 if self.levels[i] in PLACE_LEVELS else 1,
            population is None,
            -(population or 0),
            self.ranks[i],
            self.names[i],
            self.codes[i],
        )


# The per-process cache ---------------------------------------------------------------------


def reference_version() -> str:
    """The territory reference's current version token ("" before the first load)."""
    token = (
        ReferenceVersion.objects.filter(pk=ReferenceVersion.SINGLETON_PK)
        .values_list("token", flat=True)
        .first()
    )
    return token or ""


_lock = threading.Lock()
_cached: tuple[str, PlaceIndex] | None = None


def place_index() -> PlaceIndex:
    """This process's index, rebuilt when the reference's version token has changed."""
    global _cached
    token = reference_version()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    with _lock:
        cached = _cached
        if cached is not None and cached[0] == token:
            return cached[1]
        index = PlaceIndex.build()
        _cached = (token, index)
        return index


def cached_version() -> str | None:
    """The token the cached index was built from (``None``: nothing cached yet)."""
    cached = _cached
    return cached[0] if cached is not None else None
