import pytest


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    """The demo (without SMEs) loaded once for a module's tests that read it.

    Loading it takes seconds and a dozen tests only read it: the load runs in a transaction
    opened before the module's first test and rolled back after its last one. Each test runs
    inside it in a savepoint of its own (pytest-django's usual rollback), so what a test writes
    or reloads is undone before the next one, and the rest of the suite never sees the demo.
    Under pytest-xdist each worker that runs some of the module's tests loads it once.
    """
    from django.db import transaction

    from demo.loader import load_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo(sme_count=0)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
