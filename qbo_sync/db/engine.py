"""Opening the staging database: engine, migrations applied on open, sessions."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

import orjson
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from qbo_sync.db import revisions
from qbo_sync.db.revisions import MIGRATIONS

MIGRATION_LOCK_KEY = 0x71626F5F73796E63   # "qbo_sync": a PostgreSQL advisory lock of our own


class StagingDb:
    """The staging database of one QBO company."""

    def __init__(self, url: str):
        self.url = url
        self.engine = _create_engine(url)
        upgrade(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def upsert(executor, model, rows: list[dict], keys: list[str], columns: list[str]) -> None:
    """Insert `rows`, or update `columns` of the rows whose `keys` are there already, in one
    statement (ON CONFLICT on PostgreSQL and SQLite), safe when two runs write at once.
    `executor`: a Session or a Connection."""
    bind = executor.get_bind() if hasattr(executor, "get_bind") else executor
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    executor.execute(statement.on_conflict_do_update(
        index_elements=keys, set_={column: statement.excluded[column] for column in columns}), rows)


def _json_text(value) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()   # int keys as text, like json


# The JSON columns (a record's source row, reasons, payloads) are read and written for every
# staged record in every stage: orjson does that several times faster than the json module.
JSON_CODEC = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **JSON_CODEC)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets the console read while a sync writes; foreign keys are off by default.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **JSON_CODEC)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    if _at_head(engine):
        return   # the common case, without importing alembic (a read-only verb answers faster)
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Two runs opening a new database at the same instant would both create the tables and
    # one fail ("table imports already exists", a unique key): the second waits for the first
    # and then finds them made.
    with _sqlite_file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _sqlite_file_lock(engine: Engine):
    """On SQLite, a lock file beside the database for the migration. The database's own lock
    does not serve: Python's sqlite3 runs DDL outside a transaction, so two runs interleave."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrating", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _at_head(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            return revisions.is_current(connection.execute(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:
        return False   # a new database: no version table yet
