"""``core.prepared.prepared_cursor``: on PostgreSQL the statement is prepared once per connection
and reused, through Django's cursor wrapper (logged, counted, errors translated); elsewhere, or
when turned off, a plain cursor."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT code FROM territories_territory WHERE code = %s AND level = %s"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_statement_runs_logged_and_counted():
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            with prepared_cursor(connection) as cursor:
                cursor.execute(STATEMENT, ["34", "departement"])
                assert cursor.fetchall() == [("34",)]
    assert len(captured.captured_queries) == 3
    assert all("territories_territory" in q["sql"] for q in captured.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_postgresql_prepares_the_statement_once_per_connection():
    marker = "SELECT code FROM territories_territory WHERE code = $1 AND level = $2"
    for _ in range(3):
        with prepared_cursor(connection) as cursor:
            cursor.execute(STATEMENT, ["34", "departement"])
    assert _prepared_statements().count(marker) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_turned_off_it_is_a_plain_cursor(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    marker = "SELECT level FROM territories_territory WHERE code = $1"
    with prepared_cursor(connection) as cursor:
        cursor.execute("SELECT level FROM territories_territory WHERE code = %s", ["34"])
    assert marker not in _prepared_statements()


def test_errors_are_djangos():
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        prepared_cursor(connection) as cursor,
    ):
        cursor.execute("INSERT INTO territories_territory (id, code) VALUES (%s, %s)", [None, "x"])
