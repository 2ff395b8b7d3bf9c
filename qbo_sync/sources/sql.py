"""Any database SQLAlchemy can reach, holding the logical tables under mapped names.

Config: `tables` maps a logical table to the real one ("pm_projects", or "schema.table");
`columns` maps, per logical table, a logical column to the real one. Unmapped names are
looked up as they are (exact match first, then ignoring letter case).

Values come back as text the same way for every database, so that a SqlSource gives the
frames a CsvSource gives for the same data: ints without '.0', decimals as plain decimal
strings (NUMERIC(p,s) with its scale, even where SQLite stores a float), dates YYYY-MM-DD,
timestamps ISO 8601, booleans true/false, NULL as ''. Nothing else is parsed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import NullPool

from qbo_sync.sources.base import SourceError
from qbo_sync.sources.frames import check_table, finish, missing_required
from qbo_sync.sources.schema import KEYS, TABLES

CONNECT_TIMEOUT_SECONDS = 5
# Ids are pushed into WHERE ... IN (...) in chunks below SQLite's old parameter limit;
# beyond PUSH_DOWN_MAX_IDS it is cheaper to read the table once and filter in pandas.
IDS_PER_QUERY = 900
PUSH_DOWN_MAX_IDS = 9_000


class SqlSource:
    name = "sql"

    def __init__(
        self,
        url: str,
        tables: dict[str, str] | None = None,
        columns: dict[str, dict[str, str]] | None = None,
    ):
        self.url = _parse_url(url)
        self.tables = dict(tables or {})
        self.columns = {table: dict(mapping) for table, mapping in (columns or {}).items()}
        _check_mapping(self.tables, self.columns)
        self._engine: Engine | None = None

    @property
    def safe_url(self) -> str:
        """The URL as it may be shown: the password replaced by ***."""
        return self.url.render_as_string(hide_password=True)

    def read(self, table: str, ids: Iterable[str] | None = None) -> pd.DataFrame:
        logical_columns = check_table(table)
        real_table = self.tables.get(table, table)
        where = f'table "{real_table}"' + (f" ({table})" if real_table != table else "")
        id_list = None if ids is None else ([ids] if isinstance(ids, str) else [str(i) for i in ids])
        with self._connect() as conn:
            schema, _, name = real_table.rpartition(".")
            found = self._reflect(conn, name, schema or None, table, real_table)
            chosen = self._choose_columns(table, logical_columns, found, where)
            try:
                rows = self._fetch(conn, name, schema or None, chosen, found, table, id_list)
            except sa.exc.SQLAlchemyError as error:
                raise SourceError(f"{where}: cannot be read ({self._reason(error)})") from None
        raw = self._to_frame(rows, chosen, found, where)
        return finish(table, raw, where, id_list)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- connecting -------------------------------------------------------------------

    def _connect(self) -> Connection:
        if self.url.get_backend_name() == "sqlite":
            database = self.url.database or ""
            # SQLite would silently create an empty database for a mistyped path.
            if database not in ("", ":memory:") and not database.startswith("file:"):
                if not Path(database).is_file():
                    raise SourceError(
                        f"database unreachable: {self.safe_url} (SQLite file {database} not found)"
                    )
        try:
            return self._get_engine().connect()
        except SourceError:
            raise
        except (sa.exc.SQLAlchemyError, OSError) as error:
            raise SourceError(f"database unreachable: {self.safe_url} ({self._reason(error)})") from None

    def _get_engine(self) -> Engine:
        if self._engine is None:
            try:
                # NullPool: an import reads a few tables and then the source sits idle for
                # hours; pooled connections would only go stale in between.
                self._engine = sa.create_engine(
                    self.url, poolclass=NullPool, connect_args=_timeout_args(self.url)
                )
            except (sa.exc.NoSuchModuleError, ImportError) as error:
                raise SourceError(
                    f"database driver for {self.url.drivername!r} is not installed "
                    f"({self.safe_url}): {self._reason(error)}"
                ) from None
        return self._engine

    def _reason(self, error: BaseException) -> str:
        """The first line of the driver's message, with the password blanked out."""
        original = getattr(error, "orig", None) or error
        text = (str(original).strip().splitlines() or [type(original).__name__])[0]
        if self.url.password:
            text = text.replace(str(self.url.password), "***")
        return text

    # -- reading ----------------------------------------------------------------------

    def _reflect(self, conn: Connection, name: str, schema: str | None, table: str, real: str) -> dict:
        """Real column name -> SQLAlchemy type of the real table."""
        try:
            inspector = sa.inspect(conn)
            if not inspector.has_table(name, schema=schema):
                suffix = f" (source table for {table})" if real != table else ""
                raise SourceError(f'table "{real}" not found{suffix} in {self.safe_url}')
            return {column["name"]: column["type"] for column in inspector.get_columns(name, schema=schema)}
        except sa.exc.SQLAlchemyError as error:
            raise SourceError(f'table "{real}": cannot be inspected ({self._reason(error)})') from None

    def _choose_columns(self, table: str, logical: tuple[str, ...], found: dict, where: str) -> dict[str, str]:
        """Logical column -> real column, for the logical columns the table has."""
        mapping = self.columns.get(table, {})
        by_folded = {}
        for real in found:
            by_folded.setdefault(real.casefold(), []).append(real)
        chosen: dict[str, str] = {}
        for column in logical:
            wanted = mapping.get(column, column)
            if wanted in found:
                chosen[column] = wanted
            elif len(by_folded.get(wanted.casefold(), [])) == 1:
                chosen[column] = by_folded[wanted.casefold()][0]
        missing = missing_required(table, chosen)
        if missing:
            described = []
            for column in missing:
                real = mapping.get(column, column)
                described.append(f'"{column}"' + (f' (mapped to "{real}")' if real != column else ""))
            plural = "s" if len(missing) > 1 else ""
            raise SourceError(f"{where}: missing required column{plural} {', '.join(described)}")
        return chosen

    def _fetch(self, conn, name, schema, chosen, found, table, ids) -> list[tuple]:
        source = sa.table(name, *(sa.column(real) for real in found), schema=schema)
        query = sa.select(*(source.c[real].label(logical) for logical, real in chosen.items()))
        key_real = chosen[KEYS[table]]
        key_is_text = isinstance(found[key_real], sa.String)
        if ids is None or not key_is_text or len(ids) > PUSH_DOWN_MAX_IDS:
            return conn.execute(query).fetchall()
        rows: list[tuple] = []
        for start in range(0, len(ids), IDS_PER_QUERY):
            chunk = ids[start:start + IDS_PER_QUERY]
            rows.extend(conn.execute(query.where(source.c[key_real].in_(chunk))).fetchall())
        return rows

    def _to_frame(self, rows: list[tuple], chosen: dict[str, str], found: dict, where: str) -> pd.DataFrame:
        # Raw driver values, not pd.read_sql: pandas would turn an integer column with a
        # NULL into floats ('3.0') and decimals into binary floats.
        columns = list(zip(*rows)) if rows else [() for _ in chosen]
        data = {}
        for (logical, real), values in zip(chosen.items(), columns):
            render = renderer(found[real], f'{where}, column "{real}"')
            data[logical] = [render(value) for value in values]
        return pd.DataFrame(data, columns=list(chosen), dtype=object)


