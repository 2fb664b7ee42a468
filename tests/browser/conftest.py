"""Browser tests: headless Chromium from Debian's packages, driven by Playwright.

Playwright's own browser download is not used: Chromium is ``/usr/bin/chromium``
(``scripts/ensure-chromium.sh`` installs it). Tests are skipped, with the reason, only when it
is absent. Every request leaving the live server (map tiles...) is blocked, so the tests prove the
pages work offline. Screenshots go to ``test-artifacts/screenshots/``.

pytest-django's ``live_server`` makes these tests transactional: the database is emptied after
each one. The reference subset and the service catalogues are therefore reloaded before each
test, and once more after the module, so that tests running later see the usual data.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

from tests.structures.factories import PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text() + "\n;true"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# axe-core rule sets: WCAG 2.0 / 2.1, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


class _OneRequestAtATime(WSGIServer):
    """The live server, serving one request at a time.

    On SQLite the test database lives in memory and Django hands the live server the test's own
    connection; the threaded server would run a page's concurrent requests (the search page and
    its autocomplete, say) on that one connection at once, and a request that writes (an unmet
    search counted) then deadlocks with its neighbour. Serving them in turn, in the server's
    thread (which already holds the overridden connections), is what a shared connection
    allows. Django closes each connection of a non-threaded server, so no keep-alive blocks it.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium against the live server (slow)"
    )
    LiveServerThread.server_class = _OneRequestAtATime


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium absent ({CHROMIUM}): run scripts/ensure-chromium.sh")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


# The reference as first loaded in this worker's database, copied into tables Django does not
# know (a flush leaves them alone): restoring them after a flush takes a tenth of a second,
# parsing and loading the vendored files again took 2–5 s per browser test.
_SNAPSHOT_PREFIX = "browser_snapshot_"
_snapshot_tables: list[str] = []


def _row_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


def _load_reference() -> None:
    from django.db import connection, transaction

    from structures.catalogue import sync_all
    from territories.models import Territory
    from territories.services import load_vendored_reference
    from tests.conftest import SUBSET_DEPARTEMENTS

    if Territory.objects.filter(level="commune", code="34172").exists():
        sync_all()
        return
    quote = connection.ops.quote_name
    if _snapshot_tables:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in _snapshot_tables:
                cursor.execute(
                    f"INSERT INTO {quote(table)} SELECT * FROM {quote(_SNAPSHOT_PREFIX + table)}"
                )
        sync_all()
        return
    # Only the tables the load fills from empty: those a flush's post_migrate refills itself
    # (content types, permissions) must not be restored on top of it.
    before = _row_counts()
    load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
    sync_all()
    with connection.cursor() as cursor:
        for table, count in _row_counts().items():
            if count and not before.get(table):
                cursor.execute(
                    f"CREATE TABLE {quote(_SNAPSHOT_PREFIX + table)} AS SELECT * FROM {quote(table)}"
                )
                _snapshot_tables.append(table)


@pytest.fixture(scope="session", autouse=True)
def _close_connections_after_each_request():
    """The live server's request threads must not keep PostgreSQL sessions open (CONN_MAX_AGE):
    the test database could not be dropped at the end of the run."""
    from django.db import connections

    settings_dict = connections.settings["default"]
    previous = settings_dict.get("CONN_MAX_AGE", 0)
    settings_dict["CONN_MAX_AGE"] = 0
    yield
    settings_dict["CONN_MAX_AGE"] = previous


