"""The agencies' coverage report (insights/coverage.py): the places' states come from
``structures.coverage`` (proved there against one lookup per place); here, what this layer
adds — registered SMEs per place and per total, all services at once (worst state), and reuse of
a report until its service's relay index changes."""

from __future__ import annotations

import pytest

from insights import coverage as insights_coverage
from insights.coverage import COVERED, FAR, UNCOVERED, CoverageError, territory_coverage
from structures.coverage import commune_coverage, report_places
from structures.models import Service
from tests.smes.factories import SMEFactory
from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.django_db


def relay(commune_code, *, covers, service_code="prospecting-missions"):
    structure = StructureFactory(commune=territory("commune", commune_code))
    return OfferFactory(structure=structure, service=service(service_code), coverage=covers)


def metropole_of_montpellier():
    return next(
        link.ancestor
        for link in territory("commune", "34172").ancestor_links.select_related("ancestor")
        if link.ancestor.level == "epci"
    )


@pytest.fixture
def counted_demo(settings):
    """Demo SMEs count in the statistics (a demo install); real ones always do."""
    settings.OPEN_DATA_INCLUDE_DEMO = True


def test_smes_are_counted_per_place_and_per_state(counted_demo):
    herault, epci = territory("departement", "34"), metropole_of_montpellier()
    relay("34172", covers=[epci])
    montpellier, beziers = territory("commune", "34172"), territory("commune", "34032")
    SMEFactory.create_batch(3, commune=montpellier)
    SMEFactory.create_batch(2, commune=beziers, is_demo=False)
    report = territory_coverage(territory=herault, service=service("prospecting-missions"))

    rows = {row.code: row for row in report.places}
    assert (rows["34172"].smes, rows["34172"].state) == (3, COVERED)
    assert (rows["34032"].smes, rows["34032"].state) == (2, UNCOVERED)
    assert sum(row.smes for row in report.places) == 5
    assert report.totals.smes == {COVERED: 3, FAR: 0, UNCOVERED: 2}
    epci_totals = next(t for t in report.subtotals if t.territory_id == epci.pk)
    assert epci_totals.smes == {COVERED: 3, FAR: 0, UNCOVERED: 0}
    assert report.unplaced_smes == 0
    # The nearest relay is named, with its structure.
    assert rows["34172"].structure_id in report.relays
    assert report.relays[rows["34172"].structure_id].slug


def test_places_states_and_populations_are_the_registry_report(counted_demo):
    herault = territory("departement", "34")
    relay("34172", covers=[metropole_of_montpellier()])
    relay("34032", covers=[herault])
    ours = territory_coverage(territory=herault, service=service("prospecting-missions"))
    theirs = commune_coverage(territory=herault, service=service("prospecting-missions"))
    assert [(r.code, r.state, r.distance_km, r.offer_id) for r in ours.places] == [
        (p.code, p.state, p.distance_km, p.offer_id) for p in theirs.places
    ]
    assert ours.totals.population == theirs.totals.population
    assert ours.totals.places == theirs.totals.places
    assert [t.population for t in ours.subtotals] == [t.population for t in theirs.subtotals]


def test_demo_smes_count_only_on_a_demo_install(settings):
    herault = territory("departement", "34")
    SMEFactory(commune=territory("commune", "34172"))  # demo
    SMEFactory(commune=territory("commune", "34172"), is_demo=False)
    settings.OPEN_DATA_INCLUDE_DEMO = False
    report = territory_coverage(territory=herault, service=service("prospecting-missions"))
    assert report.totals.sme_total == 1
    settings.OPEN_DATA_INCLUDE_DEMO = True
    report = territory_coverage(territory=herault, service=service("prospecting-missions"))
    assert report.totals.sme_total == 2


def test_smes_of_a_divided_city_as_a_whole_are_counted_apart(counted_demo):
    """Paris is reported by arrondissement: an SME on Paris as a whole has no place."""
    SMEFactory(commune=territory("commune", "75056"))
    SMEFactory(commune=territory("arrondissement", "75108"))
    report = territory_coverage(
        territory=territory("departement", "75"), service=service("prospecting-missions")
    )
    assert report.totals.sme_total == 1
    assert report.unplaced_smes == 1


def test_all_services_take_the_worst_state_per_place(counted_demo):
    """Two services in the catalogue: covered only where both are within the horizon."""
    Service.objects.exclude(code__in=["prospecting-missions", "trade-fairs"]).delete()
    herault, epci = territory("departement", "34"), metropole_of_montpellier()
    relay("34172", covers=[herault])  # prospecting everywhere in the Hérault
    relay("34172", covers=[epci], service_code="trade-fairs")
    SMEFactory(commune=territory("commune", "34032"))

    report = territory_coverage(territory=herault, horizon_km=400)
    assert report.all_services and report.service is None
    assert [s.code for s in report.services] == [s.code for s in Service.objects.all()]
    inside = set(report_places(epci).values_list("code", flat=True))
    for row in report.places:
        assert row.offer_id is None and row.distance_km is None
        if row.code in inside:
            assert row.state == COVERED
            assert row.service_states == {"prospecting-missions": COVERED, "trade-fairs": COVERED}
            assert row.count(COVERED) == 2
        else:
            assert row.state == UNCOVERED
            assert row.service_states["trade-fairs"] == UNCOVERED
            assert row.count(COVERED) == 1 and row.count(UNCOVERED) == 1
    by_code = {item.service.code: item.totals for item in report.by_service}
    assert by_code["prospecting-missions"].places[UNCOVERED] == 0
    assert by_code["trade-fairs"].places[COVERED] == len(inside)
    assert by_code["trade-fairs"].smes[UNCOVERED] == 1
    assert report.totals.places == {
        COVERED: len(inside),
        FAR: 0,
        UNCOVERED: len(report.places) - len(inside),
    }

    # A short horizon: Béziers (~60 km from Montpellier) is far for prospecting; trade fairs
    # stay uncovered there, the worse state.
    short = territory_coverage(territory=herault, horizon_km=20)
    beziers = next(r for r in short.places if r.code == "34032")
    assert beziers.service_states == {"prospecting-missions": FAR, "trade-fairs": UNCOVERED}
    assert beziers.state == UNCOVERED


