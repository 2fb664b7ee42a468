"""Benchmark of the place-name search (``manage.py bench_places``), on the reference as loaded.

Queries are drawn from the loaded communes, weighted by population (people look for where
firms are), in four kinds, as people type them:

- ``prefix``: the first 3 to 8 letters of a name (the autocomplete as one types);
- ``abbreviation``: a Saint / Sainte / Saints / Saintes name written St / Ste / Sts / Stes;
- ``typo``: a name with one or two mistakes (a letter wrong, missing, doubled, or two
  neighbours swapped), accents, case and hyphens dropped at random;
- ``exact``: the name as written.

Each query runs the search as the site and the API run it (``search_territories`` restricted
to communes and municipal arrondissements, first 8 results fetched with their département), and,
in the same run and interleaved, the exact search alone in SQL (``tolerant=False``: the search
as it was before corrections). Nothing is loaded or written: the index is built once before the
timings, and that build is reported apart.
"""

from __future__ import annotations

import gc
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, reset_queries

from core.text import normalize_name
from territories.enums import PLACE_LEVELS
from territories.models import Territory
from territories.place_index import PlaceIndex, place_index
from territories.selectors import search_territories

KINDS = ("prefix", "abbreviation", "typo", "exact")
RESULTS_FETCHED = 8
TARGET_P95_MS = 20.0
_ABBREVIATE = {"saint": "St", "sainte": "Ste", "saints": "Sts", "saintes": "Stes"}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    text: str
    code: str  # the commune the query was made from


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _typo(name: str, rng: random.Random) -> str:
    """One or two mistakes in the letters of ``name``, as typed in a hurry."""
    original = normalize_name(name).replace(" ", "")
    for _attempt in range(20):
        text = normalize_name(name) if rng.random() < 0.7 else name.lower()
        if rng.random() < 0.5:
            text = text.replace("-", " ")
        for _ in range(rng.choice((1, 1, 2))):
            text = _one_typo(text, rng)
        if normalize_name(text).replace(" ", "") != original:
            break
    return text


