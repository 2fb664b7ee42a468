"""The reference tables' copies (core.reference_cache): loaded once per process, reloaded when a
table's version token moves in the shared cache — by a write here, by another process, by
``migrate`` or because the token was lost —, and never failing a lookup when the shared cache
does not answer. Run against Redis when ``REDIS_URL`` is set (CI), process memory otherwise."""

from __future__ import annotations

import logging
import socket

import pytest
from django.core.cache import caches
from django.core.management.sql import emit_post_migrate_signal
from django.db import transaction
from django.test import override_settings

from core import reference_cache
from core.reference_cache import CACHE_ALIAS, version_key
from structures.models import Sector, Service
from structures.relay import reference
from territories.models import Territory
from territories.services import load_vendored_reference

pytestmark = pytest.mark.django_db


def shared_token(table: str) -> str | None:
    return caches[CACHE_ALIAS].get(version_key(table))


def test_the_table_labels_are_the_models():
    assert Service._meta.label_lower == reference.SERVICE_TABLE
    assert Sector._meta.label_lower == reference.SECTOR_TABLE
    assert Territory._meta.label_lower == reference.TERRITORY_TABLE


def test_a_copy_is_loaded_once_then_served_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        services = reference.services.get()
    assert "prospecting-missions" in services
    reference_cache.check_again()  # the tokens are read again, and have not moved
    with django_assert_num_queries(0):
        assert reference.services.get() is services


def test_a_token_moved_by_another_process_reloads_the_copy_at_the_next_check(
    django_assert_num_queries,
):
    before = reference.services.get()
    # What another worker's commit does: a new token in the shared cache, nothing here.
    caches[CACHE_ALIAS].set(version_key(reference.SERVICE_TABLE), "another-worker", timeout=None)
    # Within the grace window the copy is trusted (no round trip per lookup)...
    with django_assert_num_queries(0):
        assert reference.services.get() is before
    # ...and at the next check it is reloaded; the other tables' copies are not.
    countries = reference.countries.get()
    reference_cache.check_again()
    with django_assert_num_queries(1):
        assert reference.services.get() is not before
    with django_assert_num_queries(0):
        assert reference.countries.get() is countries


@override_settings(REFERENCE_CACHE_GRACE_SECONDS=0)
def test_without_a_grace_window_every_read_checks_the_token(django_assert_num_queries):
    before = reference.sectors.get()
    caches[CACHE_ALIAS].set(version_key(reference.SECTOR_TABLE), "another-worker", timeout=None)
    with django_assert_num_queries(3):  # sectors, their names and the filières' divisions
        assert reference.sectors.get() is not before


def test_a_write_is_read_at_once_by_its_transaction_and_published_on_commit(
    django_capture_on_commit_callbacks,
):
    assert reference.services.get()["prospecting-missions"].name != "Missions renommées"
    reference_cache.check_again()
    token = shared_token(reference.SERVICE_TABLE)
    assert token
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        service = Service.objects.get(code="prospecting-missions")
        service.name = "Missions renommées"
        service.save()
        # The writer's own copy is dropped at once: its transaction reads what it wrote...
        assert reference.services.get()["prospecting-missions"].name == "Missions renommées"
        # ...while the other processes are told only once it commits.
        assert shared_token(reference.SERVICE_TABLE) == token
    assert callbacks
    for callback in callbacks:
        callback()
    assert shared_token(reference.SERVICE_TABLE) not in (None, token)


def test_a_filiere_gaining_a_division_reloads_the_sector_expansions(
    django_capture_on_commit_callbacks,
):
    assert "agroalimentaire" not in reference.sectors.get().expansions["62"]
    token = shared_token(reference.SECTOR_TABLE)
    with django_capture_on_commit_callbacks(execute=True):
        Sector.objects.get(code="agroalimentaire").naf_divisions.add(Sector.objects.get(code="62"))
    assert "agroalimentaire" in reference.sectors.get().expansions["62"]
    assert shared_token(reference.SECTOR_TABLE) != token


