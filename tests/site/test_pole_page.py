"""A pôle's public page: its tier, its international services with their intensity, and its
alliances with foreign clusters as links with their countries."""

from __future__ import annotations

from html import unescape

import pytest

from structures.enums import LabelTier, LinkStatus, ServiceIntensity, StructureKind
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    StructureLinkFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def cluster_abroad(name: str, iso: str, **kwargs):
    return StructureFactory(
        name=name,
        kind=StructureKind.CLUSTER_SPL,
        commune=None,
        postal_code="",
        country=territory("country", iso),
        latitude=50.85,
        longitude=4.35,
        **kwargs,
    )


@pytest.fixture
def pole(db):
    pole = StructureFactory(name="Pôle Systèmes Complexes", pole=True, label_tier=LabelTier.MONDIAL)
    OfferFactory(
        structure=pole,
        service=service("inter-cluster-alliances"),
        members_only=True,
        intensity=ServiceIntensity.CENTRAL,
    )
    OfferFactory(
        structure=pole,
        service=service("partner-search"),
        members_only=True,
        intensity=ServiceIntensity.OCCASIONAL,
    )
    OfferFactory(structure=pole, service=service("translation"))  # intensity not stated
    StructureLinkFactory(
        from_structure=pole,
        to_structure=cluster_abroad("DSP Valley", "BE"),
        countries=[territory("country", "BE")],
        description="Source : Colovic (2013).",
    )
    StructureLinkFactory(
        from_structure=cluster_abroad("Cluster de Casablanca", "MA"),
        to_structure=pole,
        status=LinkStatus.PLANNED,
        countries=[territory("country", "MA")],
    )
    return pole


def page(client, structure) -> str:
    response = client.get(f"/structures/{structure.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_pole_page_shows_tier_services_with_intensity_and_alliances(client, pole):
    html = page(client, pole)
    assert '<li class="tag">Pôle mondial</li>' in html
    services = html[html.index('id="services"') : html.index('id="alliances"')]
    assert "Alliances inter-clusters" in services
    assert '<span class="tag tag--accent">Central (mode privilégié)</span>' in services
    assert '<span class="tag">Occasionnel</span>' in services
    assert services.count("<dt>Intensité</dt>") == 2  # not for the translation offer
    alliances = html[html.index('id="alliances"') : html.index('id="reseau"')]
    assert "elle ne vaut pas compétence pour ses pays" in alliances
    assert "DSP Valley" in alliances and "Cluster de Casablanca" in alliances
    assert 'Belgique <span class="muted small">(BE)</span>' in alliances
    assert 'Maroc <span class="muted small">(MA)</span>' in alliances
    assert alliances.index("DSP Valley") < alliances.index("Cluster de Casablanca")
    assert "en projet" in alliances
    assert "Source : Colovic (2013)." in alliances
    # Alliances are not listed again among the partnerships.
    network = html[html.index('id="reseau"') :]
    assert "DSP Valley" not in network


def test_vocation_mondiale_tier_and_no_alliance_section_without_alliances(client):
    pole = StructureFactory(pole=True, label_tier=LabelTier.VOCATION_MONDIALE)
    OfferFactory(structure=pole, service=service("trade-fairs"), intensity="regular")
    html = page(client, pole)
    assert "Pôle à vocation mondiale" in html
    assert '<span class="tag">Régulier</span>' in html
    assert 'id="alliances"' not in html


def test_the_foreign_cluster_page_shows_the_alliance_too(client, pole):
    dsp = pole.outgoing_links.get().to_structure
    html = page(client, dsp)
    alliances = html[html.index('id="alliances"') : html.index('id="reseau"')]
    assert "Pôle Systèmes Complexes" in alliances and "(BE)" in alliances