def _one_typo(text: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 2:
        return text
    i = rng.choice(letters[1:])
    edit = rng.choice(("substitute", "delete", "insert", "swap"))
    if edit == "substitute":
        return text[:i] + rng.choice(_LETTERS.replace(text[i], "")) + text[i + 1 :]
    if edit == "delete":
        return text[:i] + text[i + 1 :]
    if edit == "insert":
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _abbreviated(name: str) -> str | None:
    words = name.replace("-", " ").split()
    replaced = [_ABBREVIATE.get(normalize_name(w), w) for w in words]
    return " ".join(replaced) if replaced != words else None


def draw_queries(*, n: int, seed: int) -> list[BenchQuery]:
    """``n`` realistic queries, a quarter of each kind, from the loaded communes."""
    rng = random.Random(seed)
    places = list(
        Territory.objects.communes()
        .current()
        .order_by("code")
        .values_list("code", "name", "population")
    )
    weights = [max(1, population or 1) for _code, _name, population in places]
    saints = [p for p in places if _abbreviated(p[1])]
    queries: list[BenchQuery] = []
    for number in range(n):
        kind = KINDS[number % len(KINDS)]
        if kind == "abbreviation" and saints:
            code, name, _population = rng.choice(saints)
            queries.append(BenchQuery(kind, _abbreviated(name) or name, code))
            continue
        code, name, _population = rng.choices(places, weights=weights)[0]
        if kind == "prefix":
            letters = normalize_name(name)
            text = name[: rng.randint(3, 8)] if rng.random() < 0.5 else letters[: rng.randint(3, 8)]
        elif kind == "typo":
            text = _typo(name, rng)
        else:
            text = name
        queries.append(BenchQuery(kind, text, code))
    return queries


@dataclass
class BenchReport:
    n: int
    places: int
    index_build_ms: float
    tolerant_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    tolerant_cpu_ms: list[float] = field(default_factory=list)
    exact_cpu_ms: list[float] = field(default_factory=list)
    exact_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    queries_per_search: list[int] = field(default_factory=list)
    found_tolerant: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    found_exact: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def lines(self) -> list[str]:
        every_tolerant = [t for kind in KINDS for t in self.tolerant_ms[kind]]
        every_exact = [t for kind in KINDS for t in self.exact_ms[kind]]
        out = [
            f"Recherche de communes : {self.n} requêtes sur {self.places} communes et "
            f"arrondissements ({connection.vendor}) ; index construit en "
            f"{self.index_build_ms:.0f} ms (une fois par processus et par version du "
            "référentiel, hors mesures).",
            "                       tolérante (p50 / p95 / max)      exacte SQL (p50 / p95 / max)"
            "   trouvée dans les 5 premières (tolérante / exacte)",
        ]
        for kind in (*KINDS, "toutes"):
            tolerant = every_tolerant if kind == "toutes" else self.tolerant_ms[kind]
            exact = every_exact if kind == "toutes" else self.exact_ms[kind]
            if not tolerant:
                continue
            count = self.n if kind == "toutes" else self.counts[kind]
            found_t = (
                sum(self.found_tolerant.values()) if kind == "toutes" else self.found_tolerant[kind]
            )
            found_e = sum(self.found_exact.values()) if kind == "toutes" else self.found_exact[kind]
            out.append(
                f"  {kind:<13} {_triple(tolerant)}    {_triple(exact)}"
                f"    {100 * found_t / count:5.1f} % / {100 * found_e / count:5.1f} %"
            )
        out.append(
            "  temps CPU de ce processus (sur une machine partagée, la part qui ne dépend pas "
            "de la charge ; le travail du serveur PostgreSQL n'y est pas) : tolérante "
            f"{_triple(self.tolerant_cpu_ms)}, exacte {_triple(self.exact_cpu_ms)}"
        )
        p95 = percentile(every_tolerant, 0.95)
        ratio = p95 / max(percentile(every_exact, 0.95), 1e-9)
        verdict = "atteint" if p95 <= TARGET_P95_MS else "NON ATTEINT"
        out.append(
            f"p95 tolérante {p95:.1f} ms ({ratio:.2f} × l'exacte) — objectif ≤ "
            f"{TARGET_P95_MS:.0f} ms : {verdict}. Requêtes SQL par recherche tolérante : "
            f"{min(self.queries_per_search)} à {max(self.queries_per_search)}."
        )
        return out


def _triple(values: list[float]) -> str:
    return (
        f"{percentile(values, 0.5):6.2f} / {percentile(values, 0.95):6.2f} / {max(values):6.2f} ms"
    )


def _timed(query: str, *, tolerant: bool) -> tuple[float, float, list[str]]:
    """Wall-clock and CPU milliseconds of one search, and the codes it found."""
    started, cpu = time.perf_counter(), time.process_time()
    codes = [
        place.code
        for place in search_territories(
            query=query, levels=PLACE_LEVELS, tolerant=tolerant
        ).select_related("parent")[:RESULTS_FETCHED]
    ]
    return (
        (time.perf_counter() - started) * 1000,
        (time.process_time() - cpu) * 1000,
        codes,
    )


def run_benchmark(*, n: int, seed: int) -> BenchReport:
    """Time ``n`` drawn queries, tolerant and exact, interleaved (see the module docstring)."""
    queries = draw_queries(n=n, seed=seed)
    started = time.perf_counter()
    PlaceIndex.build()
    build_ms = (time.perf_counter() - started) * 1000
    place_index()  # this process's cached index, as a running server has it
    # The builds' garbage and the index's promotion to the oldest generation would otherwise
    # trigger one full collection during the timings; a server pays it once, after a reload.
    gc.collect()
    for query in queries[:20]:  # warm-up: connection, query compilation
        _timed(query.text, tolerant=True)
        _timed(query.text, tolerant=False)
    report = BenchReport(
        n=len(queries),
        places=Territory.objects.communes().current().count(),
        index_build_ms=build_ms,
    )
    debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        for query in queries:
            report.counts[query.kind] += 1
            reset_queries()
            elapsed, cpu, codes = _timed(query.text, tolerant=True)
            report.queries_per_search.append(len(connection.queries))
            report.tolerant_ms[query.kind].append(elapsed)
            report.tolerant_cpu_ms.append(cpu)
            report.found_tolerant[query.kind] += query.code in codes[:5]
            elapsed, cpu, codes = _timed(query.text, tolerant=False)
            report.exact_ms[query.kind].append(elapsed)
            report.exact_cpu_ms.append(cpu)
            report.found_exact[query.kind] += query.code in codes[:5]
    finally:
        connection.force_debug_cursor = debug_cursor
        reset_queries()
    return report