@pytest.fixture(scope="module", autouse=True)
def _restore_reference_after_module(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _load_reference()


@pytest.fixture
def reference(transactional_db):
    """The territory subset and catalogues, present again after the previous test's flush."""
    _load_reference()


@pytest.fixture(scope="module")
def chromium(django_db_blocker):
    """Headless Chromium for the module's tests.

    Playwright's sync API runs an event loop in the test thread: Django then refuses ORM calls
    there unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the tests' calls (data, assertions) are
    synchronous and safe, so it is set while the browser runs, and removed after (subprocesses
    of later tests, such as ``check --deploy``, must not inherit it). With the loop running,
    Django also keeps database connections per context (asgiref): they are closed at both
    switches, or a PostgreSQL session stays open and the test database cannot be dropped.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    with django_db_blocker.unblock():
        connections.close_all()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            with django_db_blocker.unblock():
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Reports each Content-Security-Policy violation of a page to the test (an init script runs
# outside the page's policy).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation({
    page: document.location.href,
    directive: e.effectiveDirective,
    blocked: e.blockedURI,
    source: e.sourceFile ? e.sourceFile + ":" + e.lineNumber : "",
    sample: e.sample,
  });
});
"""


# axe-core reads the page's style sheets (rule css-orientation-lock); one it cannot read through
# the CSSOM, such as the admin's ``@import url('widgets.css')`` in forms.css, it fetches and
# parses as an inline <style> of a document it creates, which inherits the page's policy: the
# browser refuses that <style> and says so. That is axe's own copy, not the page's content, so
# only this refusal (an inline style element, no source file) is let through while axe runs.
AXE_STYLE_CONSOLE = "Applying inline style violates the following Content Security Policy"


# The violation events of axe's copies are queued tasks: let them fire before axe returns.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  await new Promise((resolve) => setTimeout(resolve, 50));
  return result;
}"""


def _axe_own_style(violation: dict) -> bool:
    return (
        violation["directive"] == "style-src-elem"
        and violation["blocked"] == "inline"
        and not violation["source"]
    )


class Browser:
    """Opens pages on the live server, keeps them offline, takes screenshots, runs axe-core.

    Every page is watched: a Content-Security-Policy violation, a console error or an uncaught
    script error fails the test (``problems``, checked when the test ends). Expected ones are
    named in ``allowed_blocked`` (a blocked URL the policy is meant to refuse). A resource the
    test itself blocked (off the live server) and the status of a page the test opened on
    purpose (a 400 form error) are not problems.
    """

    def __init__(self, chromium, base_url: str) -> None:
        self.chromium = chromium
        self.base_url = base_url
        self.contexts = []
        self.blocked: list[str] = []
        self.problems: list[str] = []
        self.allowed_blocked: set[str] = set()
        self._documents: set[str] = set()
        self._axe_running = False

    def page(self, *, viewport=DESKTOP, javascript: bool = True):
        context = self.chromium.new_context(
            viewport=viewport,
            locale="fr-FR",
            java_script_enabled=javascript,
            base_url=self.base_url,
        )
        self.contexts.append(context)
        context.route("**/*", self._only_live_server)
        context.expose_function("__cspViolation", self._csp_violation)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"erreur de script : {error}"))
        page.on("response", self._response)
        return page

    def _csp_violation(self, violation: dict) -> None:
        if self._axe_running and _axe_own_style(violation):
            return
        if violation["blocked"] not in self.allowed_blocked:
            self.problems.append(f"violation CSP : {violation}")

    def _response(self, response) -> None:
        if response.request.is_navigation_request():
            self._documents.add(response.url)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        text, url = message.text, message.location.get("url", "")
        if text.startswith("Failed to load resource") and (
            url in self.blocked or url in self._documents
        ):
            return
        if any(blocked in text for blocked in self.allowed_blocked):
            return
        if self._axe_running and text.startswith(AXE_STYLE_CONSOLE):
            return
        self.problems.append(f"console : {text} ({url})")

    def _only_live_server(self, route) -> None:
        if route.request.url.startswith(self.base_url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    @staticmethod
    def sign_in(page, username: str, *, lands_on: str = r"/espace/$") -> None:
        """Fill the login form the page shows with a factory user's password, submit it, and
        wait for the page it leads to (``lands_on``, a regular expression of the URL)."""
        page.get_by_label("Nom d’utilisateur").fill(username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(lands_on))

    @staticmethod
    def screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        # A full-page shot of a long page (ReDoc) can take more than Playwright's default on a
        # loaded machine; a shot is evidence, not a timing test.
        page.screenshot(path=str(path), full_page=True, timeout=60_000)
        return path

    def axe(self, page) -> list[dict]:
        """Serious or critical WCAG A/AA violations on the page (others are printed)."""
        # Evaluated through the DevTools protocol: a <script> tag would be an inline script,
        # which the page's Content-Security-Policy refuses.
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_SOURCE)
        # The page's own violations are still reported while axe runs (they arrive in order,
        # before the result); only axe's copies of the style sheets are not the page's.
        self._axe_running = True
        try:
            result = page.evaluate(AXE_RUN, AXE_TAGS)
        finally:
            self._axe_running = False
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
        if minor:
            print("axe (non bloquant) :", json.dumps(minor, ensure_ascii=False))
        return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]

    @staticmethod
    def has_horizontal_overflow(page) -> bool:
        return page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser(chromium, live_server, reference):
    session = Browser(chromium, live_server.url)
    yield session
    session.close()
    assert session.problems == [], "\n".join(session.problems)
