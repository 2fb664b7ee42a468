"""The competence preview, live, in headless Chromium: choosing a target market on an offer's
page says what it does to the searches before anything is submitted (issue 13, point 2)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from structures.models import OfferMarket
from structures.permissions import STAFF_GROUP
from tests.structures.factories import (
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}


def test_choosing_a_market_previews_the_narrowing_before_saving(browser):
    call_command("setup_staff_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = UserFactory(username="agent.salons")
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    structure = StructureFactory(name="CCI Hérault", commune=territory("commune", "34172"))
    offer = OfferFactory(structure=structure, service=service("trade-fairs"))
    StaffMembershipFactory(user=user, structure=structure)

    page = browser.page(viewport=LAPTOP)
    page.goto("/espace/")
    browser.sign_in(page, "agent.salons")
    page.goto(f"/admin/structures/offer/{offer.pk}/change/")
    region = page.locator("#competence-preview")
    assert region.get_attribute("aria-live") == "polite"
    assert not page.get_by_label("Je confirme ce changement").is_visible()

    # A market row, its country chosen in the autocomplete: no submit.
    page.locator("#markets-group .add-row a").click()
    page.locator("#markets-group .select2-selection").last.click()
    page.locator(".select2-container--open .select2-search__field").fill("Maroc")
    page.get_by_role("option", name="Maroc").click()

    sentence = "Cette offre ne sera plus proposée que pour : Maroc."
    region.get_by_text(sentence).wait_for()
    assert "Elle ne le sera plus pour les autres pays." in region.inner_text()
    confirm = page.get_by_label("Je confirme ce changement")
    assert confirm.is_visible()
    assert page.locator('input[name="narrowing_digest"]').input_value()
    assert not OfferMarket.objects.filter(offer=offer).exists()  # nothing saved yet
    browser.screenshot(page, "staff-offer-live-preview")
    assert browser.problems == []  # the page itself: no CSP violation, no script error
    seen = len(browser.problems)
    assert browser.axe(page) == []
    # axe-core reading the admin's style sheets adds <style> elements, which the page's policy
    # refuses: the tool's own, not the page's (none before it ran, above).
    by_axe = browser.problems[seen:]
    assert all("inline" in problem for problem in by_axe), by_axe
    del browser.problems[seen:]

    # Confirmed once, saved at the first submit.
    confirm.check()
    page.get_by_role("button", name="Enregistrer", exact=True).first.click()
    page.wait_for_url(re.compile(r"/espace/"))
    assert OfferMarket.objects.filter(offer=offer, country__code="MA").exists()
