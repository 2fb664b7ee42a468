"""Process-local caches of small reference tables read on every relay lookup.

Services (18 rows), countries (≈250) and sectors (≈120) change a few times a year, yet each
lookup needs them: compiling an ORM query for them costs more than the whole nearest-neighbour
search (see structures/relay/bench.py). Each cache reloads its whole table at most every
``ttl`` seconds, and at once in the process that saved a change (signals call ``clear``);
other processes see a change within ``ttl``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from core.db_router import primary_reads

T = TypeVar("T")


class ReferenceCache(Generic[T]):
    def __init__(self, loader: Callable[[], T], *, ttl: float = 300.0) -> None:
        self._loader = loader
        self._ttl = ttl
        self._value: T | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> T:
        value, loaded_at = self._value, self._loaded_at
        if value is None or time.monotonic() - loaded_at > self._ttl:
            # From the primary, even in a replica-routed request: a table read from a lagging
            # replica would be kept for the whole TTL.
            with self._lock, primary_reads():
                value = self._loader()
                self._value, self._loaded_at = value, time.monotonic()
        return value

    def clear(self) -> None:
        with self._lock:
            self._value = None
