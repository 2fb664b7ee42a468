"""Randomised proof: the engine answers exactly as the brute-force reference of docs/relay.md.

Each test writes a seeded random registry on the real test territories, then compares, query by
query, ``find_relays`` with ``tests.relay.reference.reference_find``: same offers, same order,
same fallback labels, same matched territory, same market match, same distance. A failure lists
the first differing queries with both answers, enough to replay them by hand.
"""

from __future__ import annotations

import random

import pytest

from tests.relay.generators import TODAY, World, generate_registry, mutate_registry, random_query
from tests.relay.lookup import lookup
from tests.relay.reference import HARD_CORE_SERVICES, Query, Snapshot, reference_find

pytestmark = pytest.mark.django_db

QUERIES_PER_SEED = 200
DISTANCE_TOLERANCE_KM = 1e-6
# docs/relay.md §5 orders out_of_area and remote fallbacks "by distance then key" (the engine
# once broke their ties like the competent list; the reference can still check that reading).
FALLBACK_TIEBREAK_LIKE_COMPETENT = False


def _pk(value):
    return getattr(value, "pk", value)


def _engine_rows(response) -> list[tuple]:
    rows = []
    for result in [*response.results, *response.fallbacks]:
        rows.append(
            (
                result.offer.pk,
                str(result.fallback),
                _pk(result.matched_territory),
                str(result.market_match),
                bool(result.same_region),
                result.distance_km,
            )
        )
    return rows


def _reference_rows(answer) -> list[tuple]:
    return [
        (
            r.offer_id,
            r.fallback,
            r.matched_territory_id,
            r.market_match,
            r.same_region,
            r.distance_km,
        )
        for r in answer.results
    ]


def _same_distance(got: float, expected: float) -> bool:
    # The engine may show distances rounded to the metre (docs/relay.md §6).
    return (
        abs(got - expected) <= DISTANCE_TOLERANCE_KM
        or abs(got - round(expected, 3)) <= DISTANCE_TOLERANCE_KM
    )


def compare(
    query: Query,
    snapshot: Snapshot,
    *,
    tiebreak_like_competent: bool = FALLBACK_TIEBREAK_LIKE_COMPETENT,
) -> str:
    """An empty string when the engine agrees with the reference, else what differs."""
    expected = reference_find(
        snapshot, query, today=TODAY, fallback_tiebreak_like_competent=tiebreak_like_competent
    )
    response = lookup(**query.kwargs(), today=TODAY)
    if expected.error is not None:
        if response.error is None or response.error.code != expected.error.code:
            return f"expected error {expected.error.code}, got {response.error or 'results'}"
        if expected.error.code == "ambiguous_postal_code":
            got = sorted(_pk(c) for c in response.error.candidates)
            if got != sorted(expected.error.candidates):
                return f"candidates {got} != {sorted(expected.error.candidates)}"
        return ""
    if response.error is not None:
        return f"unexpected error {response.error.code}: {response.error.message}"
    if response.location.commune.pk != expected.location.commune_id:
        return (
            f"location {response.location.commune.code} != "
            f"{snapshot.territories[expected.location.commune_id].code}"
        )
    got, want = _engine_rows(response), _reference_rows(expected)
    same = len(got) == len(want) and all(
        g[:5] == w[:5] and _same_distance(g[5], w[5]) for g, w in zip(got, want, strict=True)
    )
    if same:
        return ""
    lines = ["offer, fallback, matched, market, same_region, km"]
    lines += [f"  got  {g}" for g in got]
    lines += [f"  want {w}" for w in want]
    return "\n".join(lines)


def run_queries(*, seed: int, world: World, count: int, **options) -> list[str]:
    snapshot = Snapshot.load()
    rng = random.Random(seed * 7919)
    failures = []
    for number in range(count):
        query = random_query(rng, world)
        problem = compare(query, snapshot, **options)
        if problem:
            failures.append(f"seed {seed} query #{number}: {query}\n{problem}")
    return failures


def _report(failures: list[str], count: int) -> str:
    return f"{len(failures)}/{count} queries differ; first ones:\n\n" + "\n\n".join(failures[:5])


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_engine_matches_the_reference_on_a_bulk_loaded_registry(seed):
    world = World.load()
    generate_registry(seed=seed, world=world, via="bulk")
    failures = run_queries(seed=seed, world=world, count=QUERIES_PER_SEED)
    assert not failures, _report(failures, QUERIES_PER_SEED)


def test_engine_matches_the_reference_when_signals_maintain_the_index():
    """Written through the services, then edited: the signals alone keep the index right."""
    world = World.load()
    generate_registry(seed=101, world=world, n_structures=60, via="services")
    failures = run_queries(seed=101, world=world, count=100)
    assert not failures, _report(failures, 100)
    mutate_registry(seed=102, world=world, count=50)
    failures = run_queries(seed=103, world=world, count=120)
    assert not failures, _report(failures, 120)


def test_the_index_forgets_deleted_offers_and_structures():
    from django.db import connection

    world = World.load()
    generate_registry(seed=201, world=world, n_structures=30, via="services")
    mutate_registry(seed=202, world=world, count=25, deletions=True)
    from structures.models import Offer, Structure

    Offer.objects.filter(markets__isnull=False).first().delete()
    Structure.objects.filter(offers__isnull=False).first().delete()
    connection.check_constraints()  # no index row may point at a deleted offer or structure
    failures = run_queries(seed=203, world=world, count=60)
    assert not failures, _report(failures, 60)


def test_fallbacks_at_equal_distance_follow_the_key_as_documented():
    world = World.load()
    generate_registry(seed=11, world=world, via="bulk")
    failures = run_queries(seed=11, world=world, count=120, tiebreak_like_competent=False)
    assert not failures, _report(failures, 120)


def test_ambiguous_postal_codes_list_their_candidates():
    world = World.load()
    assert "13100" in world.ambiguous_postal_codes
    for code, communes in list(world.ambiguous_postal_codes.items())[:40]:
        response = lookup(service="prospecting-missions", postal_code=code)
        assert response.error is not None and response.error.code == "ambiguous_postal_code"
        got = sorted(getattr(c, "code", c) for c in response.error.candidates)
        assert got == communes, code


def test_the_catalogue_flags_the_hard_core_services_of_rule_r7():
    snapshot = Snapshot.load()
    assert {code for code, hard in snapshot.hard_core.items() if hard} == HARD_CORE_SERVICES


def test_the_reference_itself_on_a_known_case(territory):
    """Guard the guard: the reference finds the obvious relay of a hand-built registry."""
    from tests.structures.factories import OfferFactory, StructureFactory, service

    montpellier = territory("commune", "34172")
    near = StructureFactory(commune=montpellier, coverage=[territory("departement", "34")])
    offer = OfferFactory(structure=near, service=service("prospecting-missions"))
    answer = reference_find(
        Snapshot.load(), Query(service="prospecting-missions", commune="34172"), today=TODAY
    )
    assert [(r.offer_id, r.fallback, r.distance_km) for r in answer.results] == [
        (offer.pk, "", 0.0)
    ]
    assert compare(Query(service="prospecting-missions", commune="34172"), Snapshot.load()) == ""