def test_a_far_state_is_worse_than_covered_and_better_than_uncovered(counted_demo):
    Service.objects.exclude(code__in=["prospecting-missions", "trade-fairs"]).delete()
    herault = territory("departement", "34")
    relay("34172", covers=[herault])
    relay("34172", covers=[herault], service_code="trade-fairs")
    report = territory_coverage(territory=herault, horizon_km=20)
    beziers = next(r for r in report.places if r.code == "34032")
    assert beziers.service_states == {"prospecting-missions": FAR, "trade-fairs": FAR}
    assert beziers.state == FAR
    montpellier = next(r for r in report.places if r.code == "34172")
    assert montpellier.state == COVERED


def test_a_report_is_reused_until_its_service_changes(counted_demo, monkeypatch):
    herault, epci = territory("departement", "34"), metropole_of_montpellier()
    offer = relay("34172", covers=[epci])
    other = relay("34172", covers=[herault], service_code="trade-fairs")
    computed = []
    real = insights_coverage.coverage_by_service

    def counting(**kwargs):
        computed.append([s.code for s in kwargs["services"]])
        return real(**kwargs)

    monkeypatch.setattr(insights_coverage, "coverage_by_service", counting)
    prospecting = service("prospecting-missions")
    first = territory_coverage(territory=herault, service=prospecting)
    again = territory_coverage(territory=herault, service=prospecting)
    assert computed == [["prospecting-missions"]]
    assert again.stamp == first.stamp and again.totals.places == first.totals.places

    # Another service's listing changes: this report is still reused.
    other.coverage.set([epci])
    territory_coverage(territory=herault, service=prospecting)
    assert len(computed) == 1

    # Its own listing changes: recomputed, and the new state shows.
    offer.coverage.set([herault])
    changed = territory_coverage(territory=herault, service=prospecting)
    assert len(computed) == 2 and changed.stamp != first.stamp
    assert changed.totals.places[UNCOVERED] == 0 < first.totals.places[UNCOVERED]

    # Deactivating the offer (index rows deleted, none written) changes the stamp too.
    offer.is_active = False
    offer.save()
    gone = territory_coverage(territory=herault, service=prospecting)
    assert len(computed) == 3 and gone.totals.places[COVERED] == 0

    # SMEs are counted afresh each time, without recomputing the states.
    SMEFactory(commune=territory("commune", "34172"))
    assert territory_coverage(territory=herault, service=prospecting).totals.sme_total == 1
    assert len(computed) == 3

    # Other parameters are other reports.
    territory_coverage(territory=herault, service=prospecting, horizon_km=10)
    assert len(computed) == 4


def test_all_services_compute_only_the_missing_reports(counted_demo, monkeypatch):
    Service.objects.exclude(code__in=["prospecting-missions", "trade-fairs"]).delete()
    herault = territory("departement", "34")
    relay("34172", covers=[herault])
    computed = []
    real = insights_coverage.coverage_by_service

    def counting(**kwargs):
        computed.append(sorted(s.code for s in kwargs["services"]))
        return real(**kwargs)

    monkeypatch.setattr(insights_coverage, "coverage_by_service", counting)
    territory_coverage(territory=herault, service=service("trade-fairs"))
    territory_coverage(territory=herault)
    assert computed == [["trade-fairs"], ["prospecting-missions"]]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"horizon_km": 0}, "horizon"),
        ({"horizon_km": "loin"}, "horizon"),
        ({"horizon_km": float("inf")}, "horizon"),
        ({"sector": "ZZZ"}, "Secteur inconnu"),
    ],
)
def test_bad_requests_are_refused_with_a_message(options, message):
    with pytest.raises(CoverageError, match=message):
        territory_coverage(
            territory=territory("departement", "34"),
            service=service("prospecting-missions"),
            **options,
        )


def test_a_place_is_not_a_territory_of_the_report():
    with pytest.raises(CoverageError):
        territory_coverage(territory=territory("commune", "34172"))


def test_france_counts_the_smes_of_every_place(counted_demo):
    SMEFactory(commune=territory("commune", "34172"))
    SMEFactory(commune=territory("commune", "97105"))  # Basse-Terre
    SMEFactory(commune=territory("commune", "75056"))  # Paris as a whole: no place
    report = territory_coverage(
        territory=territory("country", "FR"), service=service("prospecting-missions")
    )
    assert report.totals.sme_total == 2 and report.unplaced_smes == 1
    rows = {row.code: row.smes for row in report.places if row.smes}
    assert rows == {"34172": 1, "97105": 1}


def test_covered_population_is_the_reports_covered_inhabitants(counted_demo):
    """The 4 D's shares read the same cached reports, without the SMEs."""
    herault, epci = territory("departement", "34"), metropole_of_montpellier()
    relay("34172", covers=[epci])
    relay("34032", covers=[herault], service_code="trade-fairs")
    report = territory_coverage(territory=herault)
    expected = {item.service.pk: item.totals.population[COVERED] for item in report.by_service}
    assert insights_coverage.covered_population(territory=herault) == expected
    assert expected[service("prospecting-missions").pk] > 0
    assert expected[service("trade-fairs").pk] == sum(
        row.population or 0 for row in report.places if row.service_states["trade-fairs"] == COVERED
    )
