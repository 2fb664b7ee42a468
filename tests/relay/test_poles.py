"""The relay and a pôle de compétitivité: its international services are offers like any other
(members-only ones marked, never hidden), and its alliances abroad are links, never competence
for their countries (rule R10)."""

from __future__ import annotations

import pytest

from structures.enums import ServiceIntensity, StructureKind
from structures.relay.enums import MarketMatch
from structures.relay.types import EligibilityProfile
from tests.relay.lookup import lookup
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    StructureLinkFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

MONTPELLIER = "34172"


def pole_offering(service_code: str, **offer):
    """A pôle of Occitanie offering one service to its members, with its intensity."""
    pole = StructureFactory(name="Pôle Occitanie", pole=True, coverage=[territory("region", "76")])
    return OfferFactory(
        structure=pole,
        service=service(service_code),
        members_only=True,
        intensity=offer.pop("intensity", ServiceIntensity.REGULAR),
        **offer,
    )


def moroccan_cluster():
    return StructureFactory(
        name="Cluster marocain",
        kind=StructureKind.CLUSTER_SPL,
        commune=None,
        postal_code="",
        country=territory("country", "MA"),
        latitude=33.57,
        longitude=-7.59,
    )


def test_the_relay_finds_a_pole_service_as_an_offer_marked_for_members():
    missions = pole_offering("prospecting-missions", application_required=True)
    anyone = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert [r.offer.pk for r in anyone.results] == [missions.pk]
    assert "réservé aux adhérents" in anyone.results[0].notes
    assert "sur candidature" in anyone.results[0].notes
    member = lookup(
        service="prospecting-missions",
        commune=MONTPELLIER,
        profile=EligibilityProfile(member_of=frozenset({missions.structure_id})),
    )
    assert [r.offer.pk for r in member.results] == [missions.pk]
    assert "réservé aux adhérents (vous l'êtes)" in member.results[0].notes


def test_an_alliance_with_a_moroccan_cluster_is_not_competence_for_morocco():
    # The pôle's partner search serves Germany only; its alliance with a Moroccan cluster names
    # Morocco as the alliance's country.
    search = pole_offering(
        "partner-search", intensity=ServiceIntensity.CENTRAL, markets=[territory("country", "DE")]
    )
    StructureLinkFactory(
        from_structure=search.structure,
        to_structure=moroccan_cluster(),
        countries=[territory("country", "MA")],
    )
    for_morocco = lookup(service="partner-search", commune=MONTPELLIER, country="MA")
    assert for_morocco.results == []
    assert search.pk not in {r.offer.pk for r in for_morocco.fallbacks if r.offer is not None}
    # An alliance the other way round changes nothing either.
    StructureLinkFactory(
        from_structure=moroccan_cluster(),
        to_structure=search.structure,
        countries=[territory("country", "MA")],
    )
    again = lookup(service="partner-search", commune=MONTPELLIER, country="MA")
    assert again.results == []
    # Germany, the offer's recorded market, is competence.
    for_germany = lookup(service="partner-search", commune=MONTPELLIER, country="DE")
    assert [r.offer.pk for r in for_germany.results] == [search.pk]
    assert for_germany.results[0].market_match == MarketMatch.EXPLICIT


def test_an_alliance_adds_no_explicit_market_to_a_generalist_pole_service():
    fairs = pole_offering("trade-fairs")
    StructureLinkFactory(
        from_structure=fairs.structure,
        to_structure=moroccan_cluster(),
        countries=[territory("country", "MA")],
    )
    response = lookup(service="trade-fairs", commune=MONTPELLIER, country="MA")
    # Competent as a generalist offer (no market at all), not because of the alliance.
    assert [r.offer.pk for r in response.results] == [fairs.pk]
    assert response.results[0].market_match == MarketMatch.GENERALIST
