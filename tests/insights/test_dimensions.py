"""The 4 D of a territory (insights/dimensions.py, docs/insights.md) against values computed by
hand on a small registry in the Hérault (34), the Gard (30) and their région, Occitanie (76)."""

from __future__ import annotations

import datetime
import math

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from insights.dimensions import (
    DimensionsError,
    shannon,
    territory_dimensions,
)
from insights.enums import EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from structures.coverage import commune_coverage
from structures.enums import MarketStatus, StructureKind
from structures.models import Sector, Service
from structures.relay.indexing import refresh_relay_index
from structures.services import confirm_up_to_date, update_offer, update_structure
from territories.models import Territory
from tests.smes.factories import SMEFactory
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    sector,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def commune_population(departement: str) -> int:
    """Independent of the selector: the communes whose parent is the département."""
    return (
        Territory.objects.filter(
            level="commune", parent__code=departement, parent__level="departement"
        ).aggregate(n=Sum("population"))["n"]
        or 0
    )


@pytest.fixture
def registry():
    herault, gard = territory("departement", "34"), territory("departement", "30")
    occitanie, france = territory("region", "76"), territory("country", "FR")
    montpellier, nimes = territory("commune", "34172"), territory("commune", "30189")
    paris = territory("commune", "75056")
    morocco, usa, germany = (territory("country", c) for c in ("MA", "US", "DE"))

    cci = StructureFactory(name="CCI Hérault", cci=True, coverage=[herault])
    info = OfferFactory(structure=cci, service=service("information-orientation"))
    OfferFactory(
        structure=cci,
        service=service("trade-fairs"),
        coverage=[herault],
        markets=[morocco],
    )
    missions = OfferFactory(structure=cci, service=service("prospecting-missions"))
    club = StructureFactory(
        name="Club export Occitanie",
        club=True,
        commune=nimes,
        postal_code="30000",
        coverage=[occitanie],
    )
    OfferFactory(
        structure=club,
        service=service("export-finance"),
        sectors=[sector("agroalimentaire")],
        markets=[germany],
    )
    hidden = StructureFactory(name="Fiche en attente", unvalidated=True, coverage=[herault])
    hidden_offer = OfferFactory(structure=hidden, service=service("trade-fairs"))
    bpi = StructureFactory(
        name="Bpifrance national",
        kind="bpifrance",
        commune=paris,
        postal_code="75001",
        coverage=[france],
    )
    OfferFactory(structure=bpi, service=service("export-finance"), markets=[usa])
    pole = StructureFactory(name="Pôle Aqua", pole=True, coverage=[montpellier])
    OfferFactory(
        structure=pole, service=service("trade-fairs"), markets={usa: MarketStatus.PLANNED}
    )

    for _ in range(3):
        SMEFactory(commune=montpellier)
    SMEFactory(commune=nimes, postal_code="30000")
    SMEFactory(commune=paris)

    # Changes of the period: one edit, one confirmation, one offer closed, one deleted.
    update_structure(structure=cci, data={"phone": "+33467000000"}, expected_version=cci.version)
    pole.refresh_from_db()
    confirm_up_to_date(structure=pole, user=None, expected_version=pole.version)
    update_offer(offer=missions, data={"is_active": False}, expected_version=missions.version)
    hidden_offer.delete()

    epci = territory("epci", "243400017")  # Montpellier Méditerranée Métropole
    TerritorialEvent.objects.create(
        territory=herault,
        kind=EventKind.TRADE_MISSION,
        title="Mission Maroc",
        start_date=TODAY - datetime.timedelta(days=30),
        country=morocco,
    )
    TerritorialEvent.objects.create(
        territory=epci,
        kind=EventKind.COLLECTIVE_ACTION,
        title="Stand commun",
        start_date=TODAY - datetime.timedelta(days=60),
        end_date=TODAY - datetime.timedelta(days=58),
    )
    TerritorialEvent.objects.create(
        territory=herault,
        kind=EventKind.OTHER,
        title="Trop ancien",
        start_date=TODAY - datetime.timedelta(days=800),
    )
    TerritorialEvent.objects.create(
        territory=gard,
        kind=EventKind.EXPORT_GROUP_CREATION,
        title="Groupement vins",
        start_date=TODAY - datetime.timedelta(days=10),
    )
    for country in (morocco, usa):
        TerritorialPriority.objects.create(
            territory=herault, kind=PriorityKind.MARKET, country=country
        )
    TerritorialPriority.objects.create(
        territory=herault, kind=PriorityKind.SECTOR, sector=sector("agroalimentaire")
    )
    TerritorialPriority.objects.create(
        territory=gard, kind=PriorityKind.MARKET, country=territory("country", "CN")
    )
    refresh_relay_index()
    return {"cci": cci, "club": club, "bpi": bpi, "pole": pole, "info": info}


def breakdown(rows, code):
    return next(r for r in rows if r.code == code)


