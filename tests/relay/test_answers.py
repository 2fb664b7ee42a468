"""What a person reads (docs/relay.md §5–6): near misses, no dead end, the own-région rule and
national desks said, one rounding, each language whole."""

import datetime

import pytest
from django.utils.translation import override

from structures.relay import reference
from structures.relay.enums import ConditionKind, FallbackKind
from structures.relay.types import EligibilityProfile
from structures.relay.wording import why
from tests.relay.lookup import lookup
from tests.relay.test_rules import MONTPELLIER, ids, relay_at
from tests.structures.factories import sector, territory

pytestmark = pytest.mark.django_db

FIVE_EMPLOYEES = EligibilityProfile(employees=5)


def test_an_offer_failing_one_condition_of_the_profile_is_a_labelled_near_miss():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")], min_employees=10)
    response = lookup(service="prospecting-missions", commune=MONTPELLIER, profile=FIVE_EMPLOYEES)
    assert response.results == []
    [near] = response.fallbacks
    assert (near.offer.pk, near.fallback) == (offer.pk, FallbackKind.NEAR_MISS)
    assert near.missed.kind == ConditionKind.EMPLOYEES and near.missed.low == 10
    assert near.matched_territory.code == "34"  # it covers the commune
    assert "à une condition près : à partir de 10 salariés" in near.why_fr
    assert "but for one condition: 10 employees or more" in near.why_en
    assert near.fallback_label == "à une condition près"


def test_two_failed_conditions_or_a_planned_market_as_well_are_no_near_miss():
    relay_at(
        MONTPELLIER, covers=[territory("departement", "34")], min_employees=10, min_age_years=5
    )
    young_and_small = EligibilityProfile(employees=5, created_on=datetime.date(2025, 6, 1))
    response = lookup(
        service="prospecting-missions",
        commune=MONTPELLIER,
        profile=young_and_small,
        today=datetime.date(2026, 11, 30),
    )
    assert response.fallbacks == []
    planned = relay_at(
        "34003",  # Agde
        covers=[territory("departement", "34")],
        min_employees=10,
        markets={territory("country", "MA"): "planned"},
    )
    response = lookup(
        service="prospecting-missions", commune=MONTPELLIER, country="MA", profile=FIVE_EMPLOYEES
    )
    assert planned.pk not in [r.offer.pk for r in response.fallbacks]


def test_a_near_miss_on_the_naf_code_says_the_rule():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    offer.naf_include.set([sector("10")])
    response = lookup(
        service="prospecting-missions",
        commune=MONTPELLIER,
        profile=EligibilityProfile(naf_code="62.01Z"),
    )
    [near] = response.fallbacks
    assert near.offer.pk == offer.pk and near.missed.kind == ConditionKind.NAF_INCLUDE
    assert "Industries alimentaires" in near.why_fr


def test_no_competent_relay_the_generalist_desk_is_the_next_step():
    desk = relay_at(
        MONTPELLIER,
        covers=[territory("departement", "34")],
        service_code="information-orientation",
        name="CCI guichet",
    )
    response = lookup(service="export-finance", commune=MONTPELLIER)
    assert response.results == []
    assert [(r.offer.pk, r.fallback) for r in response.fallbacks] == [
        (desk.pk, FallbackKind.GENERALIST)
    ]
    assert "premier contact" in response.fallbacks[0].why_fr
    assert response.hint.startswith("Aucun relais n'offre ce service pour votre commune.")
    # Competent relays exist: no generalist step.
    relay_at(MONTPELLIER, covers=[territory("region", "76")], service_code="export-finance")
    assert all(
        r.fallback != FallbackKind.GENERALIST
        for r in lookup(service="export-finance", commune=MONTPELLIER).fallbacks
    )


def test_the_generalist_desk_comes_from_anywhere_when_none_covers_the_place():
    lyon_desk = relay_at(
        "69123", covers=[territory("departement", "69")], service_code="information-orientation"
    )
    response = lookup(service="export-finance", commune=MONTPELLIER)
    [step] = response.fallbacks
    assert (step.offer.pk, step.fallback) == (lyon_desk.pk, FallbackKind.GENERALIST)
    assert step.matched_territory is None  # it does not cover Montpellier


def test_the_hint_names_only_what_narrowed_the_search():
    relay_at(
        MONTPELLIER, covers=[territory("departement", "34")], markets=[territory("country", "DE")]
    )
    by_country = lookup(service="prospecting-missions", commune=MONTPELLIER, country="MA")
    assert by_country.hint == (
        "Aucun relais n'est compétent pour ce besoin avec ces critères. Essayez sans pays visé."
    )
    plain = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert plain.results and plain.hint == ""


def test_the_own_region_rule_is_said_when_it_decides_the_order():
    france = territory("country", "FR")
    arles = relay_at("13004", covers=[france], service_code="transport-logistics")  # ~27 km
    montpellier = relay_at(MONTPELLIER, covers=[france], service_code="transport-logistics")
    response = lookup(service="transport-logistics", commune="30189")  # Nîmes, Occitanie
    assert ids(response) == [montpellier.pk, arles.pk]
    first, second = response.results
    assert first.region_first and not second.region_first
    assert "région" in first.why_fr and "region" in first.why_en
    # Alone, nothing to say.
    only = lookup(service="transport-logistics", commune="34172", k=1)
    assert not only.results[0].region_first


def test_a_national_desk_is_said_as_such():
    offer = relay_at(
        "75056",
        covers=[territory("country", "FR")],
        service_code="export-insurance",
        delivery="both",
    )
    response = lookup(service="export-insurance", commune="2A004")  # Ajaccio
    [result] = response.results
    assert result.offer.pk == offer.pk and result.is_national
    assert "Service national, joignable par téléphone ou visio." in result.why_fr
    assert "National service, reachable by phone or video call." in result.why_en


def test_distances_are_rounded_half_up_in_sentences_and_cards():
    from dataclasses import replace

    from web.templatetags.site_extras import distance

    relay_at("30189", covers=[territory("region", "76")])  # Nîmes
    found = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    for km, shown_fr, shown_en in (
        (195.8, "196", "196"),
        (9356.6, "9\xa0357", "9,357"),
        (2.45, "2,5", "2.5"),
    ):
        result = replace(found, distance_km=km)
        with override("fr"):
            assert f"à {shown_fr} km" in why(result, _service(), "fr")
            assert distance(result).endswith(f"{shown_fr} km")
        with override("en"):
            assert f"{shown_en} km away" in why(result, _service(), "en")


def test_english_sentences_are_english_through_and_through():
    relay_at(
        MONTPELLIER,
        covers=[territory("departement", "34")],
        members_only=True,
        application_required=True,
        sectors=[sector("10")],
        markets=[territory("country", "MA")],
        min_employees=10,
    )
    result = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    for french in ("réservé", "adhérents", "candidature", "salariés", "marchés", "secteurs", " à "):
        assert french not in result.why_en, (french, result.why_en)
    assert "Morocco" in result.why_en and "Maroc" in result.why_fr


def _service():
    return reference.services.get()["prospecting-missions"]


def test_the_generalist_step_is_a_desk_open_to_every_firm():
    relay_at(
        MONTPELLIER,
        covers=[territory("departement", "34")],
        service_code="information-orientation",
        members_only=True,
        name="Club",
    )
    open_desk = relay_at(
        "34003",
        covers=[territory("departement", "34")],
        service_code="information-orientation",
        name="CCI",
    )
    [step] = lookup(service="export-finance", commune=MONTPELLIER).fallbacks
    assert (step.offer.pk, step.fallback) == (open_desk.pk, FallbackKind.GENERALIST)
