"""The 4 D pages in headless Chromium: charts drawn without JavaScript, named for screen
readers, fitting a phone; screenshots at phone and desktop widths; axe-core clean."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.site.dimensions_data import build_dimensions_registry

pytestmark = pytest.mark.browser

CHARTS = 7  # density ×4, coverage, Shannon ×2


def _check_charts(page) -> None:
    """Every chart is an image with a name and is followed by a table of its figures."""
    charts = page.locator("svg.chart")
    assert charts.count() == CHARTS
    for i in range(CHARTS):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        # Named by its <title>, described by its <desc> (role queries over the whole page, with
        # its big tables, are too slow: the references are checked instead).
        title = chart.locator("title")
        assert title.text_content()
        assert chart.get_attribute("aria-labelledby") == title.get_attribute("id")
        assert chart.get_attribute("aria-describedby") == chart.locator("desc").get_attribute("id")
        assert page.locator(f"#{title.get_attribute('id')}").count() == 1
        # The chart fits its box (no SVG wider than the page on a phone).
        box = chart.bounding_box()
        figure = chart.locator("xpath=..").bounding_box()
        assert box["width"] <= figure["width"] + 0.5
        assert box["height"] > 0
    # The tables of the charts' figures (density ×4, coverage, diversity ×2), with captions.
    for table in ("#table-density", "#table-coverage", "#table-diversity"):
        assert page.locator(f"{table} caption").is_visible()


@pytest.mark.parametrize(("suffix", "viewport"), [("", DESKTOP), ("-phone", PHONE)])
def test_departement_page_on_desktop_and_phone(browser, suffix, viewport):
    build_dimensions_registry()
    page = browser.page(viewport=viewport)
    page.goto("/territoires/departement/34/")
    page.get_by_role("link", name="Les 4 D de ce territoire").click()
    page.wait_for_url(re.compile(r"/territoires/departement/34/4d/$"))
    assert page.locator("h1").inner_text() == "Les 4 D du territoire : Hérault"
    headings = page.locator("section.dimension > h2").all_inner_texts()
    assert [h.split(" :")[0] for h in headings] == [
        "1. Densité",
        "2. Diversité",
        "3. Dynamique",
        "4. Direction",
    ]
    _check_charts(page)
    # Phone: the wide tables scroll in their own box, the page does not.
    assert not browser.has_horizontal_overflow(page)
    # A priority without relay is flagged; one with relays links to their pages.
    morocco = page.locator('.priority[data-code="MA"]')
    assert morocco.get_by_role("link", name="CCI Hérault — service international").count() == 1
    # The event's title, escaped, heads its row.
    assert page.locator("#table-events th[scope=row]").all_inner_texts()[0] == (
        "Mission <Maroc> & Tunisie"
    )
    browser.screenshot(page, f"dimensions-departement{suffix}")
    assert browser.axe(page) == []
    # The neighbours' pages are one click away.
    page.locator("#sibling-links").get_by_role("link", name="Gard").click()
    page.wait_for_url(re.compile(r"/territoires/departement/30/4d/$"))
    assert "Gard" in page.locator("h1").inner_text()


def test_region_and_empty_states_on_a_phone(browser):
    build_dimensions_registry()
    page = browser.page(viewport=PHONE)
    page.goto("/territoires/region/94/4d/")
    assert page.locator("h1").inner_text() == "Les 4 D du territoire : Corse"
    assert page.locator("#direction ~ .empty-state").inner_text() == (
        "Aucune priorité enregistrée par un coordinateur pour ce territoire."
    )
    _check_charts(page)
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "dimensions-region-phone")
    assert browser.axe(page) == []

    page.goto("/territoires/departement/2A/4d/")
    flag = page.locator('.priority[data-code="IT"]')
    assert "Aucun relais compétent" in flag.inner_text()
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "dimensions-departement-no-relay-phone")
    assert browser.axe(page) == []


def test_epci_page_without_javascript(browser):
    build_dimensions_registry()
    page = browser.page(javascript=False)
    page.goto("/territoires/epci/243400017/4d/")
    assert "Montpellier Méditerranée Métropole" in page.locator("h1").inner_text()
    # Server-drawn: the charts are there without any script.
    _check_charts(page)
    assert page.locator("script").count() == 0
    browser.screenshot(page, "dimensions-epci-without-javascript")
    # axe-core needs scripts (it never settles with JavaScript off): the same page with them.
    page = browser.page(viewport=PHONE)
    page.goto("/territoires/epci/243400017/4d/")
    _check_charts(page)
    assert not browser.has_horizontal_overflow(page)
    browser.screenshot(page, "dimensions-epci-phone")
    assert browser.axe(page) == []
