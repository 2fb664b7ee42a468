"""A real Celery worker takes the project's tasks from Redis and runs them.

The worker is a subprocess started as production starts it (``celery -A registry worker``),
with one solo process, on a queue of its own (a unique name: runs sharing one Redis never take
each other's tasks) and the Redis result backend, so that this process reads the answer back.
Skipped, with the reason, without Redis (tests/redis_support.py). The worker is always stopped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings

from tests.redis_support import redis_url

pytestmark = pytest.mark.redis


@pytest.fixture
def worker(tmp_path):
    url = redis_url()
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        # The tasks run here touch no database; the worker must not open the project's.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "DJANGO_ENV": "development",
        "DEBUG": "false",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "registry",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--queues",
                queue,
                "--hostname",
                f"{queue}@%h",
                # Nothing to agree with other workers: start at once.
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    client = Celery("test-client", broker=url, backend=url)
    try:
        yield client, queue, log
    finally:
        process.terminate()  # warm shutdown: the current task, if any, ends first
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        client.close()
        import redis

        # The queue and kombu's bindings of it (every key naming the unique queue).
        connection = redis.Redis.from_url(url)
        keys = list(connection.scan_iter(match=f"*{queue}*", count=1000))
        if keys:
            connection.delete(*keys)
        connection.close()


def test_a_real_worker_runs_a_queued_task(worker):
    client, queue, log = worker
    token = uuid.uuid4().hex
    # Sent by name, as the web process sends it: the worker found the task by autodiscovery.
    result = client.send_task("core.tasks.ping", args=[token], queue=queue)
    try:
        # The message waits in Redis until the worker is up; no sleep here.
        answer = result.get(timeout=30)
    except CeleryTimeoutError:
        pytest.fail(f"No answer from the worker within 30 s. Its log:\n{log.read_text()}")
    finally:
        result.forget()
    assert answer == token
    # Listed among the tasks at start: found by autodiscovery in every app.
    listed = log.read_text()
    assert "core.tasks.send_email" in listed
    assert "insights.tasks.precompute_coverage" in listed
