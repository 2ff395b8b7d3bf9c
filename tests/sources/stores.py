"""Put a company (logical frames) into a real store and return the adapter reading it.

The SQL stores use renamed tables and columns ("PmProjects"."ProjectId"), typed columns
(INTEGER, NUMERIC(12,2), BOOLEAN, DATE, TIMESTAMP) where the data allows, and rows inserted
in a shuffled order, so that mapping, value rendering and ordering are all exercised.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from qbo_sync.sources.csv_folder import CsvSource
from qbo_sync.sources.schema import TABLES
from qbo_sync.sources.sql import SqlSource

POSTGRES_URL = os.environ.get("QBO_SYNC_TEST_POSTGRES_URL", "")

NUMERIC_COLUMNS = {"amount", "hourly_cost", "hourly_rate"}
BOOLEAN_COLUMNS = {"active", "billable"}
DATE_COLUMNS = {"start_date", "end_date", "bill_date", "due_date", "week_ending"}


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def real_table(table: str) -> str:
    return "Pm" + camel(table)


def sql_type(column: str, typed: bool = True):
    if not typed:
        return sa.Text()
    if column == "line_no":
        return sa.Integer()
    if column in NUMERIC_COLUMNS:
        return sa.Numeric(12, 2)
    if column in BOOLEAN_COLUMNS:
        return sa.Boolean()
    if column in DATE_COLUMNS:
        return sa.Date()
    if column == "updated_at":
        return sa.DateTime()
    return sa.Text()


def shuffled(frame: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    order = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[order]


def write_csv_folder(folder: Path, frames: dict[str, pd.DataFrame]) -> CsvSource:
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in frames.items():
        shuffled(frame).to_csv(folder / f"{table}.csv", index=False, lineterminator="\n")
    return CsvSource(folder)


def load_sql(engine: sa.Engine, frames: dict[str, pd.DataFrame], schema: str | None = None, typed: bool = True) -> None:
    """Create each table under its real name with typed columns and insert its rows."""
    metadata = sa.MetaData(schema=schema)
    for table, frame in frames.items():
        sa.Table(real_table(table), metadata, *(sa.Column(camel(c), sql_type(c, typed)) for c in frame.columns))
    metadata.create_all(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        for table, frame in frames.items():
            # Untyped columns: values go to the driver as text and the database converts
            # them, as a loader of a real PM system's export would.
            target = sa.table(real_table(table), *(sa.column(camel(c)) for c in frame.columns), schema=schema)
            rows = [
                {camel(c): _db_value(c, value, sqlite and typed) for c, value in zip(frame.columns, row)}
                for row in shuffled(frame).itertuples(index=False)
            ]
            if rows:
                conn.execute(sa.insert(target), rows)


def _db_value(column: str, value: str, sqlite_typed: bool):
    if value == "":
        return None
    if sqlite_typed and column in BOOLEAN_COLUMNS:  # SQLite keeps booleans as 1/0
        return {"true": 1, "false": 0}.get(value, value)
    return value


def sql_mapping(frames: dict[str, pd.DataFrame], schema: str | None = None) -> tuple[dict, dict]:
    prefix = f"{schema}." if schema else ""
    # Map every logical table and column, those the store lacks too, as a full config would.
    tables = {table: prefix + real_table(table) for table in TABLES}
    columns = {table: {c: camel(c) for c in TABLES[table]} for table in TABLES}
    return tables, columns


class SqliteStore:
    kind = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def build(self, frames: dict[str, pd.DataFrame], typed: bool = True) -> SqlSource:
        path = self.folder / f"company-{uuid.uuid4().hex[:8]}.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        load_sql(engine, frames, typed=typed)
        engine.dispose()
        tables, columns = sql_mapping(frames)
        return SqlSource(f"sqlite:///{path}", tables=tables, columns=columns)

    def cleanup(self) -> None:
        pass


class PostgresStore:
    """Each build gets its own schema, dropped at cleanup, so parallel runs never clash."""

    kind = "postgres"

    def __init__(self, url: str = POSTGRES_URL):
        self.url = url
        self.engine = sa.create_engine(url)
        self.schemas: list[str] = []

    def build(self, frames: dict[str, pd.DataFrame], typed: bool = True) -> SqlSource:
        schema = f"qbo_src_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        load_sql(self.engine, frames, schema=schema, typed=typed)
        tables, columns = sql_mapping(frames, schema)
        return SqlSource(self.url, tables=tables, columns=columns)

    def cleanup(self) -> None:
        with self.engine.begin() as conn:
            for schema in self.schemas:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.engine.dispose()


class CsvStore:
    kind = "csv"

    def __init__(self, folder: Path):
        self.folder = folder

    def build(self, frames: dict[str, pd.DataFrame], typed: bool = True) -> CsvSource:
        return write_csv_folder(self.folder / f"company-{uuid.uuid4().hex[:8]}", frames)

    def cleanup(self) -> None:
        pass
