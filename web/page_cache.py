"""Parts of the public pages that cost the same on every request, built once per version of the
catalogues and per language.

The search form's lists (≈250 countries, ≈120 sectors, the services) rendered through Django's
per-option widget templates took most of the home page's time (profile in issue 14), and the
territory counts it shows took a query per request; both change a few times a year. Each is
built once per process for a given *catalogues version*, a token kept in the shared cache
(Redis when configured, so every worker sees a change at once) and replaced after the commit of
any change to services, sectors or the territory reference (``web.signals``). An entry also
expires after ``TTL`` seconds, so a process whose cache is not shared (LocMemCache) still
catches up with a change made in another one.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

T = TypeVar("T")

VERSION_KEY = "web:catalogues-version"
TTL = 300.0
# Entries of superseded versions are dropped once the memo holds more than this.
MAX_ENTRIES = 64

_lock = threading.Lock()
_memo: dict[tuple[str, str, str], tuple[float, Any]] = {}


def catalogues_version() -> str:
    """The current version token (drawn on first use, or when the cache lost it)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or ""
    return version


def catalogues_changed() -> None:
    """A new version token at once (the writer's next page shows the change, even before its
    transaction commits) and again after the commit: a page another process built between the
    write and the commit, from the old data, would otherwise be kept under the new token."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def cached(kind: str, build: Callable[[], T]) -> T:
    """``build()``, computed once per (kind, language, catalogues version) in this process.
    The value is shared between requests: never modify it."""
    key = (kind, get_language() or "", catalogues_version())
    now = time.monotonic()
    entry = _memo.get(key)
    if entry is not None and now - entry[0] <= TTL:
        return entry[1]
    value = build()
    with _lock:
        if len(_memo) >= MAX_ENTRIES:
            _memo.clear()
        _memo[key] = (now, value)
    return value


def clear() -> None:
    """Forget this process's entries (tests)."""
    with _lock:
        _memo.clear()
