"""Two processes on one database and one Redis: what one writes to a reference table (a service,
a country, a filière's divisions), the other's relay copies show on its next read, with no TTL to
wait for (core.reference_cache). The reader runs without a grace window, so that what it sees
can only come from the version tokens, and its unchanged copies cost it no query.

Both processes use the test database: PostgreSQL's by name (the writer commits there, and puts
the rows back after), SQLite's copied to a file (an in-memory database is one process's own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from tests.processes import database_url_for_workers
from tests.redis_support import delete_prefix, redis_url

# The mark makes pytest-django create the test database the processes use (the tests' own
# transaction reads and writes nothing).
pytestmark = pytest.mark.django_db


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registry.settings",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",  # no session left on the test database once a process is done
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if "REDIS_URL" not in extra:
        env.pop("REDIS_URL", None)  # process memory: nothing shared with another run
    return env


def _results(output: str) -> list[dict]:
    return [
        json.loads(line.removeprefix("RESULT "))
        for line in output.splitlines()
        if line.startswith("RESULT ")
    ]


def run_writer(env: dict[str, str], action: str, originals: dict | None = None) -> dict:
    code = (
        "import json, sys; from tests.relay.reference_worker import write; "
        "write(sys.argv[1], json.loads(sys.argv[2]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, action, json.dumps(originals)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (result,) = _results(done.stdout)
    return result


class Reader:
    """A long-lived process holding its copies between reads, as a gunicorn worker does."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.relay.reference_worker import serve; serve()"],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def read(self) -> dict:
        return self.ask("read")

    def ask(self, what: str) -> dict:
        self.process.stdin.write(f"{what}\n")
        self.process.stdin.flush()
        while line := self.process.stdout.readline():
            if line.startswith("RESULT "):
                return json.loads(line.removeprefix("RESULT "))
        raise AssertionError(self.process.stderr.read())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def workers_database(tmp_path_factory, django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        return database_url_for_workers(tmp_path_factory.mktemp("reference-workers"))


@pytest.mark.redis
def test_a_reference_change_is_seen_by_another_process_at_its_next_read(workers_database):
    url = redis_url()
    prefix = f"test-reference-{uuid.uuid4().hex[:12]}"
    env = _environment(workers_database, REDIS_URL=url, CACHE_KEY_PREFIX=prefix)
    reader = Reader({**env, "REFERENCE_CACHE_GRACE_SECONDS": "0"})
    originals = None
    try:
        originals = reader.read()
        assert originals["queries"] > 0  # loaded
        assert not originals["filiere_matches_division"]
        # Nothing changed: every read checks the tokens, and the copies are kept.
        assert reader.read() == {**originals, "queries": 0}

        assert run_writer(env, "change") == {"done": "change"}
        changed = reader.read()
        assert changed["service"] == "Missions renommées par l'autre processus"
        assert changed["country"] == "Maroc (renommé)"
        assert changed["filiere_matches_division"]
        assert changed["queries"] > 0
        assert reader.read()["queries"] == 0
    finally:
        if originals is not None:
            run_writer(env, "restore", originals)
            restored = reader.read()
            assert {k: restored[k] for k in ("service", "country", "filiere_matches_division")} == {
                k: originals[k] for k in ("service", "country", "filiere_matches_division")
            }
        reader.close()
        delete_prefix(url, prefix)


@pytest.mark.redis
def test_a_relay_written_by_another_process_is_shown_as_written_at_the_next_lookup(
    workers_database,
):
    """The lookup's own copies (the resolved commune, the loaded offers and their contacts)
    follow another process's committed writes: a new relay, then its new name and phone."""
    url = redis_url()
    prefix = f"test-relays-{uuid.uuid4().hex[:12]}"
    env = _environment(workers_database, REDIS_URL=url, CACHE_KEY_PREFIX=prefix)
    reader = Reader({**env, "REFERENCE_CACHE_GRACE_SECONDS": "0"})
    try:
        before = reader.ask("relays")["relays"]
        assert run_writer(env, "add_relay") == {"done": "add_relay"}
        added = reader.ask("relays")["relays"]
        assert ["Relais de l'autre processus", "0400000001"] in added
        assert len(added) == len(before) + 1
        assert reader.ask("relays")["relays"] == added  # kept, nothing moved
        assert run_writer(env, "edit_relay") == {"done": "edit_relay"}
        edited = reader.ask("relays")["relays"]
        assert ["Relais renommé", "0400000002"] in edited
        assert all(name != "Relais de l'autre processus" for name, _phone in edited)
    finally:
        run_writer(env, "drop_relay")
        reader.close()
        delete_prefix(url, prefix)


def test_a_rolled_back_write_leaves_no_copy_behind(workers_database):
    # A process of its own: outside the test's transaction, a rollback is a real one.
    result = run_writer(_environment(workers_database), "rollback")
    before, inside, after = result["before"], result["inside"], result["after"]
    assert inside["service"] == "Missions renommées par l'autre processus"  # reads its write
    assert after["service"] == before["service"]
    assert after["queries"] > 0  # the copy holding the rolled-back row was dropped
