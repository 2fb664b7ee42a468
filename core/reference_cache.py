"""Process-local caches of small reference tables read on every relay lookup.

Services (18 rows), countries (≈250) and sectors (≈120) change a few times a year, yet each
lookup needs them: compiling an ORM query for them costs more than the whole nearest-neighbour
search (see structures/relay/bench.py). Each cache reloads its whole table at most every
``ttl`` seconds, and at once in the process that saved a change (signals call ``clear``);
other processes see a change within ``ttl``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ReferenceCache(Generic[T]):
    def __init__(self, loader: Callable[[], T], *, ttl: float = 300.0) -> None:
        self._loader = loader
        self._ttl = ttl
        self._value: T | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> T:
        value, loaded_at = self._value, self._loaded_at
        if value is None or time.monotonic() - loaded_at > self._ttl:
            with self._lock:
                value = self._loader()
                self._value, self._loaded_at = value, time.monotonic()
        return value

    def clear(self) -> None:
        with self._lock:
            self._value = None


_ROW_PLANS: dict[tuple, tuple] = {}


def _row_plan(model, connection) -> tuple:
    """Columns, attribute names and value converters of a model, computed once per backend."""
    key = (model, connection.alias, connection.vendor)
    plan = _ROW_PLANS.get(key)
    if plan is None:
        fields = list(model._meta.concrete_fields)
        table = model._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(table)
            functions = connection.ops.get_db_converters(column) + field.get_db_converters(
                connection
            )
            if functions:
                converters.append((index, column, functions))
        plan = (columns, [f.attname for f in fields], converters)
        _ROW_PLANS[key] = plan
    return plan


def fetch_in(model, column: str, values) -> list:
    """Instances of ``model`` whose ``column`` is in ``values``, through one plain SELECT.

    Used on the relay lookup's hot path instead of ``filter(<column>__in=...)``: this skips the
    ORM's SQL compilation and the raw-queryset machinery, which dominate the cost of small
    queries here (measured with bench_relay). Every concrete field is loaded and converted as the
    ORM would (``Model.from_db``), so instances behave normally. Portable SQL; ``column`` is a
    trusted column name, never user input.
    """
    from django.db import connections, router

    values = list(values)
    if not values:
        return []
    alias = router.db_for_read(model)
    connection = connections[alias]
    columns, names, converters = _row_plan(model, connection)
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(values))
    sql = f"SELECT {columns} FROM {table} WHERE {connection.ops.quote_name(column)} IN ({marks})"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    instances = []
    for row in rows:
        if converters:
            row = list(row)
            for index, expression, functions in converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
        instances.append(model.from_db(alias, names, row))
    return instances
