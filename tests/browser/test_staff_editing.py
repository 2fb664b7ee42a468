"""The staff journey in headless Chromium: "Mes fiches" → the structure form (fits a 1,366 px
screen, hours typed day by day) → save → back on "Mes fiches"."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from structures.permissions import STAFF_GROUP
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}


def test_staff_edit_the_listing_and_come_back(browser):
    call_command("setup_staff_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = UserFactory(username="agent.cci")
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    structure = StructureFactory(
        name="Chambre de commerce et d'industrie Hérault", acronym="CCI Hérault"
    )
    contact = ContactFactory(
        structure=structure, name="Pôle international", email="international@example.org"
    )
    OfferFactory(structure=structure, service=service("trade-fairs"), contact=contact)
    StaffMembershipFactory(user=user, structure=structure)

    page = browser.page(viewport=LAPTOP)
    page.goto("/espace/")
    page.get_by_label("Nom d’utilisateur").fill("agent.cci")
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    # Every form is one click away: no section to unfold first.
    listing = page.locator(f"#fiche-{structure.slug}")
    assert listing.get_by_role("link", name="Modifier l'offre « Salons").is_visible()
    assert listing.get_by_role(
        "link", name="Modifier le contact « Pôle international »"
    ).is_visible()
    listing.get_by_role("link", name="Modifier la fiche").click()
    page.wait_for_url(re.compile(r"/admin/structures/structure/\d+/change/\?next="))

    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    header = page.locator("#header").inner_text()
    assert "Registre des relais export" in header and "Django" not in header
    page.get_by_label("lundi : ouverture").fill("09:00")
    page.get_by_label("lundi : fermeture").first.fill("12:30")
    page.get_by_label("mardi : ouverture").fill("09:00")
    page.get_by_label("mardi : fermeture").first.fill("12:30")
    page.get_by_label("Fermé les jours fériés").check()
    browser.screenshot(page, "staff-structure-form")
    page.get_by_role("button", name="Enregistrer", exact=True).first.click()

    page.wait_for_url(re.compile(r"/espace/(#fiche-.*)?$"))
    assert "modifié" in page.get_by_role("status").inner_text()
    structure.refresh_from_db()
    assert structure.opening_hours == "Mo,Tu 09:00-12:30; PH off"
    browser.screenshot(page, "staff-back-on-my-listings")