def test_density_of_a_departement(registry):
    result = territory_dimensions(territory=territory("departement", "34"), today=TODAY)
    density = result.territory.density
    population = commune_population("34")
    assert density.population == population > 0
    assert density.smes == 3
    # Located and published: the CCI and the pôle (the pending listing is not published).
    assert density.structures == 2
    # Competent: the CCI (34), the club (région), Bpifrance (France), the pôle (a commune of 34).
    assert density.relays == 4
    assert density.structures_per_100k == round(2 * 100_000 / population, 2)
    assert density.relays_per_100k == round(4 * 100_000 / population, 2)
    assert density.structures_per_1000_smes == round(2 * 1000 / 3, 2)
    assert density.relays_per_1000_smes == round(4 * 1000 / 3, 2)
    assert {(r.code, r.structures, r.relays) for r in density.by_kind} == {
        ("cci", 1, 1),
        ("competitiveness_cluster", 1, 1),
        ("exporters_club", 0, 1),
        ("bpifrance", 0, 1),
    }
    fairs = breakdown(density.by_service, "trade-fairs")
    assert (fairs.structures, fairs.offers, fairs.relays) == (2, 2, 2)
    finance = breakdown(density.by_service, "export-finance")
    assert (finance.structures, finance.offers, finance.relays) == (0, 0, 2)
    assert finance.structures_per_1000_smes == 0.0
    info = breakdown(density.by_service, "information-orientation")
    assert (info.structures, info.offers, info.relays) == (1, 1, 1)


def test_coverage_shares_come_from_the_coverage_report(registry):
    herault = territory("departement", "34")
    density = territory_dimensions(territory=herault, today=TODAY).territory.density
    by_code = {c.code: c for c in density.coverage}
    assert set(by_code) == {s.code for s in density.by_service}
    # No offer at all: nobody covered.
    assert by_code["public-aid"].covered_population == 0
    assert by_code["public-aid"].covered_share == 0.0
    info = by_code["information-orientation"]
    report = commune_coverage(territory=herault, service=service("information-orientation"))
    assert info.covered_population == report.totals.population["covered"]
    assert info.covered_population >= territory("commune", "34172").population
    assert info.covered_share == round(info.covered_population / density.population, 4)


def test_parent_and_siblings(registry):
    result = territory_dimensions(territory=territory("departement", "34"), today=TODAY)
    assert result.parent.territory.code == "76"
    # The départements of Occitanie loaded by the test reference, the territory among them.
    assert [s.territory.code for s in result.siblings] == ["30", "34"]
    gard = result.siblings[0]
    assert gard.density.population == commune_population("30")
    assert (gard.density.smes, gard.density.structures, gard.density.relays) == (1, 1, 2)
    assert gard.density.coverage == ()  # only for the territory asked about
    region = result.parent.density
    assert region.population == commune_population("34") + commune_population("30")
    assert (region.smes, region.structures, region.relays) == (4, 3, 4)


def test_diversity(registry):
    result = territory_dimensions(territory=territory("departement", "34"), today=TODAY)
    diversity = result.territory.diversity
    assert (diversity.kinds_present, diversity.services_present) == (2, 2)
    assert diversity.kinds_total == len(StructureKind.choices)
    assert diversity.services_total == Service.objects.count()
    assert diversity.services_with_relay == 3
    # One CCI, one pôle: ln 2. Offers: 1 information, 2 trade fairs.
    assert diversity.shannon_kinds == round(math.log(2), 4)
    assert diversity.shannon_services == round(
        -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)), 4
    )
    # Nine départements loaded, only the Hérault with two kinds: the median is 0.
    assert result.national_median_shannon_kinds == 0.0
    assert result.siblings[0].diversity.shannon_kinds == 0.0


def test_shannon():
    assert shannon([]) == 0.0
    assert shannon([5]) == 0.0
    assert shannon([1, 1, 1, 1]) == round(math.log(4), 4)
    assert shannon([0, 2, 2]) == round(math.log(2), 4)


def test_dynamics(registry):
    result = territory_dimensions(territory=territory("departement", "34"), today=TODAY)
    dynamics = result.territory.dynamics
    # Created in 34: the CCI, the pending listing, the pôle (all listings, published or not).
    assert dynamics.structures_created == 3
    # Edited: the CCI (a confirmation is not an edit).
    assert dynamics.structures_updated == 1
    # Confirmed (verified_at stamped in the period): the factories stamp it on creation.
    assert dynamics.structures_confirmed == 3
    # Offers of 34: information, trade fairs, missions (closed), the pending one (deleted), the
    # pôle's.
    assert dynamics.offers_created == 5
    assert dynamics.offers_updated == 1
    assert dynamics.offers_closed == 2
    by_kind = {k.code: k.count for k in dynamics.events_by_kind}
    assert by_kind == {
        "collective_action": 1,
        "trade_mission": 1,
        "export_group_creation": 0,
        "other": 0,
    }
    assert dynamics.events == 2
    assert [e.title for e in result.events] == ["Mission Maroc", "Stand commun"]
    assert result.parent.dynamics.events == 3
    assert result.parent.dynamics.structures_created == 4


