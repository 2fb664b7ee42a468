"""A pôle's page in headless Chromium: its tier, its international services with their
intensity and its alliances with foreign clusters; screenshots, axe-core clean."""

from __future__ import annotations

import pytest

from structures.enums import LabelTier, LinkStatus, ServiceIntensity, StructureKind
from tests.browser.conftest import PHONE
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    StructureLinkFactory,
    service,
    territory,
)

pytestmark = pytest.mark.browser


def _cluster_abroad(name: str, iso: str, point: tuple[float, float]):
    return StructureFactory(
        name=name,
        kind=StructureKind.CLUSTER_SPL,
        commune=None,
        postal_code="",
        country=territory("country", iso),
        latitude=point[0],
        longitude=point[1],
    )


def _pole():
    pole = StructureFactory(
        name="Pôle Systèmes Numériques d'Occitanie",
        acronym="PSNO",
        pole=True,
        label_tier=LabelTier.MONDIAL,
        coverage=[territory("region", "76")],
    )
    for code, intensity, extra in (
        ("trade-fairs", ServiceIntensity.REGULAR, {"cost": "subsidised"}),
        ("prospecting-missions", ServiceIntensity.REGULAR, {"application_required": True}),
        ("inter-cluster-alliances", ServiceIntensity.CENTRAL, {}),
        ("partner-search", ServiceIntensity.OCCASIONAL, {"cost": "paid"}),
    ):
        OfferFactory(
            structure=pole, service=service(code), members_only=True, intensity=intensity, **extra
        )
    StructureLinkFactory(
        from_structure=pole,
        to_structure=_cluster_abroad("DSP Valley", "BE", (50.88, 4.70)),
        countries=[territory("country", "BE")],
        description="Source : Colovic (2013), données 2011.",
    )
    StructureLinkFactory(
        from_structure=pole,
        to_structure=_cluster_abroad("Cluster de Casablanca (fictif)", "MA", (33.57, -7.59)),
        status=LinkStatus.PLANNED,
        countries=[territory("country", "MA")],
    )
    return pole


def test_a_pole_page_shows_its_tier_services_and_alliances(browser):
    pole = _pole()
    page = browser.page()
    page.goto(f"/structures/{pole.slug}/")
    assert page.locator(".inline-list .tag").nth(1).inner_text() == "Pôle mondial"
    services = page.locator("#services").locator("..")
    assert "Central (mode privilégié)" in services.inner_text()
    assert "Occasionnel" in services.inner_text()
    alliances = page.get_by_role("region", name="Alliances avec d'autres clusters")
    text = alliances.inner_text()
    assert "DSP Valley" in text and "Belgique (BE)" in text
    assert "Maroc (MA)" in text and "en projet" in text
    alliances.get_by_role("link", name="DSP Valley").wait_for()
    page.locator("#map[data-ready='true']").wait_for()
    browser.screenshot(page, "pole")
    assert browser.axe(page) == []
    phone = browser.page(viewport=PHONE)
    phone.goto(f"/structures/{pole.slug}/")
    assert not browser.has_horizontal_overflow(phone)
    browser.screenshot(phone, "pole-phone")
    assert browser.axe(phone) == []
