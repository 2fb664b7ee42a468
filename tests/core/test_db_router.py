"""Read replicas (core/db_router.py): which database each kind of request reads.

The replica is ``replica``, a test mirror of ``default`` declared by tests/conftest.py: the same
test database through a connection of its own. Like a streaming replica, that connection sees
only committed rows, so the reads checked here are of the reference subset the session committed
(communes, services); rows a test creates inside its transaction are on the primary only, which
is also what a replica lagging behind a write looks like. The router is turned on per test by
``override_settings`` (it is off in the default settings).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.utils import load_backend
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import db_router
from core.db_router import PRIMARY_COOKIE, ReplicaReadsMiddleware, primary_reads
from structures.models import ApiToken, Service
from territories.models import Territory
from tests.structures.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "replica"])

ROOT = Path(__file__).resolve().parents[2]
COMMUNE = "/api/v1/communes/34172/"
RELAY = "/api/v1/relays/"
ROUTER = "core.db_router.PrimaryReplicaRouter"


@pytest.fixture(autouse=True)
def _no_replica_set_aside():
    db_router._set_aside_until.clear()
    yield
    db_router._set_aside_until.clear()


@pytest.fixture
def routed():
    """The router on, with ``replica`` as the one read replica."""
    with override_settings(DATABASE_ROUTERS=[ROUTER], DATABASE_READ_REPLICAS=["replica"]):
        yield


@contextmanager
def queries():
    """The SQL each database received inside the block: ``{"default": [...], "replica": [...]}``."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        captured = {}
        yield captured
    captured["default"] = [query["sql"] for query in primary.captured_queries]
    captured["replica"] = [query["sql"] for query in replica.captured_queries]


