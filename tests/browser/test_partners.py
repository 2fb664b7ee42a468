"""The partner finder's staff page in headless Chromium, at desktop and phone widths: an animator
of export groups logs in, starts from a registered SME, reads the candidates and the proposed
groups, and (on the desktop) creates the group from the first proposal. Screenshots, no
horizontal overflow, axe-core clean on every page."""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from smes.enums import MembershipRole
from smes.models import SMEMembership
from structures.enums import StructureKind
from structures.models import Sector, Structure
from structures.permissions import STAFF_GROUP
from territories.models import Territory
from tests.api.conftest import grant
from tests.browser.conftest import DESKTOP, PHONE
from tests.smes.factories import SMEFactory, make_siret
from tests.structures.factories import (
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    territory,
)

pytestmark = pytest.mark.browser


def _consenting(n: int, *, name: str, naf: str, markets, commune: str = "34172"):
    sme = SMEFactory(
        siret=make_siret(7100 + n),
        name=name,
        naf_code=naf,
        employee_range="11",
        target_markets=markets,
        partner_search_consent=True,
        partner_search_consent_at=timezone.now(),
        commune=territory("commune", commune),
    )
    sme.sector = Sector.objects.get(kind="naf_division", code=naf[:2])
    sme.save()
    return sme


def _world():
    """A biscuit maker of Montpellier, three consenting neighbours, and the CCI's animator."""
    with open(os.devnull, "w") as quiet:
        call_command("setup_staff_groups", stdout=quiet)
    de, ma = (Territory.objects.get(level="country", code=code) for code in ("DE", "MA"))
    origin = _consenting(0, name="Biscuiterie d'Oc", naf="10.89Z", markets=[de, ma])
    partners = [
        _consenting(1, name="Brasserie des Garrigues", naf="11.02B", markets=[de], commune="34129"),
        _consenting(2, name="Ferronnerie du Lez", naf="25.62B", markets=[de, ma]),
        _consenting(3, name="Moulin de Lattes", naf="10.13B", markets=[ma], commune="34129"),
    ]
    animator = StructureFactory(name="CCI Hérault international")
    StructureFactory(name="Groupement existant", kind=StructureKind.EXPORT_GROUP, parent=animator)
    user = UserFactory(username="animatrice", scope=[territory("departement", "34")])
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    grant(user, "smes.view_sme")
    StaffMembershipFactory(user=user, structure=animator)
    return origin, partners, animator


def _check(browser, page, name: str) -> None:
    assert not browser.has_horizontal_overflow(page), name
    browser.screenshot(page, name)
    assert browser.axe(page) == [], name


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_an_animator_finds_partners_and_creates_the_group(browser, viewport, name):
    origin, partners, animator = _world()
    page = browser.page(viewport=viewport)
    page.goto("/espace/partenaires/")
    page.wait_for_url(re.compile(r"/connexion/"))
    browser.sign_in(page, "animatrice", lands_on=r"/espace/partenaires/$")
    _check(browser, page, f"partners-form-{name}")

    page.get_by_label("SIRET d'une PME du registre").fill(origin.siret)
    page.get_by_role("button", name="Chercher des partenaires").click()
    page.wait_for_url(re.compile(r"siret="))
    main = page.locator("main").inner_text()
    assert "3 partenaires possibles" in main
    for partner in partners:
        assert partner.name in main
    assert "Proposition 1" in main
    _check(browser, page, f"partners-results-{name}")
    if name != "desktop":
        return

    proposal = page.locator("section.card").first
    members = proposal.locator("li").all_inner_texts()
    proposal.get_by_label("Nom du groupement").fill("Groupement Saveurs d'Oc")
    proposal.get_by_role("button", name="Créer ce groupement").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    assert "Groupement « Groupement Saveurs d'Oc » créé" in page.get_by_role("status").inner_text()
    _check(browser, page, "partners-group-created-desktop")
    group = Structure.objects.get(name="Groupement Saveurs d'Oc")
    assert group.kind == StructureKind.EXPORT_GROUP and group.parent == animator
    assert not group.is_validated  # published once a registry administrator validates it
    roles = dict(SMEMembership.objects.filter(structure=group).values_list("sme__name", "role"))
    assert roles[origin.name] == MembershipRole.COORDINATOR
    assert len(roles) == len(members)
