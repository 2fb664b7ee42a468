"""Session set-up: a small real subset of the territory reference, loaded once.

Every test that touches the database sees the real régions, départements, EPCIs, communes and
postal codes of a few départements (chosen for the cases the product must handle: Montpellier
and the Hérault, the 13100 postal code shared by five communes, Paris and Lyon with their
arrondissements, both Corsican départements, Guadeloupe overseas, Évry-Courcouronnes) and every
country. Tests marked ``full_reference`` load the rest inside their own transaction.
"""

import os
import uuid

import pytest

SUBSET_DEPARTEMENTS = ("13", "2A", "2B", "30", "34", "69", "75", "91", "971")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL test sessions commit without waiting for the disk (``synchronous_commit``,
    a per-session setting): the browser tests' flush and reload of the reference commit
    hundreds of times, and a crash can only lose a test database."""
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        options = settings_dict.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    _add_replica_test_aliases(connections)


# A test-only database alias of the read-replica router (tests/core/test_db_router.py): test
# mirror of ``default`` (Django's TEST MIRROR: no database of their own, the same test database
# through a connection of their own, as a streaming replica is). DATABASES cannot be overridden
# per test, so they are declared for the whole session, here, before the test databases are set
# up; it costs the other tests nothing: no database is created for a mirror, nothing connects
# to it until a test that names it runs, and nothing is routed to one unless a test turns
# the router on (override_settings of DATABASE_ROUTERS and DATABASE_READ_REPLICAS; both are
# empty in the default settings).
REPLICA_TEST_ALIASES = ("replica",)


def _add_replica_test_aliases(connections) -> None:
    primary = connections["default"].settings_dict
    options = dict(primary.get("OPTIONS", {}))
    if primary["ENGINE"] == "django.db.backends.sqlite3":
        # The in-memory test database is one shared cache, whose locks are per table and held
        # to the end of a transaction, and Django's TestCase opens its transaction on every
        # alias a test uses, mirrors included: a mirror that read a table would stop the primary
        # from writing it until the test ends. The mirror only reads: its transaction is
        # deferred (no write lock) and it reads without taking read locks (read_uncommitted,
        # which in shared-cache mode also lets it see the test's uncommitted rows).
        options["transaction_mode"] = "DEFERRED"
        options["init_command"] = "PRAGMA read_uncommitted = 1;"
    for alias in REPLICA_TEST_ALIASES:
        connections.settings[alias] = {
            **primary,
            "OPTIONS": options,
            "TEST": {**primary["TEST"], "MIRROR": "default"},
        }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from territories.services import load_vendored_reference

    with django_db_blocker.unblock():
        load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
        _load_committed_reference_copies()
    yield
    # A mirror's persistent connection would keep PostgreSQL from dropping the test database.
    from django.db import connections

    for alias in REPLICA_TEST_ALIASES:
        connections[alias].close()


@pytest.fixture
def territory():
    """Fetch a loaded territory: ``territory("commune", "34172")``."""
    from territories.models import Territory

    def get(level: str, code: str) -> Territory:
        return Territory.objects.get(level=level, code=code)

    return get


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (French). A request through the test client
    leaves the language it negotiated (LocaleMiddleware, ``Accept-Language: en``) active in the
    thread, and the notes and messages that later tests build with gettext would be in English:
    whether they are depends on which test ran before, which pytest-xdist changes."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# The process copies loaded from the session's committed reference, before any test
# (``_load_committed_reference_copies``).
_committed_copies: dict = {}


def _load_committed_reference_copies() -> None:
    """Load the territory reference's process copy once (tens of milliseconds, where a test's
    lookup costs one), so that each test starts with it rather than load it again."""
    from core import reference_cache
    from structures.relay.places import territory_table

    reference_cache.clear_all()
    territory_table.get()
    _committed_copies.update(reference_cache.loaded_copies())


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    """Process copies of reference tables must not leak rows a rolled-back test created: each
    test starts with the copies of the committed reference only (those whose tokens have not
    moved since the session loaded them)."""
    from core import reference_cache
    from web import page_cache

    reference_cache.clear_all()
    reference_cache.restore(_committed_copies)
    page_cache.clear()
    yield
    reference_cache.clear_all()
    page_cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _sirene_offline():
    """No test reaches the API Recherche d'entreprises: by default its URL is a local port that
    refuses connections (bound, never listening), so that a forgotten ``sirene`` fixture fails
    at once — as "SIRENE unavailable" — instead of calling the real service."""
    import socket

    from django.test import override_settings

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with override_settings(SIRENE_API_URL=f"http://127.0.0.1:{port}"):
            yield


@pytest.fixture(scope="session", autouse=True)
def _no_read_replicas():
    """The suite runs against one database even when the environment configures replicas
    (DATABASE_REPLICA_URLS in a .env): a test routed to a replica alias it did not declare would
    fail. tests/core/test_db_router.py turns the router on for its own tests."""
    from django.test import override_settings

    with override_settings(DATABASE_ROUTERS=[], DATABASE_READ_REPLICAS=[]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Every user the factories create has a password: hashed by the production hasher (PBKDF2,
    a million iterations), each one took 0.4 s, and users made about a third of the suite's
    time. What the tests check of passwords (login, lockout, the staff's forms) does not depend
    on the hasher."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_eagerly():
    """Tasks run in the test's process, right after the commit (Celery's eager mode), even when
    ``REDIS_URL`` (CI) gives the application a broker: nothing waits in a queue no worker reads.
    The one test with a real worker is ``tests/core/test_worker.py``."""
    from registry.celery import app

    saved = {name: app.conf[name] for name in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(saved)


@pytest.fixture(scope="session", autouse=True)
def _cache_keys_of_this_run():
    """With ``REDIS_URL`` (CI), the caches live in a Redis that other runs and the application
    may share: this run's keys get a prefix of their own, deleted at the end, and a test's
    ``cache.clear()`` deletes only them (``core.cache.PrefixedRedisCache``, never FLUSHDB).

    Under pytest-xdist each worker is a session of its own, so each gets its own prefix (named
    after the worker, ``gw0``...): one worker's ``cache.clear()`` never resets another's throttle
    counters mid-test."""
    from django.conf import settings
    from django.core.cache import caches
    from django.test import override_settings

    if not settings.REDIS_URL:
        yield
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    run = f"test-{worker}-{uuid.uuid4().hex[:12]}"
    per_run = {
        alias: {**config, "KEY_PREFIX": f"{run}:{config['KEY_PREFIX']}"}
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=per_run):
        yield
        for alias in per_run:
            caches[alias].clear()


@pytest.fixture(autouse=True)
def _fresh_coverage_cache():
    """Coverage reports are cached under a stamp of the relay index ids; a rolled-back test's
    ids are reused on SQLite, so a report must not outlive its test."""
    from django.core.cache import caches

    caches["coverage"].clear()
    yield
    caches["coverage"].clear()


@pytest.fixture(autouse=True)
def _fresh_sirene_cache():
    from django.core.cache import caches

    caches["sirene"].clear()
    yield
    caches["sirene"].clear()


@pytest.fixture(scope="session")
def _sirene_server():
    from tests.smes.sirene_server import FakeSireneServer

    server = FakeSireneServer()
    yield server
    server.close()


@pytest.fixture
def sirene(_sirene_server, settings):
    """The local stand-in of the API Recherche d'entreprises (``tests/smes/sirene_server.py``),
    which ``SIRENE_API_URL`` points to for this test."""
    _sirene_server.reset()
    settings.SIRENE_API_URL = _sirene_server.url
    yield _sirene_server
    _sirene_server.reset()
