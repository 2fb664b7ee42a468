"""A portable fast path for inserting many plain rows (the territory reference, the scale
generator).

``bulk_create`` compiles SQL per row and, on SQLite, splits inserts into batches of ~40 rows
(999 parameters): most of a million-row load goes there. ``fast_insert`` sends the rows in one
go: ``COPY … FROM STDIN`` on PostgreSQL (psycopg 3 ``cursor.copy()``, several times faster than
``executemany`` there), one parameterised ``INSERT`` through ``executemany`` elsewhere (SQLite).
Values must already be in database form (see ``db_date``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import connection
from django.db.models import NOT_PROVIDED


def fast_insert(model, field_names: Sequence[str], rows: list[tuple]) -> None:
    """Insert ``rows`` (tuples in ``field_names`` order) into ``model``'s table; no signals."""
    if not rows:
        return
    # Model defaults are Python-side: a NOT NULL column left out fails at the database, late and
    # with a message naming no model. Say which at once (a new field must be added here).
    missing = [
        field.name
        for field in model._meta.concrete_fields
        if not field.null
        and not field.primary_key
        and field.db_default is NOT_PROVIDED
        and field.name not in field_names
        and field.attname not in field_names
    ]
    if missing:
        raise ValueError(f"fast_insert into {model.__name__} lacks NOT NULL columns: {missing}")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(field_names))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def db_date(value: datetime.date | None):
    return connection.ops.adapt_datefield_value(value)


def db_datetime(value: datetime.datetime | None):
    return connection.ops.adapt_datetimefield_value(value)
