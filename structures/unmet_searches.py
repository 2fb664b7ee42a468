"""Unmet searches (docs/relay.md §8): counting the lookups that found no competent relay, and
reading the counts back by territory.

**What counts.** A lookup "found no competent relay" when the engine's ``RelayResponse.results``
— the competent list — is empty, whatever its fallbacks (a planned market, a near miss, a relay
out of the area, a remote or generalist desk are suggestions, not the competent relay the firm
asked for). Only answered lookups are counted: a request the resolver refused (400, 503)
never reaches the engine. The delivery layer (the search page, ``/api/v1/relays/``) calls
``record_unmet_search`` once per answered GET; it skips HEAD requests and browser prefetches.

**What is kept.** One counter per (commune, service, target country or none, month): the
commune the location resolved to (a point resolves to the nearest commune), never the SIRET,
the point, the address, the user, the IP, the sector or the profile. Rows older than
``UNMET_SEARCH_RETENTION_MONTHS`` are deleted by ``purge_unmet_searches`` (run it from cron).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from structures.models import Service, UnmetSearch
from structures.relay.types import RelayResponse
from territories.models import Territory

logger = logging.getLogger(__name__)


# --- Months ---------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_before(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month``'s."""
    index = month.year * 12 + (month.month - 1) - count
    return date(index // 12, index % 12 + 1, 1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# --- Writes ---------------------------------------------------------------------------------------


def record_unmet_search(response: RelayResponse, *, today: date | None = None) -> bool:
    """Count ``response`` when it found no competent relay; return whether it was counted.

    Race-safe on both databases: an ``UPDATE … SET count = count + 1`` of the month's row, else
    its ``INSERT``; a concurrent request that inserted the same row first makes the insert fail
    on the unique constraint, and the update is then done on its row. A database failure is
    logged and swallowed: counting must never cost the visitor the answer.
    """
    if response.results:
        return False
    key = {
        "commune_id": response.location.commune.pk,
        "service_id": response.service.pk,
        # ``country_id=None`` filters on IS NULL: the row of the searches without a country.
        "country_id": response.country.pk if response.country is not None else None,
        "month": month_start(today or timezone.localdate()),
    }
    try:
        with transaction.atomic():
            if UnmetSearch.objects.filter(**key).update(count=F("count") + 1):
                return True
            try:
                with transaction.atomic():
                    UnmetSearch.objects.create(**key, count=1)
            except IntegrityError:
                UnmetSearch.objects.filter(**key).update(count=F("count") + 1)
    except DatabaseError:
        logger.exception("Recherche sans relais non comptée (%s)", key)
        return False
    return True


def retention_cutoff(*, months: int | None = None, today: date | None = None) -> date:
    """The oldest month kept: the current month and the ``months`` before it are kept."""
    if months is None:
        months = settings.UNMET_SEARCH_RETENTION_MONTHS
    return months_before(month_start(today or timezone.localdate()), months)


def purge_unmet_searches(*, months: int | None = None, today: date | None = None) -> int:
    """Delete the counts of months older than the retention period; return how many rows."""
    cutoff = retention_cutoff(months=months, today=today)
    deleted, _by_model = UnmetSearch.objects.filter(month__lt=cutoff).delete()
    return deleted


# --- Reads ----------------------------------------------------------------------------------------


def unmet_searches_in(territory: Territory | None = None) -> QuerySet[UnmetSearch]:
    """The counters of the communes within ``territory`` (any level, through the closure; the
    commune itself included), every one when ``territory`` is ``None``."""
    queryset = UnmetSearch.objects.all()
    if territory is not None:
        queryset = queryset.filter(commune__ancestor_links__ancestor=territory)
    return queryset


@dataclass(frozen=True)
class UnmetSearchTotal:
    service: Service
    country: Territory | None  # None: searches without a target country
    count: int


@dataclass(frozen=True)
class UnmetSearchSummary:
    """The unmet searches of a territory over a period, by service and by target country."""

    since: date  # first day of the first month counted
    until: date | None  # first day of the last month counted; None: up to now
    by_service: list[tuple[Service, int]]  # most searched first
    rows: list[UnmetSearchTotal]  # by service (same order), then country
    total: int


def unmet_search_summary(
    *,
    territory: Territory,
    since: date | None = None,
    until: date | None = None,
    months: int | None = None,
    today: date | None = None,
) -> UnmetSearchSummary:
    """The unmet searches from ``territory`` (commune, EPCI, département, région…), summed by
    service and target country over a period of months.

    The period: from ``since`` (to ``until``, both months included) when given; else the last
    ``months`` months, the current one included; else the current quarter.
    """
    current = month_start(today or timezone.localdate())
    if since is None:
        since = months_before(current, months - 1) if months else quarter_start(current)
    queryset = unmet_searches_in(territory).filter(month__gte=month_start(since))
    if until is not None:
        queryset = queryset.filter(month__lte=month_start(until))
    sums = list(queryset.values("service_id", "country_id").annotate(total=Sum("count")).order_by())
    services = Service.objects.in_bulk({row["service_id"] for row in sums})
    countries = Territory.objects.in_bulk({row["country_id"] for row in sums} - {None})
    per_service: dict[int, int] = {}
    for row in sums:
        per_service[row["service_id"]] = per_service.get(row["service_id"], 0) + row["total"]

    def service_key(service_id: int):
        service = services[service_id]
        return (-per_service[service_id], service.position, service.code)

    order = sorted(per_service, key=service_key)
    rank = {service_id: n for n, service_id in enumerate(order)}
    rows = sorted(
        (
            UnmetSearchTotal(
                service=services[row["service_id"]],
                country=countries.get(row["country_id"]),
                count=row["total"],
            )
            for row in sums
        ),
        key=lambda r: (
            rank[r.service.pk],
            r.country is not None,
            -r.count,
            r.country.code if r.country else "",
        ),
    )
    return UnmetSearchSummary(
        since=month_start(since),
        until=month_start(until) if until else None,
        by_service=[(services[s], per_service[s]) for s in order],
        rows=rows,
        total=sum(per_service.values()),
    )
