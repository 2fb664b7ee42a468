"""Anonymous reads on PostgreSQL read replicas; everything else on the primary.

``DATABASE_REPLICA_URLS`` (settings) adds one alias per streaming replica (``replica_0``…) and
installs :class:`PrimaryReplicaRouter`. The router sends a read to a replica only inside a request
that :class:`ReplicaReadsMiddleware` has judged safe to serve from slightly old data:

- a GET or HEAD (or OPTIONS), without an ``Authorization`` header (API tokens are staff),
- from a visitor who is not logged in (staff read what they have just edited),
- who has not written in the last ``DATABASE_READ_YOUR_WRITES_SECONDS`` (a signed cookie set on
  the response of any request that wrote, or that used an unsafe method: read-your-writes, so
  that "thank you" pages and the listing a visitor just confirmed are read back from the primary
  while the replica catches up).

Everything else — writes, staff, Celery tasks, management commands, anything outside a request —
reads and writes the primary (``default``). Within a routed request, a read still goes to the
primary once the request has written, inside a transaction of the primary, for the session and
login-lockout tables, and for objects related to an instance read from the primary.

A replica that refuses connections is set aside for ``DATABASE_REPLICA_RETRY_SECONDS`` (per
process) and the request is served by another replica or the primary. See docs/scaling.md.
"""

from __future__ import annotations

import logging
import random
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The read-your-writes mark: a signed cookie (its timestamp is checked, so an old one copied by
# hand buys nothing beyond its window; a forged one could only send its sender to the primary).
PRIMARY_COOKIE = "registry_primary"
_COOKIE_SALT = "core.db_router.read-your-writes"
# Tables read on every request by the machinery itself and written by it just before: a session
# or a lockout counter read from a lagging replica would log a user out or lose a failure.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})


@dataclass
class _RequestReads:
    replica: str | None
    # The primary's connection of this thread, looked up once per request (the connection
    # handler's thread-local lookup is most of a routed read's cost).
    primary: BaseDatabaseWrapper | None = None
    wrote: bool = False


_request_reads: ContextVar[_RequestReads | None] = ContextVar("request_reads", default=None)
# Replica alias → time.monotonic() before which it is not tried again (this process only).
_set_aside_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_READ_REPLICAS", ()))


def _in_application_transaction(connection: BaseDatabaseWrapper) -> bool:
    """Whether the code runs inside an ``atomic()`` block of ``connection``. The test runner's
    own outer transactions (Django's ``TestCase``) are marked ``_from_testcase`` and do not count,
    as in Django's own ``durable`` check: with them counted, no test could see a replica read."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class PrimaryReplicaRouter:
    """Reads on the replica chosen for the request, if any; writes and migrations on ``default``."""

    def db_for_read(self, model, **hints):
        reads = _request_reads.get()
        if reads is None or reads.replica is None:
            return None  # Django's default: the instance's database, else the primary
        if (
            reads.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or _in_application_transaction(reads.primary)
        ):
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            # Related objects come from where their instance came from (Django's own default).
            return instance._state.db
        return reads.replica

    def db_for_write(self, model, **hints):
        reads = _request_reads.get()
        if reads is not None:
            # An intent to write (get_or_create and select_for_update included): the rest of the
            # request, and the writer's next requests, read the primary.
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's data: an object read from one may point to another's.
        same_data = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A streaming replica is read-only: its schema arrives with the primary's WAL.
        if db in replica_aliases():
            return False
        return None


def _usable(alias: str) -> bool:
    """Connect to ``alias`` (or check the persistent connection: the health check Django would
    run at the request's first query anyway) and say whether it answers."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        connection.close()
        retry = settings.DATABASE_REPLICA_RETRY_SECONDS
        _set_aside_until[alias] = time.monotonic() + retry
        logger.warning(
            "Read replica %s unreachable (%s): reads go elsewhere for %s s.", alias, error, retry
        )
        return False
    return True


def choose_replica(candidates: list[str]) -> str | None:
    """A replica that answers, taken at random among those not set aside; None: the primary."""
    now = time.monotonic()
    available = [alias for alias in candidates if _set_aside_until.get(alias, 0.0) <= now]
    random.shuffle(available)
    for alias in available:
        if _usable(alias):
            _set_aside_until.pop(alias, None)
            return alias
    return None


def _may_read_replica(request) -> bool:
    if request.method not in SAFE_METHODS or "HTTP_AUTHORIZATION" in request.META:
        return False
    window = settings.DATABASE_READ_YOUR_WRITES_SECONDS
    if window and request.get_signed_cookie(
        PRIMARY_COOKIE, default=None, salt=_COOKIE_SALT, max_age=window
    ):
        return False
    user = getattr(request, "user", None)
    # Reading request.user loads the session, from the primary (the routing is not on yet).
    return not (user is not None and user.is_authenticated)


class ReplicaReadsMiddleware:
    """Chooses, per request, between a replica and the primary for reads (see the module).

    Comes after ``AuthenticationMiddleware`` (it asks whether the visitor is logged in). Without
    replicas configured it only calls the next layer.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        candidates = replica_aliases()
        if not candidates:
            return self.get_response(request)
        replica = choose_replica(candidates) if _may_read_replica(request) else None
        reads = _RequestReads(replica=replica, primary=connections[DEFAULT_DB_ALIAS])
        token = _request_reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _request_reads.reset(token)
        window = settings.DATABASE_READ_YOUR_WRITES_SECONDS
        if window and (reads.wrote or request.method not in SAFE_METHODS):
            response.set_signed_cookie(
                PRIMARY_COOKIE,
                "1",
                salt=_COOKIE_SALT,
                max_age=window,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class primary_reads:
    """Within this block, reads go to the primary even in a replica-routed request: for values
    kept afterwards (process caches), which must not be taken from a lagging replica."""

    def __enter__(self) -> None:
        self._token = _request_reads.set(None)

    def __exit__(self, *exc_info) -> None:
        _request_reads.reset(self._token)


def read_connection(model) -> BaseDatabaseWrapper:
    """The connection the router chooses for reading ``model``'s table. Raw SQL (the relay
    engine's hot path) goes through ``connection.cursor()``, which no router ever sees: it asks
    here, so that its reads follow the same rule as the ORM's."""
    return connections[router.db_for_read(model)]
