"""Benchmark of the relay lookup against the raw nearest-neighbour floor, in one run.

The floor is the cheapest portable answer to "the k nearest offers of a service whose coverage
contains this commune": hand-written SQL on the same index table (service, coverage territory,
growing bounding box), haversine in Python, ancestors computed beforehand and not timed. The
lookup is timed whole, as a caller runs it: the request resolved into a query
(``resolve_query``: location, codes, criteria), then ``find_relays`` (criteria, fallbacks,
contacts, explanations), so the ratio lookup / floor says what all that costs.

The reference tables' copies are checked against their versions in the shared cache as in
production, at most once per grace window (``core.reference_cache``); that check (one round trip
to Redis when ``REDIS_URL`` is set) is also timed alone, after each lookup.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from core import reference_cache
from core.geo import BoundingBox, haversine_km
from core.prepared import prepared_cursor
from structures.relay.engine import find_relays
from structures.relay.index import RelayIndexEntry
from structures.relay.query import RelayRequest, resolve_query
from structures.relay.search import SEARCH_RADII_KM


@dataclass
class Sample:
    commune_code: str
    latitude: float
    longitude: float
    ancestors: list[int]
    service_code: str
    service_id: int
    country: str | None
    sector: str | None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def draw_samples(*, n: int, seed: int, with_criteria: bool) -> list[Sample]:
    from structures.models import Service
    from territories.models import Territory, TerritoryAncestor

    rng = random.Random(seed)
    places = list(
        Territory.objects.communes()
        .current()
        .filter(latitude__isnull=False)
        .values_list("pk", "code", "latitude", "longitude", "population")
    )
    weights = [max(1, p[4] or 1) for p in places]
    services = list(Service.objects.values_list("code", "pk"))
    countries = ["MA", "DE", "US", "CN", "BE", "IT", "CA", "JP", "BR", "TN"]
    sectors = ["10.71C", "C", "62.01Z", "28", "agroalimentaire"]
    picks = rng.choices(places, weights=weights, k=n)
    ancestors: dict[int, list[int]] = {}
    for pk, *_rest in picks:
        if pk not in ancestors:
            ancestors[pk] = list(
                TerritoryAncestor.objects.filter(descendant_id=pk).values_list(
                    "ancestor_id", flat=True
                )
            )
    samples = []
    for pk, code, lat, lon, _pop in picks:
        service_code, service_id = rng.choice(services)
        samples.append(
            Sample(
                commune_code=code,
                latitude=lat,
                longitude=lon,
                ancestors=ancestors[pk],
                service_code=service_code,
                service_id=service_id,
                country=rng.choice(countries) if with_criteria and rng.random() < 0.3 else None,
                sector=rng.choice(sectors) if with_criteria and rng.random() < 0.2 else None,
            )
        )
    return samples


def floor_query(sample: Sample, k: int) -> list[int]:
    """The raw floor: hand-written SQL, growing boxes, haversine in Python."""
    table = RelayIndexEntry._meta.db_table
    marks = ", ".join(["%s"] * len(sample.ancestors))
    # Prepared on PostgreSQL as the engine's statements are (core.prepared): the cheapest way
    # to run it, so that the ratio measures the engine, not the driver's settings.
    with prepared_cursor(connection) as cursor:
        for radius in (*SEARCH_RADII_KM, None):
            sql = (
                f"SELECT offer_id, latitude, longitude FROM {table} "
                f"WHERE service_id = %s AND territory_id IN ({marks})"
            )
            params: list = [sample.service_id, *sample.ancestors]
            if radius is not None:
                box = BoundingBox.around(sample.latitude, sample.longitude, radius)
                sql += " AND latitude BETWEEN %s AND %s"
                params += [box.min_lat, box.max_lat]
                if box.lon_ranges:
                    sql += (
                        " AND ("
                        + " OR ".join(["longitude BETWEEN %s AND %s"] * len(box.lon_ranges))
                        + ")"
                    )
                    for lo, hi in box.lon_ranges:
                        params += [lo, hi]
            cursor.execute(sql, params)
            best: dict[int, float] = {}
            for offer_id, lat, lon in cursor.fetchall():
                best[offer_id] = haversine_km(sample.latitude, sample.longitude, lat, lon)
            within = sorted((d, o) for o, d in best.items() if radius is None or d <= radius)
            if len(within) >= k or radius is None:
                return [o for _d, o in within[:k]]
    return []


@dataclass
class BenchReport:
    n: int
    engine_ms: list[float]
    floor_ms: list[float]
    queries: list[int]
    offers: int
    index_rows: int
    version_check_ms: list[float]
    cache_backend: str
    engine_cpu_ms: float = 0.0  # this process's CPU time, mean per lookup
    floor_cpu_ms: float = 0.0

    def lines(self) -> list[str]:
        def stats(values):
            return (
                f"p50 {percentile(values, 0.5):.2f} ms · p95 {percentile(values, 0.95):.2f} ms · "
                f"max {max(values):.2f} ms · mean {statistics.fmean(values):.2f} ms"
            )

        ratio = percentile(self.engine_ms, 0.5) / max(percentile(self.floor_ms, 0.5), 1e-9)
        ratio95 = percentile(self.engine_ms, 0.95) / max(percentile(self.floor_ms, 0.95), 1e-9)
        return [
            f"base : {connection.vendor} · {self.offers} offres · {self.index_rows} lignes d'index · "
            f"{self.n} recherches",
            f"moteur (résolution + find_relays) : {stats(self.engine_ms)}",
            f"plancher (SQL brut + box) : {stats(self.floor_ms)}",
            f"rapport moteur / plancher : p50 ×{ratio:.2f} · p95 ×{ratio95:.2f}",
            # On a loaded machine the wall clock mostly measures the wait for a core; CPU time
            # does not (with SQLite it includes the database's work, run in this process).
            f"temps CPU de ce processus : moteur {self.engine_cpu_ms:.2f} ms · plancher "
            f"{self.floor_cpu_ms:.2f} ms · rapport ×{self.engine_cpu_ms / max(self.floor_cpu_ms, 1e-9):.2f}"
            + ("" if connection.vendor == "sqlite" else " (sans le travail du serveur PostgreSQL)"),
            f"requêtes par recherche    : moyenne {statistics.fmean(self.queries):.1f} · max {max(self.queries)}",
            f"versions des référentiels ({self.cache_backend}, une vérification par "
            f"{settings.REFERENCE_CACHE_GRACE_SECONDS:g} s au plus) : "
            f"p50 {percentile(self.version_check_ms, 0.5) * 1000:.0f} µs · "
            f"p95 {percentile(self.version_check_ms, 0.95) * 1000:.0f} µs",
        ]


def _timed(call, *args) -> tuple[float, float]:
    """Wall time (ms) and this process's CPU time (s) of ``call(*args)``."""
    started, cpu = time.perf_counter(), time.process_time()
    call(*args)
    return (time.perf_counter() - started) * 1000, time.process_time() - cpu