def _reads(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


def test_anonymous_api_get_reads_the_replica_only(routed):
    client = APIClient()
    with queries() as sql:
        response = client.get(COMMUNE)
    assert response.status_code == 200, response.content
    assert response.json()["commune"]["name"] == "Montpellier"
    assert _reads(sql["replica"]), "the commune was not read on the replica"
    assert sql["default"] == []
    assert PRIMARY_COOKIE not in response.cookies


def test_anonymous_relay_lookup_reads_the_replica_and_counts_on_the_primary(routed):
    """The relay endpoint reads the replica; the unmet search it counts (no relay in the
    reference subset) is a write, on the primary, after which the request and the client's
    next ones read the primary."""
    # The reference caches, loaded (from the primary) before the capture, by another client (the
    # first lookup writes, which would pin its client to the primary).
    APIClient().get(RELAY, {"commune": "34172", "service": "trade-fairs"})
    client = APIClient()
    with queries() as sql:
        response = client.get(RELAY, {"commune": "34172", "service": "trade-fairs"})
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
    assert _reads(sql["replica"]), "the lookup did not read the replica"
    first_on_primary = sql["default"][0].lstrip().upper()
    assert not first_on_primary.startswith("SELECT"), sql["default"]
    assert any("unmet" in statement.lower() for statement in sql["default"])
    assert PRIMARY_COOKIE in response.cookies


@pytest.mark.parametrize(
    "path",
    ["/", "/recherche/", "/structures/", "/territoires/commune/34172/"],
)
def test_anonymous_pages_read_the_replica(routed, path):
    from web import page_cache

    client = APIClient()
    client.get(path)  # process caches of reference tables, loaded from the primary
    page_cache.clear()  # the pages' fragments, built from the replica once per catalogues version
    with queries() as sql:
        response = client.get(path)
    assert response.status_code in {200, 400}, response.content[:300]
    assert _reads(sql["replica"]), f"{path} did not read the replica"
    assert _reads(sql["default"]) == [], f"{path} read the primary: {sql['default']}"


def test_reference_caches_load_from_the_primary(routed):
    """A process cache keeps what it read for minutes: never from a lagging replica."""
    from core import reference_cache

    reference_cache.clear_all()
    with queries() as sql:
        APIClient().get(RELAY, {"commune": "34172", "service": "trade-fairs"})
    assert any("structures_service" in statement for statement in _reads(sql["default"]))
    assert not any("structures_service" in statement for statement in sql["replica"])


def test_staff_reads_the_primary(routed):
    client = APIClient()
    client.force_login(UserFactory(superuser=True))
    with queries() as sql:
        response = client.get(COMMUNE)
    assert response.status_code == 200
    assert sql["replica"] == []
    assert _reads(sql["default"])


def test_api_token_reads_the_primary(routed):
    _, key = ApiToken.issue(user=UserFactory(is_staff=False), name="Agence", scope=())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with queries() as sql:
        response = client.get(COMMUNE)
    assert response.status_code == 200, response.content
    assert sql["replica"] == []


def test_a_post_goes_to_the_primary_and_pins_its_client_for_the_window(routed):
    client = APIClient()
    with override_settings(DATABASE_READ_YOUR_WRITES_SECONDS=1):
        response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
        assert response.status_code == 302
        cookie = response.cookies[PRIMARY_COOKIE]
        assert cookie["max-age"] == 1 and cookie["httponly"] and cookie["samesite"] == "Lax"

        with queries() as sql:
            assert client.get(COMMUNE).status_code == 200
        assert sql["replica"] == [], "read the replica within the read-your-writes window"
        assert _reads(sql["default"])

        # The signature's timestamp has a one-second resolution: past the window for sure.
        time.sleep(2.1)
        with queries() as sql:
            assert client.get(COMMUNE).status_code == 200
        assert _reads(sql["replica"]) and sql["default"] == []


def test_a_forged_pin_cookie_is_ignored(routed):
    client = APIClient()
    client.cookies[PRIMARY_COOKIE] = "1"
    with queries() as sql:
        client.get(COMMUNE)
    assert _reads(sql["replica"]) and sql["default"] == []


def test_without_replicas_everything_stays_on_the_primary():
    """The default settings: no router, the middleware passes through, no cookie."""
    from django.conf import settings

    assert settings.DATABASE_ROUTERS == [] and settings.DATABASE_READ_REPLICAS == []
    client = APIClient()
    with queries() as sql:
        response = client.get(COMMUNE)
        client.get(RELAY, {"commune": "34172", "service": "trade-fairs"})
    assert response.status_code == 200
    assert sql["replica"] == [] and _reads(sql["default"])
    assert PRIMARY_COOKIE not in response.cookies


@pytest.fixture
def unreachable_replica():
    """``replica_down``, a replica that refuses connections: PostgreSQL on a port bound but
    never listening; SQLite in a directory that does not exist. A connection created for this
    test (not in DATABASES, as Django's test case allows for dynamically created ones), so that
    the router's connection attempt meets the real failure."""
    primary = connections["default"].settings_dict
    down = {**primary, "OPTIONS": {}, "TEST": {**primary["TEST"], "MIRROR": "default"}}
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        if primary["ENGINE"] == "django.db.backends.postgresql":
            down.update(HOST="127.0.0.1", PORT=str(closed.getsockname()[1]))
            down["OPTIONS"] = {"connect_timeout": 2}
        else:
            down["NAME"] = "/nonexistent-replica-dir/replica.sqlite3"
        connections["replica_down"] = load_backend(down["ENGINE"]).DatabaseWrapper(
            down, "replica_down"
        )
        try:
            with override_settings(
                DATABASE_ROUTERS=[ROUTER], DATABASE_READ_REPLICAS=["replica_down"]
            ):
                yield
        finally:
            connections["replica_down"].close()
            del connections["replica_down"]


def test_an_unreachable_replica_falls_back_to_the_primary(unreachable_replica, caplog):
    client = APIClient()
    with (
        caplog.at_level(logging.WARNING, logger="core.db_router"),
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        first = client.get(COMMUNE)
        second = client.get(COMMUNE)
    assert first.status_code == 200 and second.status_code == 200
    assert second.json()["commune"]["name"] == "Montpellier"
    assert _reads([query["sql"] for query in primary.captured_queries])
    # Set aside after the first failure: the second request did not try it again.
    warnings = [record for record in caplog.records if "replica_down" in record.getMessage()]
    assert len(warnings) == 1
    assert "replica_down" in db_router._set_aside_until


def _route(request, view):
    """Run ``view`` inside the middleware, as a request would."""
    return ReplicaReadsMiddleware(view)(request)


def test_inside_a_request_reads_follow_writes_transactions_and_instances(routed):
    seen = {}

    def view(request):
        seen["plain"] = router.db_for_read(Territory)
        seen["session"] = router.db_for_read(_session_model())
        with primary_reads():
            seen["primary_reads"] = router.db_for_read(Territory)
        with transaction.atomic():
            seen["in_transaction"] = router.db_for_read(Territory)
        commune = Territory.objects.get(level="commune", code="34172")
        seen["read_from"] = commune._state.db
        seen["related_of_a_replica_instance"] = router.db_for_read(Territory, instance=commune)
        on_primary = Territory.objects.using(DEFAULT_DB_ALIAS).get(pk=commune.pk)
        seen["related_of_a_primary_instance"] = router.db_for_read(Territory, instance=on_primary)
        Service.objects.filter(pk=-1).update(code="none")  # a write, of no row
        seen["after_a_write"] = router.db_for_read(Territory)
        seen["related_after_a_write"] = router.db_for_read(Territory, instance=commune)
        from django.http import HttpResponse

        return HttpResponse("ok")

    response = _route(RequestFactory().get("/"), view)
    assert seen == {
        "plain": "replica",
        "session": DEFAULT_DB_ALIAS,
        "primary_reads": DEFAULT_DB_ALIAS,
        "in_transaction": DEFAULT_DB_ALIAS,
        "read_from": "replica",
        "related_of_a_replica_instance": "replica",
        "related_of_a_primary_instance": DEFAULT_DB_ALIAS,
        "after_a_write": DEFAULT_DB_ALIAS,
        "related_after_a_write": DEFAULT_DB_ALIAS,
    }
    assert PRIMARY_COOKIE in response.cookies
    # Outside a request (Celery tasks, management commands): no opinion, that is the primary.
    assert router.db_for_read(Territory) == DEFAULT_DB_ALIAS


def _session_model():
    from django.contrib.sessions.models import Session

    return Session


def test_migrations_and_relations(routed):
    replica_commune = Territory.objects.using("replica").get(level="commune", code="34172")
    primary_commune = Territory.objects.using("default").get(level="commune", code="34172")
    assert router.allow_relation(replica_commune, primary_commune)
    assert router.allow_migrate("replica", "territories") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "territories") is True


def _settings_in_a_process(**environ: str) -> subprocess.CompletedProcess:
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASE_READ_REPLICAS, settings.DATABASE_ROUTERS);"
        "r = settings.DATABASES.get('replica_1');"
        "print(r and (r['HOST'], r['OPTIONS'], r['TEST'], r['CONN_HEALTH_CHECKS']))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "registry.settings", **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_read_replica_urls():
    result = _settings_in_a_process(
        DATABASE_URL="postgres://app@primary:5432/registry",
        DATABASE_REPLICA_URLS="postgres://app@replica-a:5432/registry,"
        "postgres://app@replica-b:5432/registry",
    )
    assert result.returncode == 0, result.stderr
    aliases, options = result.stdout.splitlines()
    assert aliases == "['replica_0', 'replica_1'] ['core.db_router.PrimaryReplicaRouter']"
    assert "replica-b" in options and "'connect_timeout': 2" in options
    assert "jit=off" in options and "'MIRROR': 'default'" in options and "True" in options


def test_settings_refuse_replicas_of_sqlite():
    result = _settings_in_a_process(
        DATABASE_URL="sqlite:////tmp/registry-replica-test.sqlite3",
        DATABASE_REPLICA_URLS="postgres://app@replica-a:5432/registry",
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS demande PostgreSQL" in result.stderr
