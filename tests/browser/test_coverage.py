"""The coverage pages in headless Chromium, at phone and desktop widths: the map places the
communes by state (tiles blocked), the table sorts and filters through links, the page reads
without JavaScript; each step saves a screenshot and passes axe-core."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.site.data import build_registry
from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.browser

GARD = "/territoires/departement/30/couverture/"


def _gard_with_gaps() -> None:
    """Trade fairs covered across the Gard (CCI du Gard), export finance only around Nîmes."""
    build_registry()
    nimes = territory("commune", "30189")
    finance = StructureFactory(name="Relais finance Nîmes", commune=nimes, coverage=[nimes])
    OfferFactory(structure=finance, service=service("export-finance"))


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_one_service_report_map_table_and_sorting(browser, viewport, name):
    _gard_with_gaps()
    page = browser.page(viewport=viewport)
    page.goto(f"{GARD}?service=export-finance&horizon_km=20")
    assert page.get_by_role("heading", level=1).inner_text() == "Couverture du Gard"
    page.locator("#coverage-map[data-ready='true']").wait_for()
    data = json.loads(page.locator("#coverage-map-data").text_content())
    # One dot per commune, drawn on a canvas (tiles are blocked: a plain background).
    assert len(data["places"]) > 300
    assert page.locator("#coverage-map canvas").count() == 1
    assert page.locator("#coverage-legend").is_visible()
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, f"coverage-departement-{name}")
    assert browser.axe(page) == []
    # Sorting through the column header: aria-sort follows.
    table = page.locator("table.places-table")
    population = table.locator("thead th", has_text="Population")
    population.get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=population"))
    population = page.locator("table.places-table thead th", has_text="Population")
    assert population.get_attribute("aria-sort") == "descending"
    assert "service=export-finance" in page.url and "horizon_km=20" in page.url
    first = page.locator("table.places-table tbody tr").first
    assert first.locator("th").inner_text() == "Nîmes"
    # Filter: the covered ones only.
    page.get_by_role("link", name=re.compile(r"^Couvertes \(")).click()
    page.wait_for_url(re.compile(r"state=covered"))
    rows = page.locator("table.places-table tbody tr")
    assert rows.count() == 1
    assert "Relais finance Nîmes" in rows.first.inner_text()
    browser.screenshot(page, f"coverage-departement-sorted-{name}")
    assert browser.axe(page) == []


def test_all_services_report_and_region(browser):
    _gard_with_gaps()
    page = browser.page(viewport=PHONE)
    page.goto("/territoires/region/76/couverture/")
    assert page.get_by_role("heading", level=2, name="Par service").is_visible()
    page.locator("#coverage-map[data-ready='true']").wait_for()
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "coverage-region-all-services-phone")
    assert browser.axe(page) == []
    # The per-service table leads to one service's report.
    page.get_by_role("link", name=service("export-finance").name).first.click()
    page.wait_for_url(re.compile(r"service=export-finance"))
    assert page.get_by_label("Service").input_value() == "export-finance"
    page.locator("#coverage-map[data-ready='true']").wait_for()
    assert browser.axe(page) == []


def test_form_errors_and_france(browser):
    _gard_with_gaps()
    page = browser.page(viewport=DESKTOP)
    page.goto(f"{GARD}?horizon_km=-3")
    assert page.get_by_role("alert").is_visible()
    assert "Indiquez une distance positive" in page.get_by_role("alert").inner_text()
    browser.screenshot(page, "coverage-form-error")
    assert browser.axe(page) == []
    page.goto("/couverture/?service=")
    assert "Pour la France entière, choisissez un service" in page.get_by_role("alert").inner_text()
    assert browser.axe(page) == []
    page.get_by_role("button", name="Afficher le rapport").click()
    page.wait_for_url(re.compile(r"/couverture/\?service=[a-z]"))
    assert page.get_by_role("heading", level=1).inner_text() == "Couverture de la France"
    page.locator("#coverage-map[data-ready='true']").wait_for()
    browser.screenshot(page, "coverage-france")
    assert browser.axe(page) == []


def test_the_page_reads_without_javascript(browser):
    _gard_with_gaps()
    page = browser.page(viewport=PHONE, javascript=False)
    page.goto(f"{GARD}?service=export-finance&horizon_km=20")
    # No map without scripts: the table is the answer.
    assert not page.locator("#coverage-map").is_visible()
    assert not page.locator("#coverage-legend").is_visible()
    assert page.locator("table.places-table tbody tr").count() == 50
    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "page 2 sur" in page.locator("table.places-table caption").inner_text()
    # (axe-core is a script: it cannot run on a page without JavaScript; the same page with
    # scripts passes it above.)
    browser.screenshot(page, "coverage-departement-nojs-phone")
