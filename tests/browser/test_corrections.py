"""The correction journey in headless Chromium: a visitor reports an error on a listing, the
structure's staff member finds it from "Mes fiches" and accepts it; each step saves a
screenshot and passes axe-core."""

from __future__ import annotations

import re

import pytest

from structures.enums import CorrectionStatus
from structures.models import CorrectionReport
from tests.structures.factories import (
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
)

pytestmark = pytest.mark.browser


def test_report_an_error_then_accept_it_from_the_inbox(browser):
    structure = StructureFactory(name="CCI Hérault — service international", phone="+33467000000")
    OfferFactory(structure=structure, service=service("trade-fairs"), with_contact=True)
    StaffMembershipFactory(user=UserFactory(username="agent.cci"), structure=structure)

    visitor = browser.page()
    visitor.goto(f"/structures/{structure.slug}/")
    visitor.get_by_role("link", name="Signaler une erreur").click()
    visitor.wait_for_url(re.compile(r"/signaler/$"))
    visitor.get_by_label("Qu'est-ce qui est inexact ?").select_option("phone")
    visitor.get_by_label("Décrivez l'erreur").fill("Ce numéro ne répond plus.")
    visitor.get_by_label("La bonne information").fill("04 67 11 22 33")
    browser.screenshot(visitor, "correction-form")
    assert browser.axe(visitor) == []
    visitor.get_by_role("button", name="Envoyer le signalement").click()
    visitor.wait_for_url(re.compile(r"/signaler/merci/$"))
    assert "Merci pour votre signalement" in visitor.locator("main").inner_text()
    browser.screenshot(visitor, "correction-thanks")
    assert browser.axe(visitor) == []

    staff = browser.page()
    staff.goto("/connexion/")
    browser.sign_in(staff, "agent.cci")
    staff.get_by_role("link", name="1 signalement du public à traiter").click()
    staff.wait_for_url(re.compile(r"/espace/signalements/$"))
    browser.screenshot(staff, "correction-inbox")
    assert browser.axe(staff) == []
    staff.get_by_role("link", name="Ce numéro ne répond plus.").click()
    assert staff.get_by_label("Valeur à écrire dans la fiche").input_value() == "04 67 11 22 33"
    browser.screenshot(staff, "correction-decision")
    assert browser.axe(staff) == []
    staff.get_by_role("button", name="Accepter et corriger la fiche").click()
    staff.wait_for_url(re.compile(r"/espace/signalements/$"))
    assert "Signalement accepté" in staff.get_by_role("status").inner_text()
    assert "Aucun signalement à traiter" in staff.locator("main").inner_text()
    browser.screenshot(staff, "correction-accepted")
    assert browser.axe(staff) == []
    structure.refresh_from_db()
    assert structure.phone == "+33467112233"
    assert CorrectionReport.objects.get().status == CorrectionStatus.ACCEPTED
