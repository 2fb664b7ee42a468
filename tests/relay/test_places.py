"""The process copy of the territory reference the lookup reads (``structures.relay.places``):
every current place with its closure as the database has it, a location resolved without a
query, and a change of the reference seen at the next lookup."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import reference_cache
from structures.relay.location import locate, resolve_location
from structures.relay.places import territory_refs, territory_table
from structures.relay.types import TERRITORY_REF_COLUMNS, TerritoryRef
from territories.enums import PLACE_LEVELS
from territories.models import Territory, TerritoryAncestor
from tests.relay.lookup import lookup
from tests.relay.test_rules import MONTPELLIER, relay_at
from tests.structures.factories import territory

pytestmark = pytest.mark.django_db


def _ref(pk: int) -> TerritoryRef:
    return TerritoryRef(*Territory.objects.values_list(*TERRITORY_REF_COLUMNS).get(pk=pk))


def test_every_current_place_has_the_closure_of_the_database():
    table = territory_table.get()
    current = Territory.objects.filter(is_current=True, level__in=PLACE_LEVELS)
    assert set(table.places) == set(current.values_list("code", flat=True))
    assert len(table.refs) == Territory.objects.count()
    for place in current.only("pk", "code", "rank", "parent_id"):
        kept = table.places[place.code]
        links = TerritoryAncestor.objects.filter(descendant=place).order_by(
            "ancestor_rank", "ancestor_id"
        )
        assert [(ref.pk, rank) for ref, rank in zip(kept.ancestors, kept.ranks, strict=True)] == (
            list(links.values_list("ancestor_id", "ancestor_rank"))
        ), place.code
        assert (kept.ref.pk, kept.rank, kept.parent_id) == (place.pk, place.rank, place.parent_id)
    # The references are the rows' values (spot checks across levels).
    for level, code in [("commune", MONTPELLIER), ("departement", "34"), ("country", "MA")]:
        pk = territory(level, code).pk
        assert table.refs[pk] == _ref(pk)


def test_a_commune_is_located_without_a_query():
    territory_table.get()
    with CaptureQueriesContext(connection) as captured:
        location = resolve_location(commune=MONTPELLIER)
    assert captured.captured_queries == []
    assert location.commune.name == "Montpellier"
    assert location.commune.is_current
    assert location.region_id == territory("region", "76").pk
    assert location.ancestor_at("departement").code == "34"
    assert location.ancestor_ids == tuple(sorted(ref.pk for ref in location.ancestors))
    # The location's ``Territory`` is the row, for the columns it carries.
    row = territory("commune", MONTPELLIER)
    for name in ("pk", "code", "name", "name_en", "rank", "parent_id", "latitude", "longitude"):
        assert getattr(location.commune, name) == getattr(row, name), name


def test_a_place_the_copy_does_not_hold_as_current_is_located_by_the_database():
    before = resolve_location(commune=MONTPELLIER)
    place = territory("commune", MONTPELLIER)
    place.is_current = False
    place.save()  # moves the reference's token: the next read reloads the copy without it
    assert MONTPELLIER not in territory_table.get().places
    location = locate(place)
    assert location.ancestor_ids == before.ancestor_ids
    assert [ref.code for ref in location.ancestors] == [ref.code for ref in before.ancestors]
    assert location.region_id == before.region_id


def test_a_territory_written_without_a_signal_is_read_from_the_database():
    territory_table.get()
    # A bulk write sends no signal, so the copy does not know the new row (until the next
    # change of the token, or its maximum age).
    (ghost,) = Territory.objects.bulk_create(
        [Territory(level="commune", code="34998", name="Commune fantôme", rank=1, is_current=False)]
    )
    assert ghost.pk not in territory_table.get().refs
    assert territory_refs([ghost.pk, territory("departement", "34").pk]) == {
        ghost.pk: _ref(ghost.pk),
        territory("departement", "34").pk: _ref(territory("departement", "34").pk),
    }
    assert territory_refs([10**9]) == {}


def test_a_renamed_territory_is_shown_by_the_next_lookup():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    first = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert first.results[0].matched_territory.name == "Hérault"
    assert first.results[0].structure.commune.name == "Montpellier"
    herault = territory("departement", "34")
    herault.name = "Hérault renommé"
    herault.save()
    commune = offer.structure.commune
    commune.name = "Montpellier renommée"
    commune.save()
    again = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert again.results[0].matched_territory.name == "Hérault renommé"
    assert again.results[0].structure.commune.name == "Montpellier renommée"
    assert again.location.ancestor_at("departement").name == "Hérault renommé"


def test_the_copy_is_shared_by_the_places_of_one_chain():
    table = territory_table.get()
    places = [p for p in table.places.values() if p.ancestors[-1].level == "country"]
    assert places
    # Places of one EPCI and département share one tuple of the territories containing them.
    by_chain = {}
    for place in places:
        by_chain.setdefault(tuple(ref.pk for ref in place.chain), []).append(place)
    shared = [group for group in by_chain.values() if len(group) > 1]
    assert shared
    for group in shared:
        assert all(place.chain is group[0].chain for place in group)


def test_a_committed_copy_is_restored_only_while_its_tokens_hold():
    reference_cache.clear_all()
    table = territory_table.get()
    kept = reference_cache.loaded_copies()
    reference_cache.clear_all()
    reference_cache.restore(kept)
    assert territory_table.get() is table
    # A change published since (another process's commit): the copy is not put back.
    reference_cache.publish([territory_table.tables[0]])
    reference_cache.restore(kept)
    assert territory_table.get() is not table
