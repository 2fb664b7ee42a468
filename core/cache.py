"""Django's Redis cache, with a ``clear()`` that deletes only the cache's own keys."""

from __future__ import annotations

import re

from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

_GLOB_SPECIALS = re.compile(r"([\\*?\[\]])")


class PrefixedRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` whose ``clear()`` deletes the keys under
    its ``KEY_PREFIX`` instead of flushing the whole Redis database.

    Several caches share one Redis database (the throttles' and SIRENE's; in tests, several runs
    at once): Django's ``clear()`` would be a ``FLUSHDB``, wiping the others too. A prefix is
    therefore required.
    """

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        if not self.key_prefix:
            raise ImproperlyConfigured("PrefixedRedisCache demande un KEY_PREFIX non vide.")

    def clear(self) -> bool:
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
