"""A copy of the staging database for a rehearsal to work on; the real one is only read.

SQLite: SQLite's online backup of the file into the rehearsal's folder (a consistent copy
even while a sync or the console has the database open). PostgreSQL: our tables copied
into a schema of their own in the same database, `<schema>_rehearsal`, made afresh for each
rehearsal (a second database would need rights to create databases; a schema needs none
beyond what the staging database already has). In both, the stored QuickBooks tokens are
left out: the copy connects to the copy of the company only.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

SKIPPED_TABLES = ("tokens",)      # the real company's connection stays with the real database


def copy_staging(source_url: str, folder: Path) -> str:
    """The URL of a fresh copy of the staging database at `source_url`."""
    if source_url.startswith("sqlite"):
        return _copy_sqlite(source_url, folder)
    return _copy_postgres(source_url)


def _copy_sqlite(source_url: str, folder: Path) -> str:
    source = make_url(source_url).database
    target = folder / "staging.db"
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    _open(source_url).dispose()          # brings a new database to the current schema first
    real, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        real.backup(copy)            # reads only: the real file is not written
        for table in SKIPPED_TABLES:
            copy.execute(f"DELETE FROM {table}")
        copy.commit()
    finally:
        real.close()
        copy.close()
    return url


def _copy_postgres(source_url: str) -> str:
    from qbo_sync.db.models import Base

    real = _open(source_url)
    try:
        with real.engine.connect() as conn:
            schema = _schema_name(conn.scalar(text("SELECT current_schema()")))
        with real.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(source_url).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
        copy = _open(url)                # the migrations make the tables, triggers and sequences
        try:
            with real.engine.connect() as reading, copy.engine.begin() as writing:
                for table in Base.metadata.sorted_tables:
                    if table.name in SKIPPED_TABLES:
                        continue
                    rows = [dict(row._mapping) for row in reading.execute(select(table))]
                    if rows:
                        writing.execute(table.insert(), rows)
                    if "id" in table.c and table.c.id.autoincrement and rows:
                        writing.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                             f"(SELECT max(id) FROM {table.name}))"))
        finally:
            copy.dispose()
    finally:
        real.dispose()
    return url


def _schema_name(current: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", (current or "public").lower())[:50] + "_rehearsal"


def _open(url: str):
    from qbo_sync.db.engine import StagingDb

    return StagingDb(url)
