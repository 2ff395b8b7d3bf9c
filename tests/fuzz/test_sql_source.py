"""Property tests of the SQL source through import and validate, on SQLite and PostgreSQL
(see harness.py for the rule every case must keep)."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from qbo_sync.sources.schema import TABLES
from qbo_sync.sources.sql import SqlSource
from tests.fixtures import POSTGRES_URL
from tests.e2e.test_timesheets_sync import rows as status_by_id
from tests.fuzz.harness import Company, assert_staged_as_written, run, staged_data
from tests.fuzz.test_csv_source import vendor_rows
from tests.sources.stores import PostgresStore, SqliteStore


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Company:
    return Company(tmp_path_factory.mktemp("fuzz-sql"))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request, tmp_path_factory):
    if request.param == "sqlite":
        yield SqliteStore(tmp_path_factory.mktemp("fuzz-sql-store"))
        return
    if not POSTGRES_URL:
        pytest.skip("QBO_SYNC_TEST_POSTGRES_URL is not set")
    made = PostgresStore()
    yield made
    made.cleanup()


@given(rows=vendor_rows)
def test_vendors_any_text_in_text_columns(company, store, rows):
    if store.kind == "postgres":   # PostgreSQL text cannot hold NUL: no such source exists there
        rows = [{k: v.replace("\x00", "") for k, v in row.items()} for row in rows]
    source = store.build({"vendors": pd.DataFrame(rows, columns=list(TABLES["vendors"]), dtype=object)},
                         typed=False)
    work = company.copy()
    res, error = run(source, work, ["vendors"])
    if error is None:
        # The store writes '' as NULL, which reads back as '': the same text.
        assert_staged_as_written(res, "vendors", "vendor_id", rows)
    else:
        assert str(error).startswith('table "PmVendors"')
    source.close()
    res.close()


hours = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.none(),
                  st.sampled_from([0.0, -0.0, 8.0, 7.25, 24.0, 24.000001, 1e-7, 1e300, 0.1 + 0.2]))


@given(mon=st.lists(hours, min_size=1, max_size=5))
def test_hours_in_a_real_column(company, tmp_path_factory, mon):
    """Hours stored as REAL in SQLite: each comes back as the decimal text of the stored number
    (never an exponent, never 'nan' read as a number), and what validation accepts is that number."""
    path = tmp_path_factory.mktemp("hours") / "pm.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    columns = [sa.Column(c, sa.Float if c == "mon" else sa.Text) for c in TABLES["timesheets"]]
    table = sa.Table("timesheets", sa.MetaData(), *columns)
    table.create(engine)
    base = {"employee_id": "E-00001", "project_id": "P-00001", "cost_code": "01-100", "week_ending": "2026-11-22",
            "billable": "true", "hourly_rate": "50", "description": "w", "tue": "0", "wed": "0", "thu": "0",
            "fri": "0", "sat": "0", "sun": "0", "updated_at": ""}
    with engine.begin() as conn:
        conn.execute(table.insert(), [{**base, "entry_id": f"T-{i}", "mon": value} for i, value in enumerate(mon)])
    engine.dispose()
    work = company.copy()
    res, error = run(SqlSource(f"sqlite:///{path}"), work, ["timesheets"])
    assert error is None
    shown = status_by_id(res, "timesheets")
    data = staged_data(res, "timesheets")
    for i, value in enumerate(mon):
        text = data[f"T-{i}"]["mon"]
        status = shown[f"T-{i}"]["status"]
        if value is None or math.isnan(value):   # SQLite keeps NaN as NULL: missing, as NULL is
            assert text == ""
            continue
        if math.isinf(value):
            assert status == "Needs Action"
            continue
        assert "e" not in text.lower(), text
        assert Decimal(text) == Decimal(repr(value)) or float(text) == value, (value, text)
        assert (status == "Needs Sync") == (0 <= value <= 24), (value, text, status)
    res.close()
