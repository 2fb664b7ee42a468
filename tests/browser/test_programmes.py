"""The programme page and the local door on the results page, in headless Chromium at phone and
desktop widths: screenshots, no horizontal overflow, axe-core clean."""

from __future__ import annotations

import pytest

from structures.models import Programme, ProgrammeEntryPoint
from tests.browser.conftest import DESKTOP, PHONE
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    service,
    territory,
)

pytestmark = pytest.mark.browser


def _programme() -> Programme:
    herault = StructureFactory(
        name="CCI Hérault — service international", coverage=[territory("departement", "34")]
    )
    desk = ContactFactory(structure=herault, name="Service international", role="Accueil export")
    region = StructureFactory(name="Bpifrance Occitanie", coverage=[territory("region", "76")])
    national = StructureFactory(name="Bpifrance", coverage=[territory("country", "FR")])
    programme = Programme.objects.create(
        name="Assurance prospection (Bpifrance Assurance Export)",
        slug="assurance-prospection",
        level="national",
        operator=national,
        summary="Avance une partie des dépenses de prospection à l'étranger.",
        eligibility="PME et ETI françaises.",
        official_url="https://www.bpifrance.fr/",
    )
    programme.services.set([service("export-insurance")])
    for level, code, structure, contact in (
        ("country", "FR", national, None),
        ("region", "76", region, None),
        ("departement", "34", herault, desk),
    ):
        row = ProgrammeEntryPoint(
            programme=programme,
            territory=territory(level, code),
            structure=structure,
            contact=contact,
            note="Sur rendez-vous" if contact else "",
        )
        row.full_clean()
        row.save()
    OfferFactory(structure=herault, service=service("export-insurance"))
    return programme


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_programme_page(browser, viewport, name):
    _programme()
    page = browser.page(viewport=viewport)
    page.goto("/dispositifs/assurance-prospection/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Assurance prospection (Bpifrance Assurance Export)"
    )
    doors = page.get_by_role("heading", level=3)
    assert doors.nth(0).inner_text().startswith("France")
    assert doors.nth(2).inner_text().startswith("Hérault")
    assert page.get_by_text("Service international — Accueil export").is_visible()
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, f"programme-{name}")
    assert browser.axe(page) == []
    page.get_by_role("link", name="Dispositifs").first.click()
    page.wait_for_url("**/dispositifs/")
    assert page.get_by_role("link", name="Assurance prospection (Bpifrance Assurance Export)")
    browser.screenshot(page, f"programme-list-{name}")
    assert browser.axe(page) == []


def test_results_page_shows_the_local_door(browser):
    _programme()
    page = browser.page(viewport=PHONE)
    page.goto("/recherche/?where=Montpellier&commune=34172&service=export-insurance")
    section = page.locator("section.local-doors")
    assert "Votre porte d'entrée locale" in section.inner_text()
    assert "CCI Hérault — service international — Service international" in section.inner_text()
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "relay-results-local-door-phone")
    assert browser.axe(page) == []
    section.get_by_role("link", name="Assurance prospection (Bpifrance Assurance Export)").click()
    page.wait_for_url("**/dispositifs/assurance-prospection/")
