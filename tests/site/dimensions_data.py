"""The small registry of ``tests.site.data`` with what a territorial coordinator records
(events, priorities) and a few SMEs: the 4 D pages' test data, shared with the browser tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from insights.enums import EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from structures.relay.indexing import refresh_relay_index
from tests.site.data import Registry, build_registry
from tests.smes.factories import SMEFactory
from tests.structures.factories import sector, territory

TODAY = timezone.localdate()


def build_dimensions_registry() -> Registry:
    """Two events of the period in the Hérault (one in its metropolis), an old one and one in
    the Gard; three Hérault priorities (Morocco, Japan, the agri-food filière) and one in
    Corse-du-Sud, where no relay is; SMEs in Montpellier and Nîmes."""
    registry = build_registry()
    herault, gard = territory("departement", "34"), territory("departement", "30")
    montpellier = territory("commune", "34172")
    for _ in range(4):
        SMEFactory(commune=montpellier)
    SMEFactory(commune=territory("commune", "30189"), postal_code="30000")
    TerritorialEvent.objects.create(
        territory=herault,
        kind=EventKind.TRADE_MISSION,
        title="Mission <Maroc> & Tunisie",
        start_date=TODAY - datetime.timedelta(days=20),
        country=territory("country", "MA"),
    )
    TerritorialEvent.objects.create(
        territory=territory("epci", "243400017"),
        kind=EventKind.COLLECTIVE_ACTION,
        title="Stand commun métropole",
        start_date=TODAY - datetime.timedelta(days=90),
        end_date=TODAY - datetime.timedelta(days=88),
    )
    TerritorialEvent.objects.create(
        territory=herault,
        kind=EventKind.OTHER,
        title="Action trop ancienne",
        start_date=TODAY - datetime.timedelta(days=900),
    )
    TerritorialEvent.objects.create(
        territory=gard,
        kind=EventKind.EXPORT_GROUP_CREATION,
        title="Groupement du Gard",
        start_date=TODAY - datetime.timedelta(days=5),
    )
    for country in ("MA", "JP"):
        TerritorialPriority.objects.create(
            territory=herault, kind=PriorityKind.MARKET, country=territory("country", country)
        )
    TerritorialPriority.objects.create(
        territory=herault,
        kind=PriorityKind.SECTOR,
        sector=sector("agroalimentaire"),
        label="Filière agroalimentaire",
    )
    TerritorialPriority.objects.create(
        territory=territory("departement", "2A"),
        kind=PriorityKind.MARKET,
        country=territory("country", "IT"),
    )
    refresh_relay_index()
    return registry
