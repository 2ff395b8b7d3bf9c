"""The source interface: one small protocol that every adapter implements."""

from __future__ import annotations

from typing import Protocol

import pandas as pd


class SourceError(Exception):
    """A source that cannot be read. The message names the file or table and the column."""


class Source(Protocol):
    """A project-management system's records, read as logical tables (see schema.TABLES).

    read() returns every row of the table as a DataFrame whose columns are exactly
    schema.TABLES[table], all values str ('' for a missing value), in a stable order.
    `ids`, when given, limits the rows to those whose key (schema.KEYS) is in it.
    It raises SourceError for anything that prevents reading: a missing file or table,
    a missing required column (schema.REQUIRED), bad encoding, an unreachable database.

    An adapter may also offer fingerprint(table): a hash of the table as the source holds it
    now, equal only when read() would return the same rows, or None when it cannot tell
    cheaply. An "all" import whose fingerprints match the last import's does not read again.
    """

    name: str

    def read(self, table: str, ids: list[str] | None = None) -> pd.DataFrame: ...
