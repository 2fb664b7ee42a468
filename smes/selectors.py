"""Reads on SMEs. SME data is private: every read starts from ``smes.access.visible_smes``."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from smes.access import visible_smes
from smes.models import SME
from structures.permissions import Caller
from territories.enums import TerritoryLevel
from territories.models import Territory


def smes_visible_to(*, caller: Caller) -> QuerySet:
    """The SMEs ``caller`` may read, with what their representation shows."""
    return (
        visible_smes(caller)
        .select_related("commune", "sector")
        .prefetch_related("target_markets", "needs")
    )


def sme_counts_by_commune(*, territory: Territory, include_demo: bool) -> dict[int, int]:
    """Registered SMEs per commune (or municipal arrondissement) of ``territory``, by territory
    id — a count, no record: the figure the territorial reports show beside inhabitants.
    Demo SMEs count only when ``include_demo`` (a demo install, see
    ``structures.selectors.open_data_scope``)."""
    if territory.level == TerritoryLevel.COUNTRY and territory.code == "FR":
        # Every commune is French: no join through the closure for a million SMEs.
        smes = SME.objects.filter(commune__isnull=False)
    else:
        smes = SME.objects.in_territory(territory)
    if not include_demo:
        smes = smes.real()
    return dict(
        smes.order_by()
        .values("commune_id")
        # COUNT(*): the commune index alone answers it (an index-only scan on PostgreSQL).
        .annotate(count=Count("*"))
        .values_list("commune_id", "count")
    )
