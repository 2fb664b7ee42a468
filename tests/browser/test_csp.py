"""The Content-Security-Policy in a real browser: the admin and the API documentation work under
it, a violation does not go unnoticed (every page of the browser tests is watched, see
``Browser`` in conftest.py), and a locked-out login shows its French page."""

from __future__ import annotations

import re

import pytest

from tests.site.data import build_registry
from tests.structures.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_a_violation_is_reported(browser):
    page = browser.page()
    page.goto("/")
    # An inline style attribute, as a careless template or script would add.
    page.evaluate(
        "() => { document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>'); }"
    )
    page.wait_for_timeout(200)
    assert any("violation CSP" in p and "style-src" in p for p in browser.problems)
    browser.problems.clear()


def test_the_admin_works_under_the_policy(browser):
    registry = build_registry()
    UserFactory(username="admin.registre", superuser=True)
    page = browser.page()
    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label(re.compile("Nom d.utilisateur|Username")).fill("admin.registre")
    page.get_by_label(re.compile("Mot de passe|Password")).fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto("/admin/structures/structure/")
    assert page.locator("#result_list tbody tr").count() >= 3
    browser.screenshot(page, "admin-structures")
    page.goto(f"/admin/structures/structure/{registry.cci.pk}/change/")
    page.locator("#structure_form").wait_for()
    # The admin's own scripts run: the collapsible fieldsets and the "add another" links.
    assert page.locator("#structure_form .related-widget-wrapper").count() > 0
    browser.screenshot(page, "admin-structure-change")
    page.goto("/admin/axes/accessattempt/")
    page.locator("#changelist").wait_for()


def test_swagger_ui_works_under_the_policy(browser):
    page = browser.page()
    page.goto("/api/v1/docs/")
    page.locator(".opblock-tag").first.wait_for()
    assert page.locator(".opblock").count() > 10
    page.locator(".opblock-summary-path", has_text="/api/v1/relays/").first.click()
    page.get_by_role("button", name="Try it out").wait_for()
    browser.screenshot(page, "api-docs")


def test_the_browsable_api_works_under_the_policy(browser):
    page = browser.page()
    page.goto("/api/v1/territories/?level=region&format=api")
    page.locator(".response-info").wait_for()
    # Its scripts (files) run: the "GET" button's format menu opens.
    page.locator(".dropdown-toggle").first.click()
    page.locator(".dropdown-menu").first.wait_for()


def test_redoc_works_under_the_policy(browser):
    # ReDoc's "API docs by Redocly" logo is on a third-party CDN: refused, and ReDoc hides it.
    browser.allowed_blocked.add("https://cdn.redoc.ly/redoc/logo-mini.svg")
    page = browser.page()
    page.goto("/api/v1/redoc/")
    page.get_by_role("heading", name=re.compile("Registre des structures")).wait_for()
    page.locator(".menu-content").get_by_text("relais", exact=True).first.wait_for()
    # Its run-time styles applied (they carry the nonce): the menu has ReDoc's width.
    assert page.locator(".menu-content").bounding_box()["width"] > 200
    browser.screenshot(page, "api-redoc")


def test_a_locked_out_login_shows_the_french_page(browser, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(username="agent.cci")
    page = browser.page()
    for password in ("faux-1", "faux-2", PASSWORD):
        page.goto("/connexion/")
        page.get_by_label("Nom d’utilisateur").fill("agent.cci")
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion temporairement bloquée"
    assert "Vous pourrez réessayer dans 30 minutes" in page.locator("main").inner_text()
    browser.screenshot(page, "login-locked")
    assert browser.axe(page) == []
