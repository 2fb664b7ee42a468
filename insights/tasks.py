"""Tasks of the insights app, run by the Celery worker (``registry/celery.py``).

``precompute_coverage`` computes the coverage reports a listing change made out of date, so that
the next reader of the coverage pages or API finds them stored (``insights.jobs`` queues it
after the commit; ``manage.py precompute_coverage`` does the same work from cron or after an
import).
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.core.cache import caches

from insights import coverage
from structures.models import Service

logger = logging.getLogger(__name__)


def pending_key(service_id: int) -> str:
    """The coverage cache's mark of a service with a precompute queued, not yet started: further
    changes meanwhile queue nothing more (that run will read their stamps)."""
    return f"precompute:pending:{service_id}"


@shared_task(name="insights.tasks.precompute_coverage")
def precompute_coverage(*, service_ids: list[int]) -> int:
    """Compute and store the reports of these services over France, the régions and the
    départements (``insights.coverage.precompute_coverage``); returns how many were computed.

    The services' marks are lifted first: a change committed from now on queues another run,
    which will see it. Run twice, the second finds the reports stored and computes nothing.
    """
    caches["coverage"].delete_many([pending_key(pk) for pk in service_ids])
    # A service deleted since has nothing to compute.
    services = list(Service.objects.filter(pk__in=service_ids))
    if not services:
        return 0
    started = time.perf_counter()
    computed = coverage.precompute_coverage(services=services)
    logger.info(
        "Coverage of %s: %d report(s) computed in %.1f s",
        ", ".join(service.code for service in services),
        computed,
        time.perf_counter() - started,
    )
    return computed
