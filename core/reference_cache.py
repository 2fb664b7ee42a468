"""Per-process copies of small reference tables, validated against versions in the shared cache.

Services (18 rows), countries (≈250) and sectors (≈120) change a few times a year, yet each
relay lookup needs them: compiling an ORM query for them costs more than the whole
nearest-neighbour search (see structures/relay/bench.py). So each process keeps a copy of each
table in memory, and the shared cache (``caches["reference"]``: Redis when ``REDIS_URL`` is set)
holds one *version token* per source table (``"structures.service"``, ``"territories.territory"``…):

- **a write changes the token** (``mark_changed``, from the signal receivers of the tables'
  models, the territory loader and ``migrate``). It drops the writer's own copies at once, so
  the writing transaction reads what it wrote, and draws the new tokens once the transaction
  commits (``on_commit``): another worker that reloaded earlier would read the old rows and keep
  them under the new token.
- **a read checks the tokens** (one ``get_many`` for every table: one round trip to Redis) at
  most once per ``REFERENCE_CACHE_GRACE_SECONDS`` (1 s by default) in each process, and reloads a
  copy whose tables' tokens moved. Every worker thus sees a committed change within that second,
  without a TTL, and a lookup pays no round trip of its own: at a few hundred lookups per second
  and per worker, one check per request would cost each lookup a round trip (0.35 to 0.4 ms
  measured by ``bench_relay`` on an idle machine, beside a lookup p50 of about 1.6 ms; several
  ms on a saturated one, where the wait for the CPU dominates) for a change that comes a few
  times a year. A grace of 0 checks on every read.

Tokens are random, not counters: a token lost by the cache (eviction, a restarted Redis without
persistence, ``clear()``) is replaced by a new random one on the next check (``add``), which can
never equal the one a copy was loaded under, so every copy reloads; a counter restarting at 1
could come back to a value some copy still holds.

A copy is also reloaded after ``REFERENCE_CACHE_MAX_AGE_SECONDS`` (5 minutes) whatever the
tokens: the safety net for what no token covers, namely a write the ORM did not see (raw SQL), a
shared cache that does not answer (the check then logs a warning and trusts the copies), and
several processes without Redis (process memory is not shared: only the writer's own process
sees a change at once).

A copy loaded by a transaction that has written one of its tables holds rows that are not
committed yet (it is *provisional*): it serves that transaction only while it stays open (a marker
among the transaction's commit callbacks, which the connection drops when the transaction ends or
the savepoint that loaded it rolls back), and is reloaded by the next transaction, whether it
committed or rolled back, even one that begins before any read outside a transaction.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

from core.db_router import primary_reads

logger = logging.getLogger(__name__)

T = TypeVar("T")

CACHE_ALIAS = "reference"


def version_key(table: str) -> str:
    return f"version:{table}"


@dataclass(frozen=True)
class _Copy(Generic[T]):
    value: T
    tokens: tuple[str | None, ...]  # the tables' tokens seen before loading
    loaded_at: float
    # Loaded by a transaction that wrote one of its tables: the marker that transaction holds
    # among its commit callbacks (``_Provisional``), else None.
    provisional: _Provisional | None


class _Provisional:
    """Registered as a commit callback of the transaction that loaded a provisional copy. The
    connection drops its callbacks when that transaction ends, committed or rolled back, and
    when a savepoint opened after the registration rolls back: while the marker is among them,
    the copy's rows are that transaction's own view."""

    __slots__ = ()

    def __call__(self) -> None:
        return None

    def pending(self) -> bool:
        return any(entry[1] is self for entry in connection.run_on_commit)


@dataclass(frozen=True)
class _Check:
    at: float  # time.monotonic() of the check; -inf: check again on the next read
    tokens: dict[str, str | None]


_caches: weakref.WeakSet[ReferenceCache] = weakref.WeakSet()
_last_check = _Check(at=float("-inf"), tokens={})
_check_lock = threading.Lock()
# Tables written by this thread's open transaction (Django's connections are per thread too).
_writes = threading.local()


class ReferenceCache(Generic[T]):
    """This process's copy of what ``loader`` builds from ``tables`` (model labels)."""

    def __init__(self, loader: Callable[[], T], *, tables: Iterable[str]) -> None:
        self._loader = loader
        self.tables = tuple(tables)
        self._copy: _Copy[T] | None = None
        self._lock = threading.Lock()
        _caches.add(self)

    def get(self) -> T:
        tokens = self._tokens()
        copy = self._copy
        if copy is not None and self._valid(copy, tokens):
            return copy.value
        with self._lock:
            copy = self._copy
            if copy is not None and self._valid(copy, tokens):
                return copy.value
            # Tokens read before loading: a change committed meanwhile moves them again, and the
            # next check reloads (never the other way round, old rows under a new token).
            provisional = None
            if written_in_transaction(self.tables):
                provisional = _Provisional()
                transaction.on_commit(provisional)
            # From the primary, even in a replica-routed request: a copy read from a lagging
            # replica would be kept until the next version change.
            with primary_reads():
                value = self._loader()
            self._copy = _Copy(value, tokens, time.monotonic(), provisional)
            return value

    def clear(self) -> None:
        """Drop this process's copy (the next ``get`` reloads it)."""
        self._copy = None

    def _tokens(self) -> tuple[str | None, ...]:
        current = checked_tokens()
        return tuple(current.get(table) for table in self.tables)

    @staticmethod
    def _valid(copy: _Copy[T], tokens: tuple[str | None, ...]) -> bool:
        if copy.provisional is not None:
            # Only within the transaction that loaded it: one that began since (even before
            # any read outside a transaction could clear the written tables) must reload.
            return connection.in_atomic_block and copy.provisional.pending()
        return (
            copy.tokens == tokens
            and time.monotonic() - copy.loaded_at < settings.REFERENCE_CACHE_MAX_AGE_SECONDS
        )


