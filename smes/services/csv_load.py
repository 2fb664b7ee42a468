"""Set-based load of validated import rows into ``SME``: staging table, then one upsert.

The rows reach this module already checked (``smes.services.csv_rows``), as tuples in the order
of ``STAGE_COLUMNS`` where ``None`` means "not given". They are loaded into a temporary staging
table — PostgreSQL ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy``), SQLite ``executemany`` in
batches of ``BATCH`` rows — and merged by **one** statement::

    INSERT INTO smes_sme (…) SELECT <merged values> FROM staging LEFT JOIN smes_sme …
    ON CONFLICT (siret) DO UPDATE SET … = EXCLUDED.… WHERE smes_sme.version <> EXCLUDED.version

The ``SELECT`` computes each record as ``create_or_update_sme`` would: a value not given keeps
the current one (``COALESCE(staged, current, model default)``), the SIREN and the NAF division
are derived, the point is the file's coordinates, else a geocoded address kept while the commune
does not change, else the commune's point. It compares the merged record with the current one
(and the staged markets and needs with the current sets) and proposes the current ``version``
when nothing changed, ``version + 1`` otherwise: the ``WHERE`` of ``DO UPDATE`` then leaves
unchanged records untouched (``updated_at``, ``source`` and ``version`` included), which keeps a
second import of the same file a no-op. ``siret`` is the model's only unique column, hence the
conflict target. Markets and needs are then replaced set-based for the rows that give them.

The caller holds the transaction (``transaction.atomic``) and rolls it back for a dry run.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from smes.enums import EMPLOYEE_RANGE_BOUNDS, SME_MAX_EMPLOYEES, SME_MAX_TURNOVER_EUR
from smes.models import SME
from smes.services.csv_rows import STAGE_COLUMNS
from smes.services.partner_index import refresh_partner_index

# Rows per ``executemany`` on SQLite (and per COPY buffer flush, which psycopg handles itself).
BATCH = 20_000

STAGE = "smes_import_stage"
STAGE_MARKETS = "smes_import_stage_markets"
STAGE_NEEDS = "smes_import_stage_needs"

_PG_TYPES = {
    "siret": "varchar(14) NOT NULL",
    "siren": "varchar(9) NOT NULL",
    "line": "integer NOT NULL",
    "name": "varchar(255)",
    "naf_code": "varchar(6)",
    "sector_id": "bigint",
    "legal_form": "varchar(100)",
    "employees": "integer",
    "employee_range": "varchar(2)",
    "turnover_eur": "bigint",
    "created_on": "date",
    "address_line": "varchar(255)",
    "postal_code": "varchar(5)",
    "commune_id": "bigint",
    "latitude": "double precision",
    "longitude": "double precision",
    "export_stage": "varchar(12)",
    "export_share": "smallint",
    "is_innovative": "boolean",
    "markets_given": "boolean NOT NULL",
    "needs_given": "boolean NOT NULL",
}
# Plain fields merged as COALESCE(staged, current, default on creation).
_MERGED = {
    "name": "''",
    "naf_code": "''",
    "legal_form": "''",
    "employees": "NULL",
    "employee_range": "''",
    "turnover_eur": "NULL",
    "created_on": "NULL",
    "address_line": "''",
    "postal_code": "''",
    "commune_id": "NULL",
    "export_stage": "'none'",
    "export_share": "NULL",
    "is_innovative": "{false}",
}
# Fields whose difference makes a record "updated" (as ``create_or_update_sme`` compares them).
_COMPARED = (*_MERGED, "siren", "sector_id", "latitude", "longitude", "location_precision")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (line, siret, messages) of the records larger than an SME after the merge.
    warnings: list[tuple[int, str, list[str]]] = field(default_factory=list)
    warnings_total: int = 0
    # Wall-clock seconds of each phase: "load" (staging table filled), "merge" (the upsert,
    # the sets, the warnings).
    seconds: dict[str, float] = field(default_factory=dict)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _drop_stage(cursor) -> None:
    # ON COMMIT DROP is not enough: inside an outer transaction (a caller's, or a test's) the
    # tables would outlive this import and the next one could not create them.
    schema = "pg_temp" if _is_postgres() else "temp"
    for table in (STAGE, STAGE_MARKETS, STAGE_NEEDS):
        cursor.execute(f"DROP TABLE IF EXISTS {schema}.{table}")


def _create_stage(cursor) -> None:
    _drop_stage(cursor)
    if _is_postgres():
        columns = ", ".join(f"{name} {_PG_TYPES[name]}" for name in STAGE_COLUMNS)
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns}) ON COMMIT DROP")
        for table in (STAGE_MARKETS, STAGE_NEEDS):
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (siret varchar(14) NOT NULL, "
                "target_id bigint NOT NULL) ON COMMIT DROP"
            )
    else:
        # A temporary table lives in the connection's temp schema, is invisible to other
        # connections, and is rolled back with the transaction like any other write.
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({', '.join(STAGE_COLUMNS)})")
        for table in (STAGE_MARKETS, STAGE_NEEDS):
            cursor.execute(f"CREATE TEMPORARY TABLE {table} (siret, target_id)")


def _fill(cursor, table: str, columns: tuple[str, ...], batches: Iterable[list[tuple]]) -> int:
    count = 0
    if _is_postgres():
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
                count += len(batch)
        return count
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    raw = cursor.cursor  # the sqlite3 cursor: "?" placeholders, no %s rewriting per row
    for batch in batches:
        raw.executemany(sql, batch)
        count += len(batch)
    return count


def _index_stage(cursor) -> None:
    cursor.execute(f"CREATE UNIQUE INDEX {STAGE}_siret ON {STAGE} (siret)")
    for table in (STAGE_MARKETS, STAGE_NEEDS):
        cursor.execute(f"CREATE INDEX {table}_siret ON {table} (siret, target_id)")
    # Fresh statistics, or PostgreSQL plans the join for an empty temporary table.
    cursor.execute(f"ANALYZE {STAGE}" if _is_postgres() else "ANALYZE temp")


def _m2m(field_name: str) -> tuple[str, str, str]:
    relation = SME._meta.get_field(field_name)
    return (
        _q(relation.remote_field.through._meta.db_table),
        _q(relation.m2m_column_name()),
        _q(relation.m2m_reverse_name()),
    )


def _set_differs(stage_table: str, field_name: str, given: str) -> str:
    """SQL true when the row gives a set that differs from the current one."""
    through, sme_col, target_col = _m2m(field_name)
    return (
        f"(s.{given} AND t.id IS NOT NULL AND ("
        f"EXISTS (SELECT 1 FROM {stage_table} x WHERE x.siret = s.siret AND NOT EXISTS "
        f"(SELECT 1 FROM {through} y WHERE y.{sme_col} = t.id AND y.{target_col} = x.target_id))"
        f" OR EXISTS (SELECT 1 FROM {through} y WHERE y.{sme_col} = t.id AND NOT EXISTS "
        f"(SELECT 1 FROM {stage_table} x WHERE x.siret = s.siret AND x.target_id = y.{target_col}))"
        "))"
    )


def _upsert_sql(*, with_markets: bool, with_needs: bool) -> str:
    pg = _is_postgres()
    false, true = ("false", "true") if pg else ("0", "1")
    distinct = "IS DISTINCT FROM" if pg else "IS NOT"
    sme, territory = _q(SME._meta.db_table), _q("territories_territory")

    merged = [
        f"COALESCE(s.{name}, t.{name}, {default.format(false=false)}) AS {name}"
        for name, default in _MERGED.items()
    ]
    # The point, as ``locate_sme``: the file's, else a geocoded address kept while the commune
    # stays, else the commune's centre, else none.
    kept = (
        "t.location_precision = 'address' AND t.latitude IS NOT NULL "
        "AND t.longitude IS NOT NULL AND t.commune_id = s.commune_id"
    )
    on_commune = "c.latitude IS NOT NULL AND c.longitude IS NOT NULL"
    point = [
        f"CASE WHEN s.latitude IS NOT NULL THEN s.{axis} WHEN {kept} THEN t.{axis} "
        f"WHEN {on_commune} THEN c.{axis} END AS {axis}"
        for axis in ("latitude", "longitude")
    ]
    point.append(
        f"CASE WHEN s.latitude IS NOT NULL OR ({kept}) THEN 'address' "
        f"WHEN {on_commune} THEN 'commune' ELSE 'none' END AS location_precision"
    )
    sets_changed = [
        _set_differs(STAGE_MARKETS, "target_markets", "markets_given") if with_markets else "",
        _set_differs(STAGE_NEEDS, "needs", "needs_given") if with_needs else "",
    ]
    sets_changed_sql = " OR ".join(part for part in sets_changed if part) or false
    merge = (
        "SELECT s.siret, s.siren, "
        "CASE WHEN s.naf_code IS NOT NULL THEN s.sector_id ELSE t.sector_id END AS sector_id, "
        f"{', '.join(merged)}, {', '.join(point)}, "
        f"t.id AS old_id, t.version AS old_version, t.source AS old_source, "
        f"t.is_demo AS old_is_demo, t.created_at AS old_created_at, "
        f"t.updated_at AS old_updated_at, t.updated_by_id AS old_updated_by_id, "
        f"{', '.join(f't.{name} AS old_{name}' for name in _COMPARED)}, "
        f"({sets_changed_sql}) AS sets_changed "
        f"FROM {STAGE} s LEFT JOIN {sme} t ON t.siret = s.siret "
        f"LEFT JOIN {territory} c ON c.id = COALESCE(s.commune_id, t.commune_id)"
    )
    differs = " OR ".join(f"m.{name} {distinct} m.old_{name}" for name in _COMPARED)
    changed = f"(m.old_id IS NULL OR m.sets_changed OR {differs})"
    is_changed = "m.changed"
    written = [
        "siret",
        "siren",
        "sector_id",
        *_MERGED,
        "latitude",
        "longitude",
        "location_precision",
    ]
    insert_columns = [*written, "is_demo", "source", "version", "created_at", "updated_at"]
    insert_columns.append("updated_by_id")
    # Never said by a file: a new firm has not consented to be proposed as a partner, and an
    # existing one keeps its consent (not in ``updated``).
    insert_columns += ["partner_search_consent", "partner_search_consent_at"]
    select = [
        *(f"m.{name}" for name in written),
        f"COALESCE(m.old_is_demo, {false})",
        f"CASE WHEN {is_changed} THEN %(source)s ELSE m.old_source END",
        f"CASE WHEN m.old_id IS NULL THEN 1 WHEN {is_changed} THEN m.old_version + 1 "
        "ELSE m.old_version END",
        "COALESCE(m.old_created_at, %(now)s)",
        f"CASE WHEN {is_changed} THEN %(now)s ELSE m.old_updated_at END",
        f"CASE WHEN {is_changed} THEN NULL ELSE m.old_updated_by_id END",
        false,
        "NULL",
    ]
    updated = [*written, "source", "version", "updated_at", "updated_by_id"]
    updated.remove("siret")
    # ``changed`` is computed once per row in a middle query, then used by four columns.
    return (
        f"INSERT INTO {sme} ({', '.join(insert_columns)}) "
        f"SELECT {', '.join(select)} FROM (SELECT m.*, {changed} AS changed FROM ({merge}) m) m "
        f"WHERE {true} "
        "ON CONFLICT (siret) DO UPDATE SET "
        + ", ".join(f"{name} = EXCLUDED.{name}" for name in updated)
        + f" WHERE {sme}.version <> EXCLUDED.version"
    )


def _replace_sets(cursor, *, field_name: str, stage_table: str, given: str) -> None:
    """Give each SME whose row names a set exactly that set (links removed, then added)."""
    through, sme_col, target_col = _m2m(field_name)
    sme = _q(SME._meta.db_table)
    cursor.execute(
        f"DELETE FROM {through} WHERE {sme_col} IN (SELECT t.id FROM {STAGE} s "
        f"JOIN {sme} t ON t.siret = s.siret WHERE s.{given}) AND NOT EXISTS ("
        f"SELECT 1 FROM {stage_table} x JOIN {sme} t ON t.siret = x.siret "
        f"WHERE t.id = {through}.{sme_col} AND x.target_id = {through}.{target_col})"
    )
    cursor.execute(
        f"INSERT INTO {through} ({sme_col}, {target_col}) SELECT t.id, x.target_id "
        f"FROM {stage_table} x JOIN {sme} t ON t.siret = x.siret WHERE NOT EXISTS ("
        f"SELECT 1 FROM {through} y WHERE y.{sme_col} = t.id AND y.{target_col} = x.target_id)"
    )


def _warnings(cursor, *, limit: int) -> tuple[list[tuple[int, str, list[str]]], int]:
    """The size warnings of ``SME.size_warnings`` for the merged records of the file."""
    sme = _q(SME._meta.db_table)
    large_ranges = [code for code, (low, _high) in EMPLOYEE_RANGE_BOUNDS.items() if low >= 250]
    marks = ", ".join("%s" for _ in large_ranges)
    where = (
        f"t.employees >= %s OR (t.employees IS NULL AND t.employee_range IN ({marks})) "
        "OR t.turnover_eur >= %s"
    )
    params = [SME_MAX_EMPLOYEES, *large_ranges, SME_MAX_TURNOVER_EUR]
    cursor.execute(
        f"SELECT COUNT(*) FROM {STAGE} s JOIN {sme} t ON t.siret = s.siret WHERE {where}", params
    )
    total = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT s.line, t.siret, t.employees, t.employee_range, t.turnover_eur FROM {STAGE} s "
        f"JOIN {sme} t ON t.siret = s.siret WHERE {where} ORDER BY s.line LIMIT %s",
        [*params, limit],
    )
    found = []
    for line, siret, employees, employee_range, turnover in cursor.fetchall():
        record = SME(
            siret=siret, employees=employees, employee_range=employee_range, turnover_eur=turnover
        )
        found.append((line, siret, record.size_warnings()))
    return found, total


def load_staged(
    *,
    rows: Iterable[list[tuple]],
    markets: Iterable[list[tuple]],
    needs: Iterable[list[tuple]],
    source: str,
    with_markets: bool,
    with_needs: bool,
    warnings_kept: int,
    progress=None,
) -> LoadResult:
    """Load the staged batches and merge them into ``SME``; call inside ``transaction.atomic``.

    ``markets`` and ``needs`` are batches of ``(siret, id)`` pairs; ``with_markets`` /
    ``with_needs`` say whether the file has those columns at all (the comparison is left out
    of the statement otherwise).
    """
    result = LoadResult()
    started = time.monotonic()
    with connection.cursor() as cursor:
        if _is_postgres():
            # Editors write one SME at a time under a row lock; the merge reads the current
            # records in its SELECT, so it keeps other writers out until it commits (reads go on).
            cursor.execute(f"LOCK TABLE {_q(SME._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")
        _create_stage(cursor)
        staged = _fill(cursor, STAGE, STAGE_COLUMNS, _counting(rows, progress))
        if with_markets:
            _fill(cursor, STAGE_MARKETS, ("siret", "target_id"), markets)
        if with_needs:
            _fill(cursor, STAGE_NEEDS, ("siret", "target_id"), needs)
        _index_stage(cursor)
        result.seconds["load"] = time.monotonic() - started
        started = time.monotonic()
        if progress:
            progress("merge", staged)
        cursor.execute(
            f"SELECT COUNT(*) FROM {STAGE} s JOIN {_q(SME._meta.db_table)} t ON t.siret = s.siret"
        )
        existing = cursor.fetchone()[0]
        now = timezone.now()
        if not _is_postgres():
            now = connection.ops.adapt_datetimefield_value(now)
        cursor.execute(
            _upsert_sql(with_markets=with_markets, with_needs=with_needs),
            {"source": source, "now": now},
        )
        written = cursor.rowcount
        if with_markets:
            _replace_sets(
                cursor,
                field_name="target_markets",
                stage_table=STAGE_MARKETS,
                given="markets_given",
            )
        if with_needs:
            _replace_sets(cursor, field_name="needs", stage_table=STAGE_NEEDS, given="needs_given")
        result.created = staged - existing
        result.updated = written - result.created
        result.unchanged = existing - result.updated
        result.warnings, result.warnings_total = _warnings(cursor, limit=warnings_kept)
        # The merge sends no signal: the partner finder's market index is rewritten for the
        # consenting firms of the file (the import never changes a consent; a firm without one
        # has no entries).
        cursor.execute(
            f"SELECT t.id FROM {STAGE} s JOIN {_q(SME._meta.db_table)} t ON t.siret = s.siret "
            "WHERE t.partner_search_consent = %s",
            [True],
        )
        consenting = [row[0] for row in cursor.fetchall()]
        _drop_stage(cursor)
    refresh_partner_index(sme_ids=consenting)
    result.seconds["merge"] = time.monotonic() - started
    return result


def _counting(batches: Iterable[list[tuple]], progress) -> Iterator[list[tuple]]:
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        if progress:
            progress("load", done)
