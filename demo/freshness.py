"""Plausible confirmation dates for the demo listings, so that every freshness state shows.

A real registry is confirmed unevenly: most listings within the year, some drifting towards
"à vérifier" (reminders due), some past it, a few stale enough for public results to warn
(``structures.freshness``). Each listing's age is drawn from its slug (deterministic), and only
a listing nobody ever confirmed gets one: a second load changes nothing, and a confirmation made
in the demo (staff page, one-click link) is never overwritten.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.utils import timezone

from structures.models import Structure

# (share in percent, (youngest, oldest) age in days of the last confirmation)
AGE_BANDS = (
    (68, (3, 320)),  # fresh
    (10, (335, 364)),  # fresh, reminder due (11 months)
    (14, (372, 540)),  # à vérifier (12-18 months)
    (8, (560, 900)),  # stale: public results say "informations à vérifier"
)


def demo_age_days(slug: str) -> int:
    """The age in days of the demo listing ``slug``'s last confirmation."""
    digest = int(hashlib.sha256(slug.encode()).hexdigest()[:12], 16)
    share, rest = digest % 100, digest // 100
    for percent, (youngest, oldest) in AGE_BANDS:
        if share < percent:
            return youngest + rest % (oldest - youngest + 1)
        share -= percent
    raise AssertionError("AGE_BANDS must add up to 100")


def spread_confirmations(
    structures: Iterable[Structure], *, now: datetime.datetime | None = None
) -> int:
    """Give each never confirmed demo listing a confirmation date; return how many got one."""
    now = now or timezone.now()
    count = 0
    for structure in structures:
        if structure.verified_at is not None:
            continue
        verified_at = now - datetime.timedelta(days=demo_age_days(structure.slug))
        # A plain UPDATE: demo data, no edit form can be open on it during the load.
        count += Structure.objects.filter(pk=structure.pk, verified_at__isnull=True).update(
            verified_at=verified_at
        )
        structure.verified_at = verified_at
    return count
