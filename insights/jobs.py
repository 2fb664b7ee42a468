"""Coverage reports computed off the request, once the listing change that made them out of date
has committed.

``structures`` announces every change of its relay index (``relay_index_changed``, with the
services whose rows were written or deleted); the receiver here collects the services of one
transaction and, when it commits, queues one ``insights.tasks.precompute_coverage`` for them:

- **one job per transaction**: a 500-row import, a structure page saving its offers, coverage
  and markets, touch the index hundreds of times; the services gather in one callback;
- **one job pending per service across transactions**: a service already queued and not yet
  started (its mark in the coverage cache, ``pending_key``) is not queued again; the job starts
  ``COVERAGE_PRECOMPUTE_DELAY_SECONDS`` after it is queued, so that a burst of saves is
  computed once;
- **nothing on rollback**: the callback goes with the transaction (or savepoint) that
  registered it.

The job runs on the worker, never in the request: without one (eager mode: ``make run``
without Redis, the tests) nothing is queued unless ``COVERAGE_PRECOMPUTE`` is ``always`` — it
would hold the save that triggered it for as long as the reports take (about 18 s for one
service on the demo set), when the page computes the one report it shows in a fraction of
that. A queue that does not answer costs one warning: the next reader computes, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from kombu.exceptions import OperationalError

from insights.tasks import pending_key, precompute_coverage

logger = logging.getLogger(__name__)

# A mark outlives a lost job (a worker that died before taking it) by at most this long.
PENDING_SECONDS = 15 * 60


def precompute_enabled() -> bool:
    """Whether listing changes queue a precompute: with a worker (``queued``, the default), in
    any mode (``always``), or never."""
    mode = settings.COVERAGE_PRECOMPUTE
    if mode == "always":
        return True
    return mode == "queued" and not precompute_coverage.app.conf.task_always_eager


class _Batch:
    """The services touched by one transaction; called once, when it commits."""

    def __init__(self) -> None:
        self.service_ids: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        enqueue(service_ids=self.service_ids)


def relay_index_changed(sender, *, service_ids: frozenset[int], **kwargs) -> None:
    """Receiver of ``structures.relay.indexing.relay_index_changed``."""
    if not precompute_enabled():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        enqueue(service_ids=service_ids)  # committed already
        return
    # The batch of this transaction, if registered already: Django keeps the open
    # transaction's callbacks, and drops those of a savepoint rolled back.
    batch = next(
        (
            callback
            for _ids, callback, _robust in connection.run_on_commit
            if isinstance(callback, _Batch) and not callback.done
        ),
        None,
    )
    if batch is None:
        batch = _Batch()
        # robust: the change is committed; a failing queue is logged, never a 500.
        transaction.on_commit(batch, robust=True)
    batch.service_ids |= service_ids


def enqueue(*, service_ids: Iterable[int]) -> list[int]:
    """Queue one precompute for those of ``service_ids`` not pending already; returns them."""
    cache = caches["coverage"]
    fresh = [pk for pk in sorted(service_ids) if cache.add(pending_key(pk), True, PENDING_SECONDS)]
    if not fresh:
        return []
    try:
        # retry=False: the reports are computed on the next read anyway; a request does not
        # wait for a broker that does not answer.
        precompute_coverage.apply_async(
            kwargs={"service_ids": fresh},
            countdown=settings.COVERAGE_PRECOMPUTE_DELAY_SECONDS,
            retry=False,
        )
    except OperationalError as error:
        cache.delete_many([pending_key(pk) for pk in fresh])
        logger.warning(
            "Task queue unavailable (%s): coverage of services %s computed on the next read",
            error,
            fresh,
        )
        return []
    return fresh
