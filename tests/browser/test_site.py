"""The public site and the staff pages in headless Chromium: searches, results, structure page,
staff login and "still up to date"; each step saves a screenshot and passes axe-core."""

from __future__ import annotations

import json
import re

import pytest

from structures.models import Structure
from tests.browser.conftest import PHONE
from tests.site.data import build_registry
from tests.structures.factories import (
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)

pytestmark = pytest.mark.browser

LONG_NAME = (
    "Association régionale pour le développement international des entreprises agroalimentaires "
    "et viticoles du Languedoc-Roussillon et de la Méditerranée occidentale"
)


def _long_named_relay() -> Structure:
    structure = StructureFactory(
        name=LONG_NAME, club=True, coverage=[territory("departement", "34")], acronym=""
    )
    OfferFactory(structure=structure, service=service("trade-fairs"), with_contact=True)
    return structure


def test_search_by_commune_from_the_home_page(browser):
    build_registry()
    _long_named_relay()
    page = browser.page()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert browser.axe(page) == []
    where = page.get_by_label("Où est votre entreprise ?")
    where.press_sequentially("Montpel", delay=30)
    option = page.get_by_role("option", name=re.compile("Montpellier"))
    option.first.wait_for()
    browser.screenshot(page, "home-autocomplete")
    where.press("ArrowDown")
    where.press("Enter")
    assert page.locator('input[name="commune"]').input_value() == "34172"
    page.get_by_label("De quoi avez-vous besoin ?").select_option("trade-fairs")
    browser.screenshot(page, "home")
    page.get_by_role("button", name="Trouver mon relais").click()
    page.wait_for_url(re.compile(r"/recherche/\?.*commune=34172"))
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Salons internationaux et pavillons collectifs")
    )
    cards = page.locator(".relay-list").first.locator("> li")
    assert cards.count() == 3
    cci = cards.filter(has_text="CCI Hérault — service international")
    assert "Pôle international" in cci.inner_text()
    assert "04 67 00 00 00" in cci.inner_text()
    assert "lun.–ven. : 9 h–12 h" in cci.inner_text()
    fallbacks = page.get_by_role("region", name="Solutions de repli")
    assert "CCI du Gard" in page.locator("#replis + p + ol").inner_text()
    assert fallbacks.count() == 1
    # The map shows although every tile request is blocked (offline tile server).
    page.locator("#map[data-ready='true']").wait_for()
    # One pin per spot (relays sharing a point share a pin and its popup), plus the commune.
    spots = json.loads(page.locator("#map-data").text_content())["markers"]
    assert page.locator(".leaflet-marker-icon").count() == 1 + len(spots)
    assert sorted(i["n"] for spot in spots for i in spot["items"]) == [1, 2, 3, 4]
    assert any("tile.openstreetmap.org" in url for url in browser.blocked)
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "results-commune")
    assert browser.axe(page) == []


def test_autocomplete_forgives_a_typo_and_says_so(browser):
    build_registry()
    page = browser.page()
    page.goto("/")
    where = page.get_by_label("Où est votre entreprise ?")
    where.press_sequentially("monpel", delay=30)
    option = page.get_by_role("option", name=re.compile("^Montpellier"))
    option.first.wait_for()
    listbox = page.get_by_role("listbox")
    assert listbox.get_attribute("data-note") == "Vouliez-vous dire :"
    assert listbox.get_attribute("aria-label") == "Vouliez-vous dire :"
    assert "orthographe proche" in page.locator('.field [role="status"]').text_content()
    browser.screenshot(page, "home-autocomplete-typo")
    assert browser.axe(page) == []
    where.press("ArrowDown")
    where.press("Enter")
    assert where.input_value() == "Montpellier"
    assert page.locator('input[name="commune"]').input_value() == "34172"
    # Typing a name that matches again drops the note.
    where.fill("")
    where.press_sequentially("Montpel", delay=30)
    page.get_by_role("option", name=re.compile("^Montpellier")).first.wait_for()
    assert page.get_by_role("listbox").get_attribute("data-note") is None


def test_a_misspelt_commune_gets_suggestions_on_the_page(browser):
    build_registry()
    page = browser.page(viewport=PHONE)
    page.goto("/recherche/?where=Monpelier&service=trade-fairs")
    assert page.get_by_role("heading", level=2, name="Vouliez-vous dire :").is_visible()
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "results-suggestions-phone")
    assert browser.axe(page) == []
    page.get_by_role("link", name=re.compile("^Montpellier")).click()
    page.wait_for_url(re.compile(r"commune=34172"))
    assert "Montpellier" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_label("Où est votre entreprise ?").input_value() == "Montpellier"