def renderer(column_type: Any, where: str = "column") -> Callable[[Any], str]:
    """A function giving the text of one value of a column of `column_type`."""
    is_bool = isinstance(column_type, sa.Boolean)
    is_date_only = isinstance(column_type, sa.Date) and not isinstance(column_type, sa.DateTime)
    scale = None
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float):
        scale = column_type.scale

    def render(value: Any) -> str:
        kind = type(value)
        if kind is str:
            return value
        if value is None:
            return ""
        if kind is bool or (is_bool and kind is int):
            return "true" if value else "false"
        if kind is int:
            return f"{value}.{'0' * scale}" if scale else str(value)
        if kind is float:
            if value != value:  # NaN
                return ""
            if scale is not None:
                return f"{value:.{scale}f}"
            if value.is_integer():
                return str(int(value))
            return np.format_float_positional(value, trim="-")
        if kind is Decimal:
            return format(value, "f")
        if isinstance(value, dt.datetime):
            if is_date_only and value.time() == dt.time(0):
                return value.date().isoformat()
            return value.isoformat()
        if isinstance(value, (dt.date, dt.time)):
            return value.isoformat()
        if isinstance(value, (bytes, bytearray, memoryview)):
            try:
                return bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                raise SourceError(f"{where}: not valid UTF-8 text") from None
        return str(value)

    return render


def _parse_url(url: str) -> URL:
    try:
        return sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError, TypeError):
        # The driver's message would repeat the whole string, password included.
        scheme = str(url).split("://", 1)[0] if "://" in str(url) else "?"
        raise SourceError(
            f"invalid database URL (scheme {scheme!r}); expected e.g. "
            "postgresql+psycopg://user@host/db or sqlite:///path/to/file.db"
        ) from None


def _timeout_args(url: URL) -> dict:
    """Driver options so that an unreachable server fails within seconds, not minutes."""
    backend = url.get_backend_name()
    if backend in ("postgresql", "mysql", "mariadb") and "connect_timeout" not in url.query:
        return {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if backend == "mssql" and "timeout" not in url.query:
        return {"timeout": CONNECT_TIMEOUT_SECONDS}
    return {}


def _check_mapping(tables: dict[str, str], columns: dict[str, dict[str, str]]) -> None:
    for table in list(tables) + list(columns):
        if table not in TABLES:
            raise SourceError(
                f'sql source config: unknown table "{table}" (known tables: {", ".join(TABLES)})'
            )
    for table, mapping in columns.items():
        for column in mapping:
            if column not in TABLES[table]:
                raise SourceError(
                    f'sql source config: table "{table}" has no column "{column}" '
                    f'(columns: {", ".join(TABLES[table])})'
                )
    for table, real in tables.items():
        if not isinstance(real, str) or not real.strip():
            raise SourceError(f'sql source config: table "{table}" is mapped to an empty name')

