"""Other processes (gunicorn workers, a reader and a writer) on the test database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.db import connection


def database_url_for_workers(tmp_path: Path) -> str:
    """The test database, reachable from other processes: PostgreSQL's test database by name;
    SQLite's in-memory one copied to a file (what the session set-up committed: the reference
    subset and the catalogues). Call it outside a test's transaction (a module-scoped fixture):
    an SQLite copy cannot run inside one."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    path = tmp_path / "workers.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"
