"""What each process keeps between lookups (a resolved commune, a loaded offer, the conditions in
words) and the index's packed ``details``: a change is seen at the next lookup, in the writer's
process at once and in another one through the version tokens (``core.reference_cache``)."""

from __future__ import annotations

import datetime
import importlib
import random
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import reference_cache
from structures.freshness import thresholds
from structures.models import Structure
from structures.querysets import months_ago
from structures.relay import reference, results
from structures.relay.index import (
    DETAIL_FIELDS,
    NO_CONDITIONS,
    RelayIndexEntry,
    pack_details,
    unpack_details,
)
from tests.relay.lookup import lookup
from tests.relay.test_rules import MONTPELLIER, relay_at
from tests.structures.factories import ContactFactory, sector, territory

pytestmark = pytest.mark.django_db


def _service_lookup(**kwargs):
    return lookup(service="prospecting-missions", commune=MONTPELLIER, **kwargs)


def test_a_repeated_lookup_reads_only_the_index():
    relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    first = _service_lookup()
    with CaptureQueriesContext(connection) as captured:
        again = _service_lookup()
    # The commune was resolved and the offer loaded by the first lookup: only the searches
    # (the rounds, then the fallbacks' with a single relay) read the database.
    statements = [query["sql"] for query in captured.captured_queries]
    assert statements and all("structures_relayindexentry" in sql for sql in statements)
    assert [r.offer.pk for r in again.results] == [r.offer.pk for r in first.results]
    assert again.results[0].structure == first.results[0].structure
    assert again.location == first.location


def test_a_renamed_commune_is_seen_at_the_next_lookup():
    relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    assert _service_lookup().location.commune.name == "Montpellier"
    place = territory("commune", MONTPELLIER)
    place.name = "Montpellier-la-Neuve"
    place.save()
    assert _service_lookup().location.commune.name == "Montpellier-la-Neuve"


def test_a_structure_or_contact_edit_is_seen_at_the_next_lookup():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    desk = ContactFactory(structure=offer.structure, name="Guichet export", phone="0400000001")
    assert _service_lookup().results[0].contact.phone == "0400000001"
    desk.phone = "0400000002"
    desk.save()
    assert _service_lookup().results[0].contact.phone == "0400000002"
    offer.structure.name = "Chambre renommée"
    offer.structure.save()
    assert _service_lookup().results[0].structure.name == "Chambre renommée"


def test_a_listing_turns_stale_with_the_clock_not_with_the_copy(monkeypatch):
    """The loaded offer keeps the moment the listing's age counts from; whether it is stale is
    decided at each lookup."""
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    Structure.objects.filter(pk=offer.structure_id).update(
        verified_at=months_ago(17), created_at=months_ago(30)
    )
    reference_cache.mark_changed(reference.RELAY_INDEX_TABLE)  # update() sends no signal
    assert _service_lookup().results[0].information_to_check is False
    two_months_later = timezone.now() + relativedelta(months=2)
    monkeypatch.setattr(results, "thresholds", lambda: thresholds(now=two_months_later))
    with CaptureQueriesContext(connection) as captured:
        assert _service_lookup().results[0].information_to_check is True
    assert all("structures_offer" not in q["sql"] for q in captured.captured_queries)


def test_a_change_committed_by_another_process_is_seen_once_the_tokens_are_checked(settings):
    """Another worker's write reaches this one through the tokens in the shared cache: this
    process's copies stay until it checks them (at most once per grace window), then reload."""
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    # As if the factories' writes were committed: copies loaded from now on are not this
    # transaction's own (provisional ones are trusted until it ends, whatever the tokens).
    reference_cache._written_tables().clear()
    assert _service_lookup().results[0].structure.name == offer.structure.name
    # The other process's write: no signal here, only its effects (rows, then new tokens).
    Structure.objects.filter(pk=offer.structure_id).update(name="Nom changé ailleurs")
    assert _service_lookup().results[0].structure.name == offer.structure.name
    shared = caches[reference_cache.CACHE_ALIAS]
    shared.set(reference_cache.version_key(reference.RELAY_INDEX_TABLE), "another-token")
    reference_cache.check_again()
    assert _service_lookup().results[0].structure.name == "Nom changé ailleurs"


def test_a_renamed_sector_is_seen_in_the_conditions():
    restricted = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    wine = sector("11")
    restricted.sectors.set([wine])
    before = _service_lookup().results[0].notes
    assert any(wine.name.lower() in note.lower() for note in before), before
    wine.name = "Boissons renommées"
    wine.save()
    after = _service_lookup().results[0].notes
    assert any("boissons renommées" in note.lower() for note in after), after


def test_details_pack_and_unpack_every_value():
    rng = random.Random(4)
    for _ in range(300):
        values = {
            "structure_id": rng.randrange(1, 10**6),
            "territory_id": rng.randrange(1, 10**6),
            "point_is_approximate": rng.random() < 0.5,
            "region_id": rng.choice([None, rng.randrange(1, 100)]),
            "sort_key": f"chambre-{rng.randrange(100)}|{rng.randrange(10**6):012d}",
            **NO_CONDITIONS,
        }
        if rng.random() < 0.6:
            values.update(
                min_employees=rng.choice([None, 0, 10]),
                max_employees=rng.choice([None, 249]),
                min_age_years=rng.choice([None, 0, 3]),
                members_only=rng.random() < 0.3,
                application_required=rng.random() < 0.3,
                sector_codes=rng.choice(["", "|11|", "|C|agroalimentaire|"]),
                market_codes=rng.choice(["", "|MA|", "|BE|DE|"]),
                planned_codes=rng.choice(["", "|JP|"]),
                naf_include=rng.choice(["", "|10.71C|"]),
                naf_exclude=rng.choice(["", "|62|"]),
            )
        unpacked, conditional = unpack_details(pack_details(values))
        assert unpacked == values
        assert conditional == any(values[name] != NO_CONDITIONS[name] for name in NO_CONDITIONS)


def test_the_migration_writes_the_details_the_indexer_writes():
    """Migration 0017 fills ``details`` of the rows already there with one portable UPDATE: the
    same text as ``pack_details``, on this database."""
    relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    relay_at(
        MONTPELLIER,
        covers=[territory("departement", "34"), territory("commune", MONTPELLIER)],
        min_employees=10,
        members_only=True,
    ).sectors.set([sector("11")])
    expected = {
        row["pk"]: row["details"]
        for row in RelayIndexEntry.objects.values("pk", "details").order_by("pk")
    }
    RelayIndexEntry.objects.update(details="")
    migration = importlib.import_module("structures.migrations.0017_relay_index_details")
    # What the function reads of its schema editor: the connection (SQLite allows no schema
    # editor inside the test's transaction).
    migration.fill_details(apps, SimpleNamespace(connection=connection))
    written = dict(RelayIndexEntry.objects.values_list("pk", "details"))
    assert written == expected and len(expected) >= 3
    for row in RelayIndexEntry.objects.values(*DETAIL_FIELDS, "details"):
        assert row["details"] == pack_details(row)


def test_months_ago_is_the_calendar_rule():
    rng = random.Random(9)
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for _ in range(2000):
        now = start + datetime.timedelta(minutes=rng.randrange(8 * 365 * 24 * 60))
        months = rng.choice([1, 6, 11, 12, 18, 24])
        assert months_ago(months, now=now) == now - relativedelta(months=months)