def test_search_by_postal_code_on_a_phone(browser):
    build_registry()
    _long_named_relay()
    page = browser.page(viewport=PHONE)
    page.goto("/")
    page.get_by_label("Où est votre entreprise ?").fill("34000")
    page.get_by_label("De quoi avez-vous besoin ?").select_option("trade-fairs")
    page.get_by_text("Préciser : secteur, pays visé, mon entreprise (facultatif)").click()
    page.get_by_label("Pays visé (facultatif)").select_option("MA")
    page.get_by_role("button", name="Trouver mon relais").click()
    page.wait_for_url(re.compile(r"/recherche/\?.*where=34000"))
    assert "Montpellier" in page.get_by_role("heading", level=1).inner_text()
    assert "marché visé" in page.locator(".relay", has_text="CCI Hérault").inner_text()
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "results-postal-code-phone")
    assert browser.axe(page) == []


def test_ambiguous_postal_code_asks_which_commune(browser):
    build_registry()
    page = browser.page(viewport=PHONE)
    page.goto("/recherche/?where=13100&service=information-orientation")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Dans quelle commune est votre entreprise ?"
    )
    browser.screenshot(page, "results-ambiguous-postal-code")
    assert browser.axe(page) == []
    page.get_by_role("link", name=re.compile("^Le Tholonet")).click()
    page.wait_for_url(re.compile(r"commune=13109"))
    assert "Le Tholonet" in page.get_by_role("heading", level=1).inner_text()
    browser.screenshot(page, "results-empty")
    assert browser.axe(page) == []


def test_search_works_without_javascript(browser):
    build_registry()
    page = browser.page(javascript=False)
    page.goto("/")
    page.get_by_label("Où est votre entreprise ?").fill("Montpellier")
    page.get_by_label("De quoi avez-vous besoin ?").select_option("trade-fairs")
    page.get_by_role("button", name="Trouver mon relais").click()
    page.wait_for_url(re.compile(r"/recherche/"))
    assert page.locator(".relay", has_text="CCI Hérault").count() == 1
    assert page.locator("#map").is_hidden()
    browser.screenshot(page, "results-without-javascript")


def test_bad_input_is_explained(browser):
    page = browser.page()
    page.goto("/recherche/?where=zzzqqq&service=trade-fairs")
    alert = page.get_by_role("alert")
    assert "Aucune commune ne correspond" in alert.inner_text()
    browser.screenshot(page, "results-bad-input")
    assert browser.axe(page) == []


def test_read_a_result_and_open_the_structure(browser):
    registry = build_registry()
    _long_named_relay()
    page = browser.page()
    page.goto("/recherche/?where=Montpellier&service=trade-fairs")
    page.get_by_role("link", name="CCI Hérault — service international (CCI 34)").first.click()
    page.wait_for_url(f"**/structures/{registry.cci.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "CCI Hérault — service international (CCI 34)"
    )
    assert page.get_by_role("heading", name="Services proposés").is_visible()
    assert "Maroc" in page.locator("#services").locator("..").inner_text()
    page.locator("#map[data-ready='true']").wait_for()
    browser.screenshot(page, "structure")
    assert browser.axe(page) == []
    phone = browser.page(viewport=PHONE)
    phone.goto(f"/structures/{Structure.objects.get(name=LONG_NAME).slug}/")
    assert not browser.has_horizontal_overflow(phone)
    browser.screenshot(phone, "structure-long-name-phone")
    assert browser.axe(phone) == []


