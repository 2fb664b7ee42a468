"""Coverage reports computed off the request after a listing change commits (insights.jobs,
insights.tasks, ``manage.py precompute_coverage``).

Tasks run eagerly here (tests/conftest.py), so ``COVERAGE_PRECOMPUTE=always`` is what lets a
commit run the job at all (``queued``, the default, queues only for a worker); the test with
``redis`` puts the job on a real queue in Redis and reads it there."""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from contextlib import suppress

import pytest
from celery.signals import task_prerun
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import transaction
from kombu import pools

from core import reference_cache
from insights import coverage as insights_coverage
from insights.tasks import pending_key
from registry.celery import app
from tests.redis_support import redis_url
from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.django_db
TASK = "insights.tasks.precompute_coverage"


class Boom(Exception):
    pass


@pytest.fixture
def jobs():
    """The precompute jobs run, as the service ids each was given."""
    runs: list[list[int]] = []

    def record(sender=None, kwargs=None, **extra):
        if sender.name == TASK:
            runs.append(sorted(kwargs["service_ids"]))

    task_prerun.connect(record, weak=False)
    yield runs
    task_prerun.disconnect(record)


@pytest.fixture
def always(settings):
    settings.COVERAGE_PRECOMPUTE = "always"


@pytest.fixture
def computed(monkeypatch):
    """The reports computed (territory code, service codes) from now on, on a read or not."""
    calls: list[tuple[str, list[str]]] = []
    real = insights_coverage.coverage_by_service

    def counting(**kwargs):
        calls.append((kwargs["territory"].code, [s.code for s in kwargs["services"]]))
        return real(**kwargs)

    monkeypatch.setattr(insights_coverage, "coverage_by_service", counting)
    return calls


def relay(commune_code="34172", *, service_code="prospecting-missions", covers=None):
    structure = StructureFactory(commune=territory("commune", commune_code))
    return OfferFactory(
        structure=structure,
        service=service(service_code),
        coverage=covers if covers is not None else [territory("departement", "34")],
    )


def test_the_reports_are_stored_once_a_change_commits(
    always, jobs, computed, django_capture_on_commit_callbacks
):
    prospecting = service("prospecting-missions")
    with django_capture_on_commit_callbacks(execute=True):
        relay()
        assert jobs == []  # not before the commit
    assert jobs == [[prospecting.pk]]
    done = len(computed)
    assert done == len(insights_coverage.precomputed_territories())  # one per territory
    # The readers of France, a région, a département find them stored.
    france = territory("country", "FR")
    for place in (france, territory("region", "76"), territory("departement", "34")):
        report = insights_coverage.territory_coverage(territory=place, service=prospecting)
        assert report.totals.place_count > 0
    assert len(computed) == done
    covered = insights_coverage.territory_coverage(
        territory=territory("departement", "34"), service=prospecting
    )
    assert covered.totals.places["uncovered"] == 0


def test_one_job_per_transaction_for_every_service_it_touched(
    always, jobs, django_capture_on_commit_callbacks
):
    codes = ("prospecting-missions", "trade-fairs")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        # An import: many rows, each written and indexed on its own.
        for number in range(40):
            offer = relay(service_code=codes[number % 2])
            offer.coverage.add(territory("commune", "34172"))
    precompute = [c for c in callbacks if type(c).__name__ == "_Batch"]
    assert len(precompute) == 1
    assert jobs == [sorted(service(code).pk for code in codes)]


def test_nothing_is_queued_when_the_transaction_rolls_back(
    always, jobs, computed, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        suppress(Boom),
        transaction.atomic(),
    ):
        relay()
        raise Boom
    assert callbacks == [] and jobs == [] and computed == []


def test_a_service_already_pending_is_not_queued_again(
    always, jobs, django_capture_on_commit_callbacks
):
    fairs, prospecting = service("trade-fairs"), service("prospecting-missions")
    caches["coverage"].add(pending_key(fairs.pk), True)  # queued, not started yet
    with django_capture_on_commit_callbacks(execute=True):
        relay(service_code="trade-fairs")
    assert jobs == []
    with django_capture_on_commit_callbacks(execute=True):
        relay(service_code="trade-fairs")
        relay(service_code="prospecting-missions")
    assert jobs == [[prospecting.pk]]
    # The job lifts its services' marks when it starts: a later change queues again.
    assert caches["coverage"].get(pending_key(prospecting.pk)) is None


