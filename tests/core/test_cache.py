"""The caches: Redis when REDIS_URL is set (shared by every worker), process memory otherwise;
clearing one Redis cache deletes its own keys only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from core.cache import PrefixedRedisCache
from tests.redis_support import delete_prefix, redis_url


def caches_with(env: dict[str, str | None]) -> dict:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "registry.settings"}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    code = "import json; from django.conf import settings; print(json.dumps(settings.CACHES))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_redis_url_the_caches_are_in_process_memory():
    # `make run` needs no Redis.
    caches = caches_with({"REDIS_URL": None})
    assert {c["BACKEND"] for c in caches.values()} == {
        "django.core.cache.backends.locmem.LocMemCache"
    }


def test_with_redis_url_default_and_sirene_caches_are_in_redis():
    caches = caches_with({"REDIS_URL": "redis://cache:6379/2", "CACHE_KEY_PREFIX": "registre"})
    assert caches["default"]["BACKEND"] == "core.cache.PrefixedRedisCache"
    assert caches["sirene"]["BACKEND"] == "core.cache.PrefixedRedisCache"
    assert issubclass(PrefixedRedisCache, RedisCache)  # Django's own backend
    assert caches["default"]["LOCATION"] == caches["sirene"]["LOCATION"] == "redis://cache:6379/2"
    assert caches["default"]["KEY_PREFIX"] == "registre:default"
    assert caches["sirene"]["KEY_PREFIX"] == "registre:sirene"
    assert caches["sirene"]["TIMEOUT"] == settings.SIRENE_CACHE_SECONDS
    # The reference tables' versions: shared, and kept until a write replaces them.
    assert caches["reference"]["BACKEND"] == "core.cache.PrefixedRedisCache"
    assert caches["reference"]["KEY_PREFIX"] == "registre:reference"
    assert caches["reference"]["TIMEOUT"] is None


@pytest.mark.redis
def test_clearing_one_redis_cache_keeps_the_others_keys():
    url = redis_url()
    run = f"test-cache-{uuid.uuid4().hex[:12]}"
    throttles = PrefixedRedisCache(url, {"KEY_PREFIX": f"{run}:default"})
    sirene = PrefixedRedisCache(url, {"KEY_PREFIX": f"{run}:sirene"})
    odd = PrefixedRedisCache(url, {"KEY_PREFIX": f"{run}:a*b"})
    lookalike = PrefixedRedisCache(url, {"KEY_PREFIX": f"{run}:aXb"})
    try:
        throttles.set("throttle_anon_127.0.0.1", [1.0, 2.0])
        sirene.set("12345678900011", {"found": True})
        odd.set("k", 1)
        lookalike.set("k", 2)
        assert throttles.get("throttle_anon_127.0.0.1") == [1.0, 2.0]

        throttles.clear()
        assert throttles.get("throttle_anon_127.0.0.1") is None
        assert sirene.get("12345678900011") == {"found": True}
        # Glob characters in a prefix are literal: clearing "a*b" leaves "a*b" only.
        odd.clear()
        assert odd.get("k") is None
        assert lookalike.get("k") == 2
    finally:
        delete_prefix(url, run)


def test_a_redis_cache_needs_a_prefix():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        PrefixedRedisCache("redis://127.0.0.1:6379/0", {})
