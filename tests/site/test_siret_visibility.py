"""A SIRET gives the same answer on the search page and the API, under one visibility rule.

Anonymous visitors (and anyone who may not read the firm's registry record) get a lookup built
from what SIRENE publishes — the firm's commune and NAF code — never from its coordinates, size,
memberships or export stage; a caller allowed to read that SME gets its whole profile, on both.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from tests.smes.factories import SMEFactory, SMEMembershipFactory
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    UserFactory,
    sector,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(registry):
    """A registered firm of Montpellier, member of the club, with its own point and size."""
    sme = SMEFactory(
        naf_code="10.71C", employees=4, latitude=43.5800, longitude=3.9300, export_stage="regular"
    )
    SMEMembershipFactory(sme=sme, structure=registry.club)
    # Reserved to firms of 10 employees or more: competent only while the size is unknown.
    OfferFactory(structure=registry.cci, service=service("partner-search"), min_employees=10)
    # Reserved to the food industry: the (public) NAF code decides, for everyone.
    digital = StructureFactory(name="Pôle numérique", coverage=[territory("departement", "34")])
    OfferFactory(structure=digital, service=service("trade-fairs"), sectors=[sector("62")])
    return sme


def _reader():
    # SME records are a territorial right: the reader's account covers the firm's département.
    user = UserFactory(scope=[territory("departement", "34")])
    user.user_permissions.add(
        Permission.objects.get(codename="view_sme", content_type__app_label="smes")
    )
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def _page(client, siret: str, service_code: str):
    response = client.get("/recherche/", {"where": siret, "service": service_code})
    assert response.status_code == 200, response.content
    relay = response.context["response"]
    return {
        "location": (
            relay.location.commune.code,
            relay.location.latitude,
            relay.location.longitude,
            relay.location.precision,
        ),
        "note": str(relay.location.note),
        "results": [(r.offer.pk, r.fallback, r.why_fr) for r in relay.results],
        "fallbacks": [(r.offer.pk, r.fallback, r.why_fr) for r in relay.fallbacks],
    }


def _api(client, siret: str, service_code: str):
    response = client.get("/api/v1/relays/", {"siret": siret, "service": service_code})
    assert response.status_code == 200, response.content
    body = response.json()
    location = body["location"]
    return {
        "location": (
            location["commune"]["code"],
            location["latitude"],
            location["longitude"],
            location["precision"],
        ),
        "note": location["note"],
        "results": [(r["offer"]["id"], r["fallback"], r["why_fr"]) for r in body["results"]],
        "fallbacks": [(r["offer"]["id"], r["fallback"], r["why_fr"]) for r in body["fallbacks"]],
    }


@pytest.mark.parametrize("service_code", ["trade-fairs", "partner-search"])
def test_anonymous_page_and_api_give_the_same_public_answer(client, firm, service_code):
    page = _page(client, firm.siret, service_code)
    api = _api(APIClient(), firm.siret, service_code)
    assert page == api
    assert "données publiques (SIRENE)" in page["note"]
    montpellier = territory("commune", "34172")
    assert page["location"] == ("34172", montpellier.latitude, montpellier.longitude, "commune")
    sentences = " ".join(why for _pk, _kind, why in page["results"] + page["fallbacks"])
    assert "vous l'êtes" not in sentences  # membership is not public
    assert "(distance approximative)" in sentences  # from the commune's centre, not the firm
    if service_code == "partner-search":
        # The size is not public: the 10+ employees offer stays, its condition stated.
        assert "à partir de 10 salariés" in sentences
    else:
        # The NAF code is public: the IT-only offer is not competent for a bakery.
        assert all("secteur" not in why for _pk, _kind, why in page["results"])


@pytest.mark.parametrize("service_code", ["trade-fairs", "partner-search"])
def test_a_caller_who_may_read_the_sme_gets_its_whole_profile_on_both(client, firm, service_code):
    reader = _reader()
    client.force_login(reader)
    api_client = APIClient()
    api_client.force_login(reader)
    page = _page(client, firm.siret, service_code)
    api = _api(api_client, firm.siret, service_code)
    assert page == api
    assert "avec son profil" in page["note"]
    assert page["location"] == ("34172", 43.58, 3.93, "exact")
    sentences = " ".join(why for _pk, _kind, why in page["results"] + page["fallbacks"])
    if service_code == "trade-fairs":
        assert "réservé aux adhérents (vous l'êtes)" in sentences
    else:
        # 4 employees: the 10+ offer is no longer competent, and not stated as a condition.
        assert "à partir de 10 salariés" not in " ".join(why for _pk, _k, why in page["results"])


def test_the_public_answer_is_the_search_from_the_firms_commune_and_naf_code(client, firm):
    by_siret = _page(client, firm.siret, "trade-fairs")
    response = client.get(
        "/recherche/",
        {"where": "Montpellier", "commune": "34172", "service": "trade-fairs"},
    )
    by_commune = response.context["response"]
    # Same relays in the same order; only the sector (the NAF code) may narrow the list.
    assert [pk for pk, _k, _w in by_siret["results"]] == [
        r.offer.pk for r in by_commune.results if not any(c.kind == "sectors" for c in r.conditions)
    ]
