"""Reusable filters of the structures domain (QuerySet methods).

Coverage questions go through the territories closure (``TerritoryAncestor``): "does this
coverage contain that commune" is an ``EXISTS`` on two indexed tables, the same SQL on SQLite and
PostgreSQL, and never duplicates rows.
"""

from __future__ import annotations

import datetime
import functools

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from structures.permissions import editable_structures_q


@functools.lru_cache(maxsize=64)
def _day_months_before(months: int, year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day) - relativedelta(months=months)


def months_ago(months: int, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The same day ``months`` calendar months before ``now`` (clamped to the month's end), at
    the same time of day."""
    now = now or timezone.now()
    # relativedelta only moves the date here; computed once per day (every relay lookup asks).
    day = _day_months_before(months, now.year, now.month, now.day)
    return now.replace(year=day.year, month=day.month, day=day.day)


def _ancestors_of(commune):
    """Ids of every territory containing ``commune`` (itself included), as a subquery."""
    from territories.models import TerritoryAncestor

    return TerritoryAncestor.objects.filter(descendant=commune).values("ancestor_id")


class StructureQuerySet(models.QuerySet):
    def active(self) -> StructureQuerySet:
        return self.filter(is_active=True)

    def published(self) -> StructureQuerySet:
        """Active and validated by a registry administrator: what the public sees (rule R4)."""
        return self.filter(is_active=True, is_validated=True)

    def stale(
        self, months: int | None = None, *, now: datetime.datetime | None = None
    ) -> StructureQuerySet:
        """No longer fresh: "à vérifier" or worse (``structures.freshness``) — last confirmed,
        or never confirmed and created, more than ``months`` months ago (by default
        ``FRESHNESS_REVIEW_MONTHS``, the threshold of ``freshness.thresholds``).

        The complement of ``with_freshness("fresh")``: the same rule as ``freshness_of``, so a
        listing created last week and not confirmed yet is not stale.
        """
        if months is None:
            from structures.freshness import thresholds

            review, _warning = thresholds(now=now)
        else:
            review = months_ago(months, now=now)
        return self.confirmed_before(review)

    def confirmed_before(self, moment: datetime.datetime) -> StructureQuerySet:
        """Last confirmed before ``moment``; never confirmed ones count from their creation."""
        return self.filter(
            Q(verified_at__lt=moment) | Q(verified_at__isnull=True, created_at__lt=moment)
        )

    def confirmed_since(self, moment: datetime.datetime) -> StructureQuerySet:
        """The complement of ``confirmed_before(moment)``."""
        return self.filter(
            Q(verified_at__gte=moment) | Q(verified_at__isnull=True, created_at__gte=moment)
        )

    def with_freshness(self, freshness: str, *, now: datetime.datetime | None = None):
        """The listings in one freshness state (``structures.enums.Freshness``; thresholds:
        ``structures.freshness``)."""
        from structures.freshness import thresholds

        review, warning = thresholds(now=now)
        if freshness == "fresh":
            return self.confirmed_since(review)
        if freshness == "to_check":
            return self.confirmed_before(review).confirmed_since(warning)
        if freshness == "stale":
            return self.confirmed_before(warning)
        raise ValueError(f"unknown freshness: {freshness!r}")

    def located_in(self, territory) -> StructureQuerySet:
        """Structures whose commune lies within ``territory`` (any level, through the closure)."""
        return self.filter(commune__ancestor_links__ancestor=territory)

    def covering(self, commune) -> StructureQuerySet:
        """Structures whose default coverage contains ``commune``."""
        from structures.models import StructureCoverage

        return self.filter(
            Exists(
                StructureCoverage.objects.filter(
                    structure=OuterRef("pk"), territory__in=_ancestors_of(commune)
                )
            )
        )

    def editable_by(self, user) -> StructureQuerySet:
        """Structures ``user`` may edit (the rule: ``structures.permissions``).

        Registry administrators edit everything; other staff only the structures they are
        members of, not their descendants in the network: a CCI régionale does not silently take
        over the listings of its CCI territoriales.
        """
        condition = editable_structures_q(user)
        return self.all() if condition is None else self.filter(condition)


class OfferQuerySet(models.QuerySet):
    def active(self) -> OfferQuerySet:
        """Active offers of active structures."""
        return self.filter(is_active=True, structure__is_active=True)

    def published(self) -> OfferQuerySet:
        """Active offers of published (active and validated) structures."""
        return self.active().filter(structure__is_validated=True)

    def for_service(self, service) -> OfferQuerySet:
        """Offers of a service, given as a ``Service`` or its ``code``."""
        if isinstance(service, str):
            return self.filter(service__code=service)
        return self.filter(service=service)

    def covering(self, commune) -> OfferQuerySet:
        """Offers whose coverage contains ``commune``.

        An offer with its own coverage uses it (narrowed or widened); an offer without one
        inherits its structure's coverage. One query with ``EXISTS`` subqueries.
        """
        from structures.models import OfferCoverage, StructureCoverage

        ancestors = _ancestors_of(commune)
        own_match = Exists(
            OfferCoverage.objects.filter(offer=OuterRef("pk"), territory__in=ancestors)
        )
        has_own = Exists(OfferCoverage.objects.filter(offer=OuterRef("pk")))
        inherited_match = Exists(
            StructureCoverage.objects.filter(
                structure=OuterRef("structure_id"), territory__in=ancestors
            )
        )
        return self.filter(own_match | (~has_own & inherited_match))

    def for_country(self, country) -> OfferQuerySet:
        """Offers with an active presence in ``country`` (a country ``Territory``)."""
        from structures.enums import MarketStatus
        from structures.models import OfferMarket

        return self.filter(
            Exists(
                OfferMarket.objects.filter(
                    offer=OuterRef("pk"), country=country, status=MarketStatus.ACTIVE
                )
            )
        )

    def editable_by(self, user) -> OfferQuerySet:
        """Offers of the structures ``user`` may edit (see ``StructureQuerySet.editable_by``)."""
        from structures.models import Structure

        return self.filter(structure__in=Structure.objects.editable_by(user).values("pk"))


class ProgrammeQuerySet(models.QuerySet):
    def current(self, *, on: datetime.date | None = None) -> ProgrammeQuerySet:
        """Active programmes whose period of validity contains ``on`` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
            is_active=True,
        )

    def for_service(self, service) -> ProgrammeQuerySet:
        """Programmes serving ``service``: a subquery rather than a join, so that a programme
        comes once without ``DISTINCT`` (whose sort over every selected column cost more than
        the query on the relay's hot path)."""
        served = self.model.services.through.objects.filter(service=service)
        return self.filter(pk__in=served.values("programme_id"))

    def applying_in(self, ancestor_ids) -> ProgrammeQuerySet:
        """Programmes that apply where a place is, given the ids of every territory containing it
        (nationwide ones, and those whose territory of application contains it)."""
        return self.filter(Q(area__isnull=True) | Q(area_id__in=list(ancestor_ids)))


class ProgrammeEntryPointQuerySet(models.QuerySet):
    def published(self) -> ProgrammeEntryPointQuerySet:
        """Doors of published structures (a door to a listing the public cannot see is none)."""
        return self.filter(structure__is_active=True, structure__is_validated=True)