def test_staff_login_and_still_up_to_date(browser):
    user = UserFactory(username="agent.cci")
    stale = StructureFactory(name="CCI Hérault — service international", stale=True)
    fresh = StructureFactory(name="Club des exportateurs de l'Hérault", club=True)
    OfferFactory(structure=stale, service=service("trade-fairs"), with_contact=True)
    StaffMembershipFactory(user=user, structure=stale)
    StaffMembershipFactory(user=user, structure=fresh)
    page = browser.page()
    page.goto("/espace/")
    page.wait_for_url(re.compile(r"/connexion/"))
    browser.screenshot(page, "staff-login")
    assert browser.axe(page) == []
    browser.sign_in(page, "agent.cci")
    listing = page.locator(f"#fiche-{stale.slug}")
    assert "À vérifier : plus de 18 mois" in listing.inner_text()
    assert "1 fiche est à vérifier." in page.locator("main").inner_text()
    browser.screenshot(page, "staff-listings")
    assert browser.axe(page) == []
    listing.get_by_role("button", name="Toujours à jour").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    assert "est confirmée à jour" in page.get_by_role("status").inner_text()
    assert "Toutes vos fiches sont à jour." in page.locator("main").inner_text()
    stale.refresh_from_db()
    assert stale.verified_by == user
    browser.screenshot(page, "staff-confirmed")
    assert browser.axe(page) == []


@pytest.mark.parametrize(
    ("name", "url", "heading"),
    [
        ("directory", "/structures/", "Annuaire des structures d'appui à l'export"),
        ("territory-commune", "/territoires/commune/34172/", "Montpellier"),
        ("territory-departement", "/territoires/departement/34/", "Hérault"),
        ("territory-region", "/territoires/region/76/", "Occitanie"),
        ("sources", "/sources/", "Sources des données et licences"),
        ("legal-notice", "/mentions-legales/", "Mentions légales"),
        ("not-found", "/nulle-part/", "Page introuvable"),
    ],
)
def test_other_pages_are_accessible_on_desktop_and_phone(browser, name, url, heading):
    build_registry()
    _long_named_relay()
    for suffix, viewport in (("", None), ("-phone", PHONE)):
        page = browser.page(viewport=viewport) if viewport else browser.page()
        page.goto(url)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert not browser.has_horizontal_overflow(page), f"{url} déborde en largeur"
        browser.screenshot(page, name + suffix)
        assert browser.axe(page) == []


def test_home_page_search_button_is_on_the_first_phone_screen(browser):
    page = browser.page(viewport=PHONE)
    page.goto("/")
    button = page.get_by_role("button", name="Trouver mon relais").bounding_box()
    assert button["y"] + button["height"] <= PHONE["height"]
    browser.screenshot(page, "home-phone")
    assert browser.axe(page) == []


def test_firm_details_near_miss_and_next_step_on_desktop_and_phone(browser):
    registry = build_registry()
    OfferFactory(structure=registry.cci, service=service("partner-search"), min_employees=10)
    for suffix, viewport in (("", None), ("-phone", PHONE)):
        page = browser.page(viewport=viewport) if viewport else browser.page()
        page.goto("/")
        page.get_by_label("Où est votre entreprise ?").fill("Montpellier")
        page.get_by_label("De quoi avez-vous besoin ?").select_option("partner-search")
        page.get_by_text("Préciser : secteur, pays visé, mon entreprise (facultatif)").click()
        page.get_by_label("Effectif").select_option("02")  # 3 to 5 employees
        page.get_by_label("Année de création").fill("2019")
        page.get_by_role("button", name="Trouver mon relais").click()
        page.wait_for_url(re.compile(r"/recherche/\?.*size=02"))
        main = page.locator("main").inner_text()
        assert "3 à 5 salariés · créée en 2019" in main
        near = page.locator(".relay", has_text="À une condition près")
        assert "à une condition près : à partir de 10 salariés" in near.inner_text()
        step = page.locator(".relay", has_text="Premier contact")
        assert "premier contact généraliste" in step.inner_text()
        # Copy the link / print: shown once JavaScript runs.
        assert page.get_by_role("button", name="Copier le lien").is_visible()
        assert page.get_by_role("button", name="Imprimer").is_visible()
        assert not browser.has_horizontal_overflow(page)
        browser.screenshot(page, "results-near-miss-and-next-step" + suffix)
        assert browser.axe(page) == []


def test_structure_page_on_a_phone_shows_whom_to_call_first(browser):
    registry = build_registry()
    page = browser.page(viewport=PHONE)
    page.goto(f"/structures/{registry.cci.slug}/")
    phone = page.locator("#coordonnees").locator("..").get_by_role("link", name="04 99 00 00 01")
    box = phone.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] * 1.2  # at hand, before the services
    services = page.get_by_role("heading", name="Services proposés").bounding_box()
    assert box["y"] < services["y"]
    browser.screenshot(page, "structure-phone")
    assert browser.axe(page) == []
