"""Statements PostgreSQL parses and plans once per connection, for raw SQL run thousands of times
with the same text (the relay lookup's reads).

Django's PostgreSQL backend binds parameters on the client and never prepares (its default keeps
connection poolers working): every query is parsed and planned again. For the relay's joins that
planning took as long as running them (``EXPLAIN ANALYZE``: 0.56 ms of planning for 0.5 ms of
execution, loading a relay's offer with its structure, territories and contacts). A
``prepared_cursor`` binds on the server and asks psycopg to prepare each statement: the first
execution on a connection plans it, the next ones reuse the plan (psycopg keeps the last 100 per
connection). It goes through Django's cursor wrapper, so the queries are logged and counted as
any other, and errors are Django's.

``DATABASE_PREPARED_STATEMENTS=false`` turns it off (a plain cursor): behind PgBouncer in
transaction mode before 1.21, a statement prepared on one server connection is unknown on the
next. SQLite needs none of it (``sqlite3`` keeps its own statement cache).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper


def _preparing_classes():
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
    from django.db.backends.utils import CursorWrapper
    from psycopg import errors

    class PreparingCursor(ServerBindingCursor):
        """A server-binding cursor that prepares every statement it runs."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    class PreparedDebugWrapper(CursorDebugWrapper):
        """Django's logging wrapper, logging the statement with its values: Django reads them
        back from a client-binding cursor, which this one is not."""

        def execute(self, sql, params=None):
            try:
                logged = self.db.ops.compose_sql(sql, params) if params is not None else sql
            except errors.DataError:  # what Django's own logging allows for
                logged = sql
            with self.debug_sql(logged):
                return CursorWrapper.execute(self, sql, params)

    return PreparingCursor, PreparedDebugWrapper


_classes = None
_ONLY_WHEN_ASKED = 2**31 - 1


@contextmanager
def prepared_cursor(connection: BaseDatabaseWrapper) -> Iterator:
    """A cursor of ``connection`` whose statements PostgreSQL keeps prepared; a plain cursor on
    SQLite or when ``DATABASE_PREPARED_STATEMENTS`` is off."""
    global _classes
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    if _classes is None:
        _classes = _preparing_classes()
    cursor_class, debug_wrapper = _classes
    # What ``connection.cursor()`` does, with our cursor class: a usable connection (health
    # check included), then Django's wrapper (logging, error translation).
    connection.validate_thread_sharing()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    database = connection.connection
    if database.prepare_threshold is None:
        # Django leaves psycopg's preparing off (``None``), which ``prepare=True`` cannot
        # override. A threshold no statement reaches turns it on for the statements asked only:
        # Django's own cursors bind on the client, and those never prepare.
        database.prepare_threshold = _ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        raw = cursor_class(database)
    wrapped = (
        debug_wrapper(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    )
    with wrapped as cursor:
        yield cursor
