"""The coverage-gap report (structures/coverage.py) against an independent brute force: one
``find_relays`` lookup per place, as a firm at the place's centre with no profile would ask it
(docs/relay.md, "Coverage report"), on seeded random registries; then hand-made cases."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command

from structures.coverage import (
    COVERED,
    FAR,
    UNCOVERED,
    CoverageError,
    commune_coverage,
    covered_population_by_service,
    report_places,
)
from structures.relay.query import MAX_K
from tests.relay.generators import TODAY, World, generate_registry
from tests.relay.lookup import lookup
from tests.relay.reference import HARD_CORE_SERVICES
from tests.structures.factories import OfferFactory, StructureFactory, sector, service, territory

pytestmark = pytest.mark.django_db


def brute_force(*, territory_, service_code, country=None, sector_code=None, horizon):
    """{place code: (state, distance, offers at that distance in the lookup's order)}: one
    lookup per place. The first competent result is the nearest, except for the hard-core
    services (rule R7 puts the firm's région first): then every competent relay is asked for
    and the nearest taken."""
    hard = service_code in HARD_CORE_SERVICES
    expected = {}
    for place in report_places(territory_).filter(latitude__isnull=False):
        response = lookup(
            service=service_code,
            commune=place.code,
            country=country,
            sector=sector_code,
            k=MAX_K if hard else 1,
            include_remote=False,
            today=TODAY,
        )
        assert response.ok, (place.code, response.error)
        assert response.location.commune.pk == place.pk
        results = list(response.results)
        if hard:
            # A full list: every competent relay was seen, so the nearest is among them.
            assert len(results) < MAX_K, "too many competent relays for this proof"
        if not results:
            expected[place.code] = (UNCOVERED, None, ())
            continue
        nearest = min(r.distance_km for r in results)
        state = COVERED if nearest <= horizon else FAR
        first = tuple(r.offer.pk for r in results if r.distance_km == nearest)
        expected[place.code] = (state, nearest, first if hard else (results[0].offer.pk,))
    return expected


def compare(report, expected) -> list[str]:
    problems = []
    got = {p.code: p for p in report.places}
    if set(got) != set(expected):
        problems.append(f"places differ: {sorted(set(got) ^ set(expected))[:10]}")
    for code, (state, distance, offers) in sorted(expected.items()):
        place = got.get(code)
        if place is None:
            continue
        if place.state != state:
            problems.append(f"{code}: {place.state} != {state} ({place.distance_km} / {distance})")
        elif state != UNCOVERED and (
            abs(place.distance_km - distance) > 1e-9 or place.offer_id not in offers
        ):
            problems.append(f"{code}: {place.offer_id}@{place.distance_km} != {offers}@{distance}")
    return problems


def check_totals(report) -> None:
    """Totals are the sums of the places' states and populations."""
    from territories.models import TerritoryAncestor

    ids = [t.territory_id for t in report.subtotals]
    inside = {pk: set() for pk in ids}
    for descendant, ancestor in TerritoryAncestor.objects.filter(ancestor__in=ids).values_list(
        "descendant_id", "ancestor_id"
    ):
        inside[ancestor].add(descendant)
    for totals in (report.totals, *report.subtotals):
        members = [
            p
            for p in report.places
            if totals is report.totals or p.territory_id in inside[totals.territory_id]
        ]
        for state in (COVERED, FAR, UNCOVERED):
            inside_state = [p for p in members if p.state == state]
            assert totals.places[state] == len(inside_state), (totals.code, state)
            assert totals.population[state] == sum(p.population or 0 for p in inside_state)


# Per seed: the territory (small enough for one lookup per place on a busy machine), then
# (service, country, sector, horizon) combinations.
CASES = {
    11: (
        ("departement", "2A"),
        [
            ("prospecting-missions", None, None, 30.0),
            ("export-finance", "US", "C", 60.0),
            ("public-aid", "JP", "A", 20.0),
        ],
    ),
    23: (
        ("departement", "13"),
        [
            ("trade-fairs", "MA", None, 100.0),
            ("transport-logistics", None, None, 25.0),
            ("information-orientation", None, "62", 10.0),
        ],
    ),
    37: (
        ("departement", "91"),
        [
            ("information-orientation", "CN", "C", 15.0),
            ("prospecting-missions", None, None, 5.0),
        ],
    ),
}


@pytest.mark.parametrize("seed", sorted(CASES))
def test_report_matches_one_lookup_per_place_on_random_registries(seed):
    world = World.load()
    generate_registry(seed=seed, world=world, via="bulk")
    where, combos = CASES[seed]
    area = territory(*where)
    states_seen = set()
    for service_code, country, sector_code, horizon in combos:
        report = commune_coverage(
            territory=area,
            service=service(service_code),
            country=territory("country", country) if country else None,
            sector=sector_code,
            horizon_km=horizon,
            today=TODAY,
        )
        expected = brute_force(
            territory_=area,
            service_code=service_code,
            country=country,
            sector_code=sector_code,
            horizon=horizon,
        )
        problems = compare(report, expected)
        assert not problems, f"{service_code} {country} {sector_code}: " + "\n".join(problems[:8])
        check_totals(report)
        states_seen |= {p.state for p in report.places}
    # Not a vacuous proof: the random registries give places in more than one state.
    assert len(states_seen) >= 2, states_seen


def test_whole_france_on_a_random_registry_for_one_service():
    """The report over every place of the subset, each checked by its own lookup."""
    world = World.load()
    generate_registry(seed=5, world=world, n_structures=120, via="bulk")
    france = territory("country", "FR")
    for country, sector_code in ((None, None), ("MA", "C")):
        report = commune_coverage(
            territory=france,
            service=service("prospecting-missions"),
            country=territory("country", country) if country else None,
            sector=sector_code,
            horizon_km=50.0,
            today=TODAY,
        )
        expected = brute_force(
            territory_=france,
            service_code="prospecting-missions",
            country=country,
            sector_code=sector_code,
            horizon=50.0,
        )
        problems = compare(report, expected)
        assert not problems, "\n".join(problems[:8])
        assert len(report.places) == report_places(france).filter(latitude__isnull=False).count()
        assert {t.level for t in report.subtotals} == {"epci", "departement", "region"}
        check_totals(report)


@pytest.mark.parametrize("seed, where", [(11, ("departement", "2A")), (23, ("region", "93"))])
def test_covered_population_without_the_nearest_relay_is_the_reports(seed, where):
    """The 4 D's shortcut (the first relay within the horizon settles a place) gives the
    report's covered inhabitants, for every service and several horizons."""
    from structures.models import Service

    world = World.load()
    generate_registry(seed=seed, world=world, via="bulk")
    area = territory(*where)
    services = list(Service.objects.all())
    for horizon in (5.0, 30.0, 100.0):
        reports = {
            s.pk: commune_coverage(territory=area, service=s, horizon_km=horizon, today=TODAY)
            for s in services
        }
        shortcut = covered_population_by_service(
            territory=area, services=services, horizon_km=horizon, today=TODAY
        )
        assert shortcut == {pk: r.totals.population[COVERED] for pk, r in reports.items()}
    # Not vacuous: some services covered somewhere, some places not.
    assert any(shortcut.values())
    assert any(r.totals.places[COVERED] < len(r.places) for r in reports.values())


# --- Hand-made cases ----------------------------------------------------------------------------


def relay(commune_code, *, covers, service_code="prospecting-missions", **offer):
    structure = StructureFactory(commune=territory("commune", commune_code))
    return OfferFactory(
        structure=structure, service=service(service_code), coverage=covers, **offer
    )


def report_for(area, **options):
    return commune_coverage(territory=area, service=service("prospecting-missions"), **options)


def test_a_departement_with_a_gap():
    """A relay covering one EPCI of the Hérault: its places are covered, the rest uncovered."""
    herault = territory("departement", "34")
    montpellier = territory("commune", "34172")
    metropole = next(t for t in montpellier.ancestor_links.all() if t.ancestor.level == "epci")
    offer = relay("34172", covers=[metropole.ancestor])
    report = report_for(herault)
    inside = set(report_places(metropole.ancestor).values_list("code", flat=True))
    assert inside and len(inside) < len(report.places)
    for place in report.places:
        if place.code in inside:
            assert (place.state, place.offer_id) == (COVERED, offer.pk), place
            assert place.distance_km < 100
        else:
            assert (place.state, place.offer_id, place.distance_km) == (UNCOVERED, None, None)
    assert report.place("34172").distance_km == 0.0
    assert report.totals.places[COVERED] == len(inside)
    assert report.totals.places[UNCOVERED] == len(report.places) - len(inside)
    epci = next(t for t in report.subtotals if t.territory_id == metropole.ancestor_id)
    assert epci.places == {COVERED: len(inside), FAR: 0, UNCOVERED: 0}
    assert epci.population[COVERED] == sum(
        p.population or 0 for p in report.places if p.code in inside
    )
    assert {t.level for t in report.subtotals} == {"epci"}  # the département is the total


def test_a_relay_beyond_the_horizon_is_far_with_its_distance():
    """A Montpellier relay covering the Gard: Nîmes is about 45 km away."""
    offer = relay("34172", covers=[territory("departement", "30")])
    gard = territory("departement", "30")
    wide = report_for(gard, horizon_km=100)
    narrow = report_for(gard, horizon_km=20)
    nimes = lookup(service="prospecting-missions", commune="30189", k=1)
    distance = nimes.results[0].distance_km
    assert 40 < distance < 60
    assert (wide.place("30189").state, wide.place("30189").distance_km) == (COVERED, distance)
    far = narrow.place("30189")
    assert (far.state, far.distance_km, far.offer_id, far.structure_id) == (
        FAR,
        distance,
        offer.pk,
        offer.structure_id,
    )
    assert narrow.totals.places[UNCOVERED] == 0
    assert narrow.totals.places[FAR] > 0 and narrow.totals.population[FAR] > 0


def test_the_default_horizon_is_the_setting(settings):
    relay("34172", covers=[territory("departement", "30")])
    settings.RELAY_HORIZON_KM = 20
    assert report_for(territory("departement", "30")).place("30189").state == FAR
    settings.RELAY_HORIZON_KM = 100
    assert report_for(territory("departement", "30")).place("30189").state == COVERED


def test_a_market_restricted_offer():
    herault = territory("departement", "34")
    morocco, germany = territory("country", "MA"), territory("country", "DE")
    relay("34172", covers=[herault], markets=[morocco])
    relay("34172", covers=[herault], markets={germany: "planned"})
    assert report_for(herault, country=morocco).totals.places[UNCOVERED] == 0
    # A planned market is not competence (a fallback only); another country, none at all.
    assert report_for(herault, country=germany).totals.places[COVERED] == 0
    assert report_for(herault, country=territory("country", "US")).totals.places[COVERED] == 0
    # No country asked: both offers are competent (the market is a stated condition).
    assert report_for(herault).totals.places[UNCOVERED] == 0


def test_a_sector_restricted_offer():
    herault = territory("departement", "34")
    relay("34172", covers=[herault], sectors=[sector("62")])
    assert report_for(herault, sector="62.01Z").totals.places[UNCOVERED] == 0
    assert report_for(herault, sector="J").totals.places[UNCOVERED] == 0  # its section
    assert report_for(herault, sector="10").totals.places[COVERED] == 0
    assert report_for(herault).totals.places[UNCOVERED] == 0


def test_eligibility_and_members_only_never_filter():
    """docs/relay.md "Coverage report": a relay competent for some firm of the place counts."""
    herault = territory("departement", "34")
    relay("34172", covers=[herault], min_employees=50, min_age_years=3, members_only=True)
    assert report_for(herault).totals.places[UNCOVERED] == 0


def test_inactive_and_unpublished_relays_do_not_count():
    herault = territory("departement", "34")
    relay("34172", covers=[herault], is_active=False)
    structure = StructureFactory(unvalidated=True, coverage=[herault])
    OfferFactory(structure=structure, service=service("prospecting-missions"))
    OfferFactory(service=service("trade-fairs"), structure__coverage=[herault])
    assert report_for(herault).totals.places[COVERED] == 0


def test_cities_are_reported_by_arrondissement():
    report = report_for(territory("departement", "75"))
    codes = {p.code for p in report.places}
    assert "75056" not in codes and "75108" in codes and len(codes) == 20
    assert report.totals.places[UNCOVERED] == 20


def test_bad_input_is_refused_in_french():
    with pytest.raises(CoverageError, match="Secteur inconnu"):
        report_for(territory("departement", "34"), sector="ZZZ")
    with pytest.raises(CoverageError):
        report_for(territory("commune", "34172"))
    with pytest.raises(CoverageError):
        report_for(territory("departement", "34"), horizon_km=0)
    with pytest.raises(CoverageError):
        report_for(territory("departement", "34"), country=territory("region", "76"))


def test_bench_coverage_command_smoke():
    relay("34172", covers=[territory("departement", "34")])
    out = StringIO()
    call_command("bench_coverage", "--region", "76", stdout=out)
    text = out.getvalue()
    assert "Occitanie" in text and "France" in text
    assert "communes" in text and " s" in text


def test_the_latitude_cut_finds_the_same_nearest_offer_as_a_full_scan():
    """The search inside one coverage territory stops early; it must agree with measuring all,
    shared points and equal distances included."""
    from core.geo import haversine_km
    from structures.coverage import _Candidates

    rng = random.Random(3)
    hubs = [(rng.uniform(41, 51), rng.uniform(-5, 9)) for _ in range(15)]
    for _ in range(30):
        rows = []
        for n in range(rng.randint(1, 300)):
            lat, lon = (
                rng.choice(hubs)
                if rng.random() < 0.5
                else (
                    rng.uniform(41, 51),
                    rng.uniform(-5, 9),
                )
            )
            rows.append((lat, lon, 3, rng.randint(0, 1), f"s{rng.randint(0, 40)}|{n:012d}", n, n))
        candidates = _Candidates(rows)
        for _ in range(40):
            lat, lon = (
                rng.choice(hubs)
                if rng.random() < 0.3
                else (
                    rng.uniform(41, 51),
                    rng.uniform(-5, 9),
                )
            )
            want = min(((haversine_km(lat, lon, r[0], r[1]), *r[2:5]), r[5], r[6]) for r in rows)
            assert candidates.nearest(lat, lon, None) == want