def run_benchmark(
    *, n: int, k: int, seed: int, with_criteria: bool, warmup: int = 20
) -> BenchReport:
    """Time ``n`` lookups and ``n`` floor queries on the same samples, interleaved."""
    from structures.models import Offer

    samples = draw_samples(n=n + warmup, seed=seed, with_criteria=with_criteria)
    engine_ms, floor_ms, queries, version_check_ms = [], [], [], []
    engine_cpu = floor_cpu = 0.0
    for i, sample in enumerate(samples):
        request = RelayRequest(
            service=sample.service_code,
            commune=sample.commune_code,
            country=sample.country or "",
            sector=sample.sector or "",
            k=k,
        )
        # Both read the same index pages: whichever runs second finds them in the database's
        # cache (SQLite's page cache, PostgreSQL's shared buffers). The order alternates so
        # that neither side always gets the warm pages.
        floor_first = i % 2 == 1
        if floor_first:
            elapsed_floor, elapsed_floor_cpu = _timed(floor_query, sample, k)
        elapsed_engine, elapsed_engine_cpu = _timed(
            lambda: find_relays(resolve_query(request))  # noqa: B023 (called at once)
        )
        if not floor_first:
            elapsed_floor, elapsed_floor_cpu = _timed(floor_query, sample, k)
        reference_cache.check_again()
        started = time.perf_counter()
        reference_cache.checked_tokens()
        elapsed_check = (time.perf_counter() - started) * 1000
        if i < warmup:
            continue
        engine_cpu += elapsed_engine_cpu
        floor_cpu += elapsed_floor_cpu
        engine_ms.append(elapsed_engine)
        floor_ms.append(elapsed_floor)
        version_check_ms.append(elapsed_check)
        if i < warmup + 200:
            with CaptureQueriesContext(connection) as captured:
                find_relays(resolve_query(request))
            queries.append(len(captured.captured_queries))
    reset_queries()
    return BenchReport(
        n=n,
        engine_ms=engine_ms,
        floor_ms=floor_ms,
        queries=queries,
        offers=Offer.objects.count(),
        index_rows=RelayIndexEntry.objects.count(),
        version_check_ms=version_check_ms,
        cache_backend=type(caches[reference_cache.CACHE_ALIAS]).__name__,
        engine_cpu_ms=engine_cpu / max(n, 1) * 1000,
        floor_cpu_ms=floor_cpu / max(n, 1) * 1000,
    )
