"""One short real run of ``manage.py bench_http``: gunicorn started on the test database, every
target answered without error, gunicorn stopped.

PostgreSQL only: the server is another process, and the SQLite test database lives in this
one's memory. The test is transactional (the server must see its data), so the database is
emptied after it: the reference subset and the catalogues are loaded again for later tests.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from tests.site.data import build_registry

LABELS = ("healthz", "accueil /", "résultats /recherche/", "API relais")


@pytest.fixture
def committed_registry(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn ne peut pas ouvrir la base SQLite en mémoire des tests")
    build_registry()


@pytest.fixture(scope="module", autouse=True)
def _restore_reference_after_module(django_db_blocker):
    """The flush that ends the transactional test (after its fixtures' teardown) empties the
    reference subset and the catalogues: loaded again here, for the tests that run later."""
    yield
    if connection.vendor != "postgresql":
        return
    from structures.catalogue import sync_all
    from territories.services import load_vendored_reference
    from tests.conftest import SUBSET_DEPARTEMENTS

    with django_db_blocker.unblock():
        load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
        sync_all()


def test_a_short_real_run_against_gunicorn(committed_registry, capsys):
    call_command(
        "bench_http",
        "--duration",
        "1",
        "--warmup",
        "0.3",
        "--connections",
        "4",
        "--workers",
        "1",
        "--queries",
        "30",
    )
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        label = next((label for label in LABELS if line.startswith(label)), None)
        if label:
            rows[label] = line[len(label) :].split()
    assert set(rows) == set(LABELS), out
    for row in rows.values():
        rate, errors = float(row[0]), int(row[3])
        assert rate > 0, out
        assert errors == 0, out
