"""Parts of the public pages that cost the same on every request, built once per version of the
catalogues and per language.

The search form's lists (≈250 countries, ≈120 sectors, the services) rendered through Django's
per-option widget templates took most of the home page's time (profile in issue 14), and the
territory counts it shows took a query per request; both change a few times a year. Each is
built once per process for the *version tokens* of the services, sectors and territories that
``core.reference_cache`` keeps in the shared cache (Redis when configured): the writers of those
tables already move them after their commit, and a process checks them at most once per
``REFERENCE_CACHE_GRACE_SECONDS``, so every worker sees a change within that window with no
round trip of its own per page. An entry also expires after
``REFERENCE_CACHE_MAX_AGE_SECONDS``, as the reference copies do (the net for writes no signal
sees and for processes that share no cache).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import get_language

from core import reference_cache
from structures.relay.reference import SECTOR_TABLE, SERVICE_TABLE, TERRITORY_TABLE

T = TypeVar("T")

TABLES = (SERVICE_TABLE, SECTOR_TABLE, TERRITORY_TABLE)
# Entries of superseded versions are dropped once the memo holds more than this.
MAX_ENTRIES = 64

_lock = threading.Lock()
_memo: dict[tuple[str, str, tuple[str | None, ...]], tuple[float, Any]] = {}
# Fragments that depend on no data at all (``fragment``): bounded by the pages and languages.
MAX_FRAGMENTS = 512
_fragments: dict[tuple, str] = {}


def catalogues_version() -> tuple[str | None, ...]:
    """The catalogues' current version: their tables' tokens."""
    tokens = reference_cache.checked_tokens()
    return tuple(tokens.get(table) for table in TABLES)


def cached(kind: str, build: Callable[[], T]) -> T:
    """``build()``, computed once per (kind, language, catalogues version) in this process.
    The value is shared between requests: never modify it."""
    if reference_cache.written_in_transaction(TABLES):
        # Built from rows this transaction has not committed: for this request only.
        return build()
    # The version is read before building: a change committed meanwhile moves it again and the
    # next request rebuilds (never new tokens over old rows).
    key = (kind, get_language() or "", catalogues_version())
    now = time.monotonic()
    entry = _memo.get(key)
    if entry is not None and now - entry[0] <= settings.REFERENCE_CACHE_MAX_AGE_SECONDS:
        return entry[1]
    value = build()
    with _lock:
        if len(_memo) >= MAX_ENTRIES:
            _memo.clear()
        _memo[key] = (now, value)
    return value


def fragment(key: tuple, build: Callable[[], str]) -> str:
    """``build()``, computed once per ``key`` and language in this process: for markup made
    only of the code's own links and words (a page's header), which no write changes."""
    full_key = (get_language() or "", *key)
    value = _fragments.get(full_key)
    if value is None:
        value = build()
        with _lock:
            if len(_fragments) >= MAX_FRAGMENTS:
                _fragments.clear()
            _fragments[full_key] = value
    return value


def clear() -> None:
    """Forget this process's entries (tests)."""
    with _lock:
        _memo.clear()
        _fragments.clear()
