"""Redis down is no 500: every cache user goes on with process memory (core.cache).

The caches point at a port where nothing listens (``redis://127.0.0.1:1/0``: connection
refused), as a Redis that crashed or restarts; no Redis is needed to run these tests."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from core.cache import RETRY_AFTER_SECONDS, PrefixedRedisCache

DOWN = "redis://127.0.0.1:1/0"


def down_caches(prefix: str = "outage") -> dict:
    return {
        alias: {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": DOWN,
            "KEY_PREFIX": f"{prefix}:{alias}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        for alias in ("default", "sirene", "coverage")
    }


@pytest.fixture
def redis_down():
    # A prefix of its own: the memory stores (one per prefix and process) start empty.
    with override_settings(CACHES=down_caches(f"outage-{uuid.uuid4().hex[:8]}")):
        yield


@pytest.mark.django_db
def test_a_throttled_api_request_passes_and_still_counts_in_memory(redis_down, monkeypatch, caplog):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    api = APIClient()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        codes = [api.get("/api/v1/services/").status_code for _ in range(4)]
    # Not a 500: the throttle went on counting in this process's memory.
    assert codes == [200, 200, 200, 429]
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1  # once per outage, not once per request
    assert "unavailable" in warnings[0].getMessage()


def test_after_a_failure_redis_is_not_asked_again_for_a_while():
    broken = PrefixedRedisCache(DOWN, {"KEY_PREFIX": "outage-wait"})
    broken.clear()
    broken.set("k", 1)  # fails, goes to memory, opens the pause
    start = time.monotonic()
    for _ in range(50):
        assert broken.get("k") == 1
    # 50 reads from memory: no connection attempt (each costs 0.2 s or more).
    assert time.monotonic() - start < 0.5
    assert broken._down_until - time.monotonic() <= RETRY_AFTER_SECONDS


def test_each_operation_degrades():
    broken = PrefixedRedisCache(DOWN, {"KEY_PREFIX": "outage-ops"})
    broken.clear()
    assert broken.add("a", 1) is True
    assert broken.add("a", 2) is False
    assert broken.incr("a") == 2
    with pytest.raises(ValueError):
        broken.incr("missing")  # Django's contract, as with Redis
    broken.set_many({"b": 1, "c": 2})
    assert broken.get_many(["a", "b", "c", "d"]) == {"a": 2, "b": 1, "c": 2}
    assert broken.has_key("b")
    assert broken.touch("b", 60)
    broken.delete_many(["b"])
    assert broken.delete("c")
    assert broken.get("b") is None
    assert broken.get_or_set("e", 5) == 5
    broken.clear()
    assert broken.get("a") is None


def test_two_prefixes_keep_their_memory_apart():
    one = PrefixedRedisCache(DOWN, {"KEY_PREFIX": "outage-one"})
    two = PrefixedRedisCache(DOWN, {"KEY_PREFIX": "outage-two"})
    one.set("k", 1)
    two.set("k", 2)
    assert (one.get("k"), two.get("k")) == (1, 2)
    one.clear()
    assert (one.get("k"), two.get("k")) == (None, 2)
    two.clear()


def test_the_mail_task_sends_and_a_second_delivery_is_still_a_no_op(redis_down):
    from core.tasks import send_email

    kwargs = {"subject": "Objet", "body": "Texte", "recipients": ["a@example.org"], "key": "k1"}
    assert send_email.apply(kwargs=kwargs).get() is True
    assert send_email.apply(kwargs=kwargs).get() is False  # the mark lives in memory meanwhile
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_4d_medians_are_computed_and_reused(redis_down, territory):
    from insights.dimensions import _national_medians

    first = _national_medians("departement")
    assert cache.get("insights:medians:departement") == first
    assert _national_medians("departement") == first


@pytest.mark.django_db
@override_settings(CORRECTION_RATE_LIMIT=2, CORRECTION_RATE_WINDOW_SECONDS=3600)
def test_the_corrections_rate_limit_still_limits_within_the_process(redis_down, client):
    from tests.structures.factories import StructureFactory

    structure = StructureFactory()
    data = {
        "field": "phone",
        "message": "Ce numéro ne répond plus.",
        "proposed_value": "",
        "reporter_email": "",
        "homepage": "",
    }
    url = f"/structures/{structure.slug}/signaler/"
    codes = [client.post(url, data, REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)]
    assert codes == [302, 302, 429]


@pytest.mark.django_db
def test_a_coverage_report_is_computed_then_reused_from_memory(redis_down, monkeypatch):
    from insights import coverage as insights_coverage
    from tests.structures.factories import service, territory

    computed = []
    real = insights_coverage.coverage_by_service

    def counting(**kwargs):
        computed.append(kwargs["territory"].code)
        return real(**kwargs)

    monkeypatch.setattr(insights_coverage, "coverage_by_service", counting)
    herault, fairs = territory("departement", "34"), service("trade-fairs")
    first = insights_coverage.territory_coverage(territory=herault, service=fairs)
    again = insights_coverage.territory_coverage(territory=herault, service=fairs)
    assert computed == ["34"]
    assert again.places == first.places and again.stamp == first.stamp
