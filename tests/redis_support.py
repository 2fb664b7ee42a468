"""Tests that need a real Redis: at ``REDIS_URL`` (CI sets it, ``.ci/run``), else the usual local
port. Absent: skipped with the reason; configured but not answering: a failure, never a skip."""

from __future__ import annotations

import os

import pytest

LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url() -> str:
    """The Redis to test against, or a skip saying why there is none."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        if not _answers(configured):
            pytest.fail(f"REDIS_URL={configured} est configuré mais Redis ne répond pas.")
        return configured
    if not _answers(LOCAL_REDIS):
        pytest.skip(
            "Redis absent : ni REDIS_URL ni 127.0.0.1:6379 ne répond "
            "(démarrer redis-server ou définir REDIS_URL ; la CI le fait)."
        )
    return LOCAL_REDIS


def delete_prefix(url: str, prefix: str) -> int:
    """Delete every key under ``prefix`` (a test's own keys)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    return client.delete(*keys) if keys else 0