def test_dynamics_outside_the_period(registry):
    later = TODAY + datetime.timedelta(days=500)
    dynamics = territory_dimensions(territory=territory("departement", "34"), today=later)
    assert dynamics.territory.dynamics.structures_created == 0
    assert dynamics.territory.dynamics.events == 0
    assert dynamics.period_start == datetime.date(later.year - 1, later.month, later.day) or (
        later.month == 2 and later.day == 29
    )


def test_directionality(registry):
    result = territory_dimensions(territory=territory("departement", "34"), today=TODAY)
    checks = {p.code: p for p in result.directionality.priorities}
    assert set(checks) == {"MA", "US", "agroalimentaire"}
    morocco = checks["MA"]
    # Only the CCI: its trade fairs name Morocco, its information desk is generalist. The club
    # (Germany only), Bpifrance (USA only) and the pôle (USA planned) are not competent.
    assert [(r.name, r.explicit, r.covers_whole) for r in morocco.relays] == [
        ("CCI Hérault", True, True)
    ]
    assert morocco.relays[0].services == ("information-orientation", "trade-fairs")
    usa = checks["US"]
    assert [(r.name, r.explicit, r.covers_whole) for r in usa.relays] == [
        ("Bpifrance national", True, True),
        ("CCI Hérault", False, True),
    ]
    agri = checks["agroalimentaire"]
    assert [(r.name, r.explicit, r.covers_whole) for r in agri.relays] == [
        ("Club export Occitanie", True, True),
        ("Bpifrance national", False, True),
        ("CCI Hérault", False, True),
        ("Pôle Aqua", False, False),
    ]
    assert result.directionality.without_relay == ()
    assert [p.code for p in result.directionality.without_explicit_relay] == []

    gard = territory_dimensions(territory=territory("departement", "30"), today=TODAY)
    (china,) = gard.directionality.priorities
    assert china.code == "CN" and china.relays == ()
    assert gard.directionality.without_relay == (china,)


def test_region_and_epci(registry):
    region = territory_dimensions(territory=territory("region", "76"), today=TODAY)
    assert region.parent.territory.code == "FR"
    assert "76" in [s.territory.code for s in region.siblings]
    assert all(s.territory.level == "region" for s in region.siblings)
    assert region.territory.density.relays == 4
    # France: every relay of the index, every SME.
    assert (region.parent.density.relays, region.parent.density.smes) == (4, 5)
    assert region.parent.density.structures == 4

    epci = territory_dimensions(territory=territory("epci", "243400017"), today=TODAY)
    assert epci.parent.territory.code == "34"
    assert all(s.territory.level == "epci" for s in epci.siblings)
    assert "243400017" in [s.territory.code for s in epci.siblings]
    assert epci.territory.density.structures == 2
    assert epci.territory.density.relays == 4
    assert epci.territory.dynamics.events == 1


def test_other_levels_are_refused(registry):
    with pytest.raises(DimensionsError):
        territory_dimensions(territory=territory("commune", "34172"))


def test_fixed_number_of_queries(registry, monkeypatch):
    """The number of queries does not grow with the territory (no per-commune loop): an EPCI,
    a département and a région cost the same, apart from the coverage report (read through one
    function, replaced here)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import insights.dimensions

    monkeypatch.setattr(
        insights.dimensions,
        "_covered_population",
        lambda *, territory, services: {s.pk: 0 for s in services},
    )

    def queries(level, code):
        cache.clear()  # the national medians are cached: count their queries every time
        with CaptureQueriesContext(connection) as captured:
            territory_dimensions(territory=territory(level, code), today=TODAY)
        return len(captured)

    queries("departement", "34")  # loads the sector tables (a process cache) once
    counts = {
        (level, code): queries(level, code)
        for level, code in (
            ("epci", "243400017"),
            ("departement", "34"),
            ("departement", "13"),
            ("region", "76"),
            ("region", "11"),
        )
    }
    # A few queries depend on the level (France, a région's parent, is read without the
    # closure) or on whether the territory has priorities (their relays, the sector tables):
    # never on its size.
    assert max(counts.values()) <= 32, counts
    # More listings, SMEs and communes involved: the same number of queries.
    for commune in Territory.objects.filter(level="commune", parent__code="34")[:15]:
        offer = OfferFactory(structure=StructureFactory(commune=commune, coverage=[commune]))
        SMEFactory(commune=commune)
        TerritorialPriority.objects.create(
            territory=territory("departement", "30"),
            kind=PriorityKind.SECTOR,
            sector=Sector.objects.exclude(
                pk__in=TerritorialPriority.objects.filter(sector__isnull=False).values("sector")
            ).first(),
        )
        assert offer.pk
    refresh_relay_index()
    assert queries("departement", "34") == counts[("departement", "34")]
    assert queries("region", "76") == counts[("region", "76")]
