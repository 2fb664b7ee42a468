"""Django's Redis cache, with a ``clear()`` that deletes only the cache's own keys, and that
degrades to process memory while Redis does not answer.

Every user of the caches — the API throttles, the corrections' rate limit, the mail task's
"already sent" marks, SIRENE answers, coverage reports, the 4 D medians — treats them as an
optimisation or a best-effort counter: none must turn a Redis outage into a 500. While Redis
is unreachable, each operation goes to a process-local memory cache instead (the throttles
then count per process, the reports are reused within the process), with a warning in the log.
"""

from __future__ import annotations

import logging
import re
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_GLOB_SPECIALS = re.compile(r"([\\*?\[\]])")
# Redis not answering: refused, reset, timed out. Other Redis errors (a wrong type, a script
# error) are bugs, and raise.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
# Once Redis has failed, the next attempt waits this long: each failed operation costs from
# 0.2 s (connection refused, with redis-py's retries) to several seconds (a host that does not
# answer, ``socket_connect_timeout`` per retry), which every request would otherwise pay.
RETRY_AFTER_SECONDS = 10.0


class PrefixedRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` whose ``clear()`` deletes the keys under
    its ``KEY_PREFIX`` instead of flushing the whole Redis database, and which falls back on
    process memory while Redis does not answer.

    Several caches share one Redis database (the throttles' and SIRENE's; in tests, several runs
    at once): Django's ``clear()`` would be a ``FLUSHDB``, wiping the others too. A prefix is
    therefore required.
    """

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        if not self.key_prefix:
            raise ImproperlyConfigured("PrefixedRedisCache demande un KEY_PREFIX non vide.")
        # One memory store per prefix and process (LocMemCache shares it by name across
        # threads), with the cache's own timeout; keys keep their prefix, so that two aliases
        # never mix.
        self._fallback = LocMemCache(
            f"redis-fallback:{self.key_prefix}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": self.key_prefix},
        )
        self._down_until = 0.0
        self._degraded = False

    def _redis_clear(self) -> bool:
        client = self._cache.get_client(write=True)
        # Keys are "<prefix>:<version>:<key>" (Django's default KEY_FUNCTION).
        pattern = _GLOB_SPECIALS.sub(r"\\\1", self.key_prefix) + ":*"
        batch: list[bytes] = []
        deleted = 0
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                deleted += client.delete(*batch)
                batch.clear()
        if batch:
            deleted += client.delete(*batch)
        return bool(deleted)

    def _call(self, name: str, redis_call, *args, **kwargs):
        """``redis_call(*args, **kwargs)``, or the memory cache's ``name`` while Redis does not
        answer (and for ``RETRY_AFTER_SECONDS`` after it last failed)."""
        if time.monotonic() >= self._down_until:
            try:
                result = redis_call(*args, **kwargs)
            except UNAVAILABLE as error:
                self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
                if not self._degraded:
                    self._degraded = True
                    logger.warning(
                        "Redis cache %s unavailable (%s): process memory instead, retried "
                        "every %d s",
                        self.key_prefix,
                        error,
                        RETRY_AFTER_SECONDS,
                    )
            else:
                if self._degraded:
                    self._degraded = False
                    logger.warning("Redis cache %s answers again", self.key_prefix)
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    # Every public operation of Django's backend; the others (get_or_set, decr, *_many helpers
    # of BaseCache) are built on these.
    def add(self, key, *args, **kwargs):
        return self._call("add", super().add, key, *args, **kwargs)

    def get(self, key, *args, **kwargs):
        return self._call("get", super().get, key, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        return self._call("set", super().set, key, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        return self._call("touch", super().touch, key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        return self._call("delete", super().delete, key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        return self._call("get_many", super().get_many, keys, *args, **kwargs)

    def has_key(self, key, *args, **kwargs):
        return self._call("has_key", super().has_key, key, *args, **kwargs)

    def incr(self, key, *args, **kwargs):
        return self._call("incr", super().incr, key, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        return self._call("set_many", super().set_many, data, *args, **kwargs)

    def delete_many(self, keys, *args, **kwargs):
        return self._call("delete_many", super().delete_many, keys, *args, **kwargs)

    def clear(self) -> bool:
        # The memory store too: a clear must not leave values from an outage to reappear.
        self._fallback.clear()
        return self._call("clear", self._redis_clear)
