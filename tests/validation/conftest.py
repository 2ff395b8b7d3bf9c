"""Fixtures for the validation suites: hand-built source frames and one GX context per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qbo_sync.sources.schema import TABLES
from qbo_sync.validation import runner
from qbo_sync.validation.suites import SHIPPED_SUITES

REPO_SUITES = SHIPPED_SUITES   # the suites shipped in the package (qbo_sync/validations)


@pytest.fixture(scope="session")
def gx_context():
    """Builds the process's GX context once (2-3 s); every test after it reuses it."""
    return runner._batch_definition()


@pytest.fixture(scope="session")
def suites_dir(gx_context) -> Path:
    return REPO_SUITES


def source_frame(table: str, rows: list[dict[str, str]]) -> pd.DataFrame:
    """A table as a source adapter returns it: every schema column, str values, '' for missing."""
    columns = list(TABLES[table])
    unknown = {c for row in rows for c in row} - set(columns)
    assert not unknown, f"not columns of {table}: {unknown}"
    return pd.DataFrame([{c: row.get(c, "") for c in columns} for row in rows], columns=columns, dtype=str)


KNOWN = {
    "known_employee_ids": ["E1", "E2"],
    "known_project_ids": ["P1", "P2"],
    "known_cost_codes": ["01-100", "02-200"],
    "known_vendor_ids": ["V1", "V2"],
    "known_purchase_order_ids": ["PO1"],
}