def _all_tables() -> list[str]:
    return sorted({table for cache in list(_caches) for table in cache.tables})


def _written_tables() -> set[str]:
    if not hasattr(_writes, "tables"):
        _writes.tables = set()
    return _writes.tables


def written_in_transaction(tables: Iterable[str]) -> bool:
    """Whether this thread's open transaction wrote one of ``tables``: what it reads of them is
    not committed yet, so nothing built from them may be kept for other requests."""
    return connection.in_atomic_block and bool(_written_tables().intersection(tables))


def checked_tokens() -> dict[str, str | None]:
    """The tables' tokens, read from the shared cache unless read within the grace window."""
    global _last_check
    check = _last_check
    now = time.monotonic()
    if now - check.at < settings.REFERENCE_CACHE_GRACE_SECONDS:
        return check.tokens
    if not connection.in_atomic_block:
        # No transaction open on this thread: whatever it wrote is committed (and published) or
        # rolled back.
        _written_tables().clear()
    with _check_lock:
        check = _last_check
        if now - check.at < settings.REFERENCE_CACHE_GRACE_SECONDS:
            return check.tokens
        tokens = _read_tokens(_all_tables(), previous=check.tokens)
        _last_check = _Check(at=time.monotonic(), tokens=tokens)
        return tokens


def _read_tokens(tables: list[str], *, previous: dict[str, str | None]) -> dict[str, str | None]:
    cache = caches[CACHE_ALIAS]
    keys = {version_key(table): table for table in tables}
    try:
        found = cache.get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            # Lost or never written: a new random token (``add``: a concurrent one wins).
            for key in missing:
                cache.add(key, _new_token(), timeout=None)
            found.update(cache.get_many(missing))
    except Exception:
        # The shared cache does not answer: keep the copies (they still expire after the
        # maximum age) rather than fail every lookup; checked again after the grace window.
        logger.warning("Cache partagé injoignable : versions des référentiels non vérifiées.")
        return previous
    return {table: found.get(key) for key, table in keys.items()}


def check_again() -> None:
    """Read the tokens from the shared cache on the next ``get``, grace window or not."""
    global _last_check
    _last_check = _Check(at=float("-inf"), tokens=_last_check.tokens)


def mark_changed(*tables: str) -> None:
    """Tell every process that ``tables`` changed: this process's copies built from them are
    dropped now, and the tables' tokens change when the current transaction commits (at once
    outside a transaction)."""
    for cache in list(_caches):
        if set(cache.tables).intersection(tables):
            cache.clear()
    if connection.in_atomic_block:
        _written_tables().update(tables)
    # One callback per write (a loader writes hundreds of rows): the first one to run after the
    # commit publishes every table written, the others find nothing left to do.
    pending = _pending_tables()
    pending.update(tables)
    transaction.on_commit(_publish_pending, robust=True)


def _pending_tables() -> set[str]:
    if not hasattr(_writes, "pending"):
        _writes.pending = set()
    return _writes.pending


def _publish_pending() -> None:
    pending = _pending_tables()
    tables = sorted(pending)
    pending.clear()
    if tables:
        publish(tables)


def publish(tables: Iterable[str]) -> None:
    """Draw new tokens for ``tables`` in the shared cache and drop this process's copies of
    them (no transaction involved: ``mark_changed`` is what writers call)."""
    tables = set(tables)
    for cache in list(_caches):
        if tables.intersection(cache.tables):
            cache.clear()
    try:
        caches[CACHE_ALIAS].set_many(
            {version_key(table): _new_token() for table in tables}, timeout=None
        )
    except Exception:
        logger.warning(
            "Cache partagé injoignable : les autres processus verront le changement de %s "
            "dans %s s au plus.",
            ", ".join(sorted(tables)),
            settings.REFERENCE_CACHE_MAX_AGE_SECONDS,
        )
    check_again()


def publish_all() -> None:
    """New tokens for every table a reference cache reads (after ``migrate``, whose data
    migrations write through historical models, which send no signal to the receivers)."""
    publish(_all_tables())


def clear_all() -> None:
    """Drop every copy held by this process (tests: a rolled-back test's rows must not leak)."""
    for cache in list(_caches):
        cache.clear()
    _written_tables().clear()
    _pending_tables().clear()
    check_again()


def loaded_copies() -> dict[ReferenceCache, _Copy]:
    """This process's copies as they are now, to ``restore`` after ``clear_all`` (tests: the
    copies loaded from the committed reference before any test are valid in every test that
    starts from it, and the largest cost tens of milliseconds to load again)."""
    return {cache: cache._copy for cache in list(_caches) if cache._copy is not None}


def restore(copies: dict[ReferenceCache, _Copy]) -> None:
    """Put back the copies ``loaded_copies`` returned whose tables' tokens have not moved since
    they were loaded (a committed change publishes new ones), as if loaded now."""
    for cache, copy in copies.items():
        if copy.provisional is None and copy.tokens == cache._tokens():
            cache._copy = dataclasses.replace(copy, loaded_at=time.monotonic())


def _new_token() -> str:
    return uuid.uuid4().hex
