"""Reading the staging database with plain SQL over a DB-API connection.

The read-only verbs (status, history, payload, report, log) answer through a Reader
without importing SQLAlchemy (0.5-0.7 s to import on a 2-core machine): SQLite through the
standard library, PostgreSQL through psycopg. A database that does not exist yet, or is
not at the newest migration, is opened once through StagingDb, which creates or migrates
it. The console hands its StagingDb to the same views: they run on its engine's connections.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import orjson

from qbo_sync.db import revisions

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class Reader:
    """Rows as dicts from SQL with :name parameters."""

    def __init__(self, connect, pyformat: bool, keep_open: bool = False, owner=None):
        self._connect = connect          # () -> a DB-API connection
        self._pyformat = pyformat        # psycopg takes %(name)s; sqlite3 takes :name
        self._keep_open = keep_open      # one connection for this reader, or one per query (a pool's)
        self._owner = owner              # a StagingDb this reader opened, disposed on close()
        self._connection = None

    def rows(self, sql: str, **params) -> list[dict]:
        if self._pyformat:
            sql = _NAMED.sub(r"%(\1)s", sql)
        connection = self._connection or self._connect()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            found = [dict(zip(names, row)) for row in cursor.fetchall()]
            cursor.close()
        finally:
            if self._keep_open:
                self._connection = connection
            else:
                connection.close()   # back to the pool
        return found

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._owner is not None:
            self._owner.dispose()
            self._owner = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def reader_of(db) -> Reader:
    """A Reader for a StagingDb (its engine's pooled connections) or a Reader itself."""
    if isinstance(db, Reader):
        return db
    return Reader(db.engine.raw_connection, pyformat=db.engine.dialect.name == "postgresql")


def open_reader(url: str) -> Reader:
    """A Reader for the staging database at `url`; SQLAlchemy only when the schema needs work."""
    direct = _direct(url)
    if direct is not None:
        try:
            if revisions.is_current((row["version_num"],) for row in direct.rows(
                    "SELECT version_num FROM alembic_version")):
                return direct
        except Exception:   # noqa: BLE001 - no version table yet, or the database is not reachable:
            pass            # StagingDb says which, in SQLAlchemy's words
        direct.close()
    from qbo_sync.db.engine import StagingDb

    db = StagingDb(url)
    return Reader(db.engine.raw_connection, pyformat=db.engine.dialect.name == "postgresql", owner=db)


def _direct(url: str) -> Reader | None:
    """A Reader straight on the DB-API driver, for SQLite files and PostgreSQL URLs."""
    scheme, _, rest = url.partition("://")
    dialect = scheme.split("+")[0]
    if dialect == "sqlite":
        path = rest.removeprefix("/")
        if not path or path == ":memory:" or "?" in path or not Path(path).is_file():
            return None
        import sqlite3

        return Reader(lambda: sqlite3.connect(path, timeout=30, isolation_level=None), pyformat=False,
                      keep_open=True)
    if dialect in ("postgresql", "postgres"):
        import psycopg

        return Reader(lambda: psycopg.connect(f"postgresql://{rest}", autocommit=True), pyformat=True,
                      keep_open=True)
    return None


# Values as the ORM gives them: JSON columns decoded, SQLite's datetime text parsed.
def json_value(value):
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def when(value) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
