"""The logical tables every source provides, as documented in docs/source-format.md.

This is the contract between source adapters and the staging core: an adapter returns
each table as a DataFrame of strings with exactly these columns (extra source columns are
dropped, missing optional values are empty strings). Types are parsed later, by the
validation suites, so that a bad value becomes a Needs Action reason instead of a crash.

Each entity declares its tables (EntitySpec.source_tables); this module only gathers them.
"""

from __future__ import annotations

from qbo_sync.entities import ENTITIES

_DECLARED = [table for spec in ENTITIES.values() for table in spec.source_tables]

TABLES: dict[str, tuple[str, ...]] = {table.name: table.columns for table in _DECLARED}

# Columns that must exist in the source (a missing one fails the import, naming it).
# Every other column of a table may be absent; it is then read as empty.
REQUIRED: dict[str, tuple[str, ...]] = {table.name: table.required for table in _DECLARED}

# The column that identifies a row of each table in the source system (a line: its parent's).
KEYS: dict[str, str] = {table.name: table.key for table in _DECLARED}

# The columns that order a table's rows: its key, then (for lines) their position.
ORDER: dict[str, tuple[str, ...]] = {table.name: (table.key, *table.order_by) for table in _DECLARED}