def test_a_renamed_country_and_the_territory_loader_move_the_countries_token(
    django_capture_on_commit_callbacks,
):
    morocco = Territory.objects.get(level="country", code="MA")
    official = morocco.name
    assert reference.countries.get()["MA"].name == official
    token = shared_token(reference.TERRITORY_TABLE)
    with django_capture_on_commit_callbacks(execute=True):
        morocco.name = "Royaume du Maroc"
        morocco.save()
    assert reference.countries.get()["MA"].name == "Royaume du Maroc"
    renamed = shared_token(reference.TERRITORY_TABLE)
    assert renamed != token
    # The loader writes in bulk (no signal): it moves the token itself when it changed rows.
    with django_capture_on_commit_callbacks(execute=True):
        report = load_vendored_reference(departements=["34"])
    assert report.changed
    assert reference.countries.get()["MA"].name == official
    assert shared_token(reference.TERRITORY_TABLE) != renamed


def test_migrate_moves_every_token():
    reference_cache.check_again()
    reference.services.get()
    tokens = reference_cache.checked_tokens()
    # Data migrations write through historical models, which reach no receiver.
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    for table in (reference.SERVICE_TABLE, reference.SECTOR_TABLE, reference.TERRITORY_TABLE):
        assert shared_token(table) not in (None, tokens[table])


def test_a_lost_token_is_replaced_by_a_new_one_and_the_copies_reload(django_assert_num_queries):
    before = reference.services.get()
    token = shared_token(reference.SERVICE_TABLE)
    # Evicted, or a Redis restarted empty: a counter could restart at a value a copy holds.
    caches[CACHE_ALIAS].delete(version_key(reference.SERVICE_TABLE))
    reference_cache.check_again()
    with django_assert_num_queries(1):
        assert reference.services.get() is not before
    assert shared_token(reference.SERVICE_TABLE) not in (None, token)


@override_settings(REFERENCE_CACHE_MAX_AGE_SECONDS=0)
def test_a_copy_older_than_the_maximum_age_is_reloaded(django_assert_num_queries):
    before = reference.services.get()
    with django_assert_num_queries(1):
        assert reference.services.get() is not before


def test_a_shared_cache_that_does_not_answer_never_fails_a_lookup(
    settings, caplog, django_capture_on_commit_callbacks
):
    # A Redis on a local port that refuses connections (bound, never listening).
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
        unreachable = {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "unreachable:reference",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        settings.CACHES = {**settings.CACHES, CACHE_ALIAS: unreachable}
        reference_cache.check_again()
        with caplog.at_level(logging.WARNING, logger="core.reference_cache"):
            assert "prospecting-missions" in reference.services.get()
            service = Service.objects.get(code="prospecting-missions")
            service.name = "Missions renommées"
            with django_capture_on_commit_callbacks(execute=True):
                service.save()  # the token is published in process memory: the write stands
            assert reference.services.get()["prospecting-missions"].name == "Missions renommées"
        # core.cache answers from process memory while Redis is down (one warning per outage):
        # the tokens live there meanwhile, so this process still sees its own write at once.
        messages = [record.getMessage() for record in caplog.records]
        assert any("Redis cache unreachable:reference" in m for m in messages), messages


class _Rollback(Exception):
    pass


def test_a_copy_loaded_by_a_rolled_back_transaction_serves_no_later_one():
    """A copy loaded after its transaction wrote holds uncommitted rows: once that transaction
    (here a savepoint of the test's) is rolled back, the next one reloads, even though no read
    happened outside a transaction in between."""
    with pytest.raises(_Rollback), transaction.atomic():
        service = Service.objects.get(code="prospecting-missions")
        service.name = "Missions annulées"
        service.save()
        assert reference.services.get()["prospecting-missions"].name == "Missions annulées"
        raise _Rollback
    with transaction.atomic():
        assert reference.services.get()["prospecting-missions"].name != "Missions annulées"


def test_a_provisional_copy_serves_its_own_transaction_without_reloading(
    django_assert_num_queries,
):
    with transaction.atomic():
        service = Service.objects.get(code="prospecting-missions")
        service.name = "Missions du moment"
        service.save()
        with django_assert_num_queries(1):
            services = reference.services.get()
        # A savepoint opened later keeps it.
        with transaction.atomic(), django_assert_num_queries(0):
            assert reference.services.get() is services
        reference_cache.check_again()
        with django_assert_num_queries(0):
            assert reference.services.get() is services