def test_without_a_worker_nothing_runs_in_the_request_by_default(
    jobs, computed, django_capture_on_commit_callbacks, settings
):
    assert settings.COVERAGE_PRECOMPUTE == "queued" and app.conf.task_always_eager
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        relay()
    # The only thing left for the commit: the new version tokens of the relay's process copies
    # (core.reference_cache), a write to the shared cache.
    others = [c for c in callbacks if c.__module__ != reference_cache.__name__]
    assert others == [] and jobs == [] and computed == []


def test_deleting_a_structure_touches_its_services(
    always, jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer = relay(service_code="trade-fairs")
    jobs.clear()
    with django_capture_on_commit_callbacks(execute=True):
        offer.structure.delete()
    assert jobs == [[service("trade-fairs").pk]]


def test_a_job_run_twice_computes_nothing_the_second_time(computed):
    from insights.tasks import precompute_coverage

    relay()
    prospecting = service("prospecting-missions")
    first = precompute_coverage.apply(kwargs={"service_ids": [prospecting.pk]}).get()
    assert first == len(insights_coverage.precomputed_territories()) == len(computed)
    assert precompute_coverage.apply(kwargs={"service_ids": [prospecting.pk]}).get() == 0
    assert precompute_coverage.apply(kwargs={"service_ids": [-1]}).get() == 0  # deleted since


def test_the_command_computes_what_is_missing(computed):
    relay()
    out = _call("--service", "prospecting-missions", "--service", "trade-fairs")
    territories = len(insights_coverage.precomputed_territories())
    assert out.startswith(f"{2 * territories} rapport(s) calculé(s) sur {2 * territories} ")
    assert _call("--service", "trade-fairs").startswith("0 rapport(s) calculé(s)")
    report = insights_coverage.territory_coverage(
        territory=territory("departement", "34"), service=service("trade-fairs")
    )
    assert report.totals.place_count > 0
    assert len(computed) == territories  # one computation per territory, both services at once
    with pytest.raises(CommandError, match="inconnu"):
        _call("--service", "nope")


def _call(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("precompute_coverage", *args, stdout=out)
    return out.getvalue()


# --- With a broker ----------------------------------------------------------------------------


def _drop_connections() -> None:
    # The application and kombu keep broker connections and producer pools: a new broker_url
    # takes effect only without them.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """Tasks go to the broker given (not run here), on a queue of this test's own."""
    saved = {
        name: app.conf[name] for name in ("task_always_eager", "broker_url", "task_default_queue")
    }

    def use(url: str) -> str:
        queue = f"test-precompute-{uuid.uuid4().hex[:12]}"
        app.conf.update(task_always_eager=False, broker_url=url, task_default_queue=queue)
        _drop_connections()
        return queue

    yield use
    app.conf.update(saved)
    _drop_connections()


@pytest.mark.redis
def test_with_a_worker_one_message_is_queued_per_transaction(
    broker, jobs, computed, django_capture_on_commit_callbacks, settings
):
    import redis

    url = redis_url()
    queue = broker(url)
    client = redis.Redis.from_url(url)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(5):
                relay(service_code="trade-fairs")
        with django_capture_on_commit_callbacks(execute=True):
            relay(service_code="trade-fairs")  # pending already: nothing more
        messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
    finally:
        # The queue and kombu's bindings of it (every key naming the unique queue).
        keys = list(client.scan_iter(match=f"*{queue}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        caches["coverage"].delete(pending_key(service("trade-fairs").pk))
    assert jobs == [] and computed == []  # queued for the worker, not run here
    (message,) = messages
    assert message["headers"]["task"] == TASK
    assert message["headers"]["eta"]  # COVERAGE_PRECOMPUTE_DELAY_SECONDS after the commit


def test_with_the_queue_down_the_save_stands_and_nothing_waits(
    broker, jobs, django_capture_on_commit_callbacks, caplog
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        broker(f"redis://127.0.0.1:{closed.getsockname()[1]}/0")
        started = time.monotonic()
        with (
            caplog.at_level(logging.WARNING, logger="insights.jobs"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            offer = relay(service_code="trade-fairs")
        elapsed = time.monotonic() - started
    assert offer.pk and jobs == []
    assert "Task queue unavailable" in caplog.text
    assert elapsed < 2  # no publishing retries in the request
    # The mark is lifted: once the queue is back, the next change queues the job.
    assert caches["coverage"].get(pending_key(service("trade-fairs").pk)) is None
