"""The API throttles are shared by every gunicorn worker when the cache is Redis (REDIS_URL).

A real gunicorn with two workers serves the test database; the anonymous rate is lowered to
20/minute through the environment. Requests from one client, whichever worker answers, count
against one budget: the first 429 is request #21 exactly. With the per-process memory cache each
worker would keep its own count and let about 40 through.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.conf import settings

from tests.processes import database_url_for_workers
from tests.redis_support import delete_prefix, redis_url

pytestmark = [pytest.mark.redis, pytest.mark.django_db]
RATE = 20
URL = "/api/v1/territories/?level=region"


def bound_socket() -> socket.socket:
    """A socket on a port the system picks, handed to gunicorn already bound (``fd://``): no
    window between choosing the port and binding it in which a parallel test (another xdist
    worker's live server, say) could take it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    return sock


def get(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{URL}", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def workers_database(tmp_path_factory, django_db_setup, django_db_blocker) -> str:
    # Module scope: before the test's transaction opens (an SQLite copy cannot run inside it).
    # Gunicorn reads only what the session set-up committed.
    with django_db_blocker.unblock():
        return database_url_for_workers(tmp_path_factory.mktemp("workers"))


@pytest.fixture
def gunicorn(tmp_path, workers_database):
    url = redis_url()
    prefix = f"test-throttle-{uuid.uuid4().hex[:12]}"
    sock = bound_socket()
    port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": workers_database,
        "CONN_MAX_AGE": "0",  # no session left on the test database once gunicorn stops
        "REDIS_URL": url,
        "CACHE_KEY_PREFIX": prefix,
        "API_ANON_THROTTLE": f"{RATE}/minute",
        "DEBUG": "false",
        "DJANGO_ENV": "development",
        "PYTHONUNBUFFERED": "1",  # the access log, read during the test
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "gunicorn.log"
    with sock, log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "registry.wsgi:application",
                "--bind",
                f"fd://{sock.fileno()}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
                "--access-logformat",
                "served-by %(p)s %(s)s %(U)s",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    try:
        deadline = time.monotonic() + 30
        while len(re.findall(r"Booting worker with pid", log.read_text())) < 2 or not _healthy(
            port
        ):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield port, log, url, prefix
    finally:
        process.terminate()
        process.wait(timeout=20)
        delete_prefix(url, prefix)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_two_workers_share_the_anonymous_throttle(gunicorn):
    import redis

    port, log, url, prefix = gunicorn
    statuses = [get(port) for _ in range(RATE + 5)]
    first_429 = statuses.index(429) + 1 if 429 in statuses else None
    served_by = re.findall(r"served-by <(\d+)> (\d{3}) /api/v1/territories/", log.read_text())
    pids = [pid for pid, _status in served_by]
    per_worker = {pid: pids.count(pid) for pid in sorted(set(pids))}
    print(
        f"first 429 at request #{first_429} of {len(statuses)}; requests per worker: {per_worker}"
    )
    assert statuses[:RATE] == [200] * RATE
    assert first_429 == RATE + 1
    assert set(statuses[RATE:]) == {429}
    # Both workers answered: the budget is shared, not one worker's own.
    assert len(set(pids[:RATE])) == 2, served_by
    # The counter lives in Redis, under this run's prefix.
    keys = redis.Redis.from_url(url).keys(f"{prefix}:default:*throttle_anon*")
    assert len(keys) == 1
