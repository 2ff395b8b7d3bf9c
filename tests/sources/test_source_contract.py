"""The contract every source adapter keeps (qbo_sync.sources.base.Source).

The same suite runs over the demo source, a CSV folder written by DemoSource.write_csv,
and SqlSources over SQLite and PostgreSQL holding the demo company under renamed tables
and columns. Every adapter must give the frames the demo gives, value for value.
"""

from __future__ import annotations

import pandas as pd
import pytest

from qbo_sync.sources.base import SourceError
from qbo_sync.sources.schema import KEYS, REQUIRED, TABLES

from .stores import camel, real_table

ALL_TABLES = pytest.mark.parametrize("table", list(TABLES))


# -- the same company through every adapter ----------------------------------------------


@ALL_TABLES
def test_adapter_gives_the_demo_company_frame_for_frame(adapter, company, table):
    pd.testing.assert_frame_equal(adapter.read(table), company[table])


@ALL_TABLES
def test_columns_are_exactly_the_logical_ones_and_every_value_is_text(adapter, table):
    frame = adapter.read(table)
    assert tuple(frame.columns) == TABLES[table]
    assert len(frame) > 0
    assert {type(value) for value in frame.to_numpy().ravel()} == {str}


@ALL_TABLES
def test_rows_are_ordered_by_key_and_reading_again_gives_the_same(adapter, table):
    frame = adapter.read(table)
    key = KEYS[table]
    assert frame[key].tolist() == sorted(frame[key])  # demo ids are zero-padded
    if table == "vendor_bill_lines":
        for _, line_numbers in frame.groupby("bill_id", sort=False)["line_no"]:
            numbers = [int(n) for n in line_numbers]
            assert numbers == list(range(1, len(numbers) + 1))
    pd.testing.assert_frame_equal(adapter.read(table), frame)


def test_typed_database_values_come_back_as_the_csv_wrote_them(adapter):
    """The SQL stores hold these as INTEGER, NUMERIC(12,2), BOOLEAN, DATE and TIMESTAMP."""
    lines = adapter.read("vendor_bill_lines")
    assert lines["line_no"].head(3).tolist() == ["1", "2", "3"]
    assert lines["amount"].str.fullmatch(r"\d+\.\d\d").all()
    entries = adapter.read("timesheets")
    assert set(entries["billable"]) == {"true", "false"}
    assert entries["week_ending"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert entries["updated_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert (entries.loc[entries["billable"] == "false", "hourly_rate"] == "").all()


@pytest.mark.parametrize(
    ("table", "ids"),
    [
        ("projects", ["P-00003", "P-00001", "no-such-project"]),
        ("timesheets", ["T-0000004"]),
        ("vendor_bill_lines", ["B-000002", "B-000005"]),
    ],
)
def test_ids_limit_the_rows_to_those_keys(adapter, company, table, ids):
    frame = adapter.read(table, ids)
    key = KEYS[table]
    known = sorted(set(ids) & set(company[table][key]))
    assert known and sorted(set(frame[key])) == known
    expected = company[table][company[table][key].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, expected)
    if table == "vendor_bill_lines":  # a bill's id brings every line of it
        assert len(frame) > len(ids)


def test_no_ids_gives_an_empty_frame_with_the_columns(adapter):
    frame = adapter.read("vendors", [])
    assert frame.empty
    assert tuple(frame.columns) == TABLES["vendors"]


def test_an_unknown_table_name_is_a_clear_error(adapter):
    with pytest.raises(SourceError, match='unknown table "project"'):
        adapter.read("project")


# -- what a real store may hold that the demo never does -----------------------------------


def test_extra_columns_are_ignored(store, company):
    frames = {table: frame.copy() for table, frame in company.items()}
    frames["projects"]["legacy_code"] = "X-" + frames["projects"]["project_id"]
    frames["vendor_bill_lines"].insert(0, "tax_code", "NON")
    source = store.build(frames)
    for table in ("projects", "vendor_bill_lines"):
        pd.testing.assert_frame_equal(source.read(table), company[table])


def test_missing_optional_columns_read_as_empty(store, company):
    frames = {
        "vendors": company["vendors"].drop(columns=["email", "phone", "updated_at"]),
        "projects": company["projects"].drop(columns=["address", "number"]),
    }
    source = store.build(frames)
    vendors = source.read("vendors")
    assert tuple(vendors.columns) == TABLES["vendors"]
    assert (vendors[["email", "phone", "updated_at"]] == "").all().all()
    pd.testing.assert_frame_equal(vendors[["vendor_id", "name", "active"]], company["vendors"][["vendor_id", "name", "active"]])
    assert (source.read("projects")["address"] == "").all()


def test_rows_come_back_in_key_order_whatever_order_the_store_holds(store):
    """Keys that are numbers sort as numbers; line numbers within a bill too."""
    lines = pd.DataFrame({
        "bill_id": ["10", "9", "10", "9", "10"],
        "line_no": ["10", "2", "2", "1", "1"],
        "amount": ["5.00", "4.00", "3.00", "2.00", "1.00"],
    })
    source = store.build({"vendor_bill_lines": lines})
    frame = source.read("vendor_bill_lines")
    assert frame[["bill_id", "line_no"]].values.tolist() == [["9", "1"], ["9", "2"], ["10", "1"], ["10", "2"], ["10", "10"]]
    assert frame["amount"].tolist() == ["2.00", "4.00", "1.00", "3.00", "5.00"]


def test_bad_values_come_through_unchanged_for_validation_to_name(store):
    entry = {column: "" for column in TABLES["timesheets"]}
    entry.update(entry_id="T-1", employee_id="007", project_id="P-1", cost_code="01-100",
                 week_ending="2026-02-30", mon=" 8 ", tue="abc", wed="1e3", thu="-4",
                 fri="8,5", billable="yes", description='He said "ok", then left')
    source = store.build({"timesheets": pd.DataFrame([entry])}, typed=False)
    row = source.read("timesheets").iloc[0].to_dict()
    assert row == entry


@pytest.mark.parametrize("table", list(TABLES))
def test_a_missing_required_column_fails_naming_the_table_and_column(store, company, table):
    column = REQUIRED[table][-1]
    source = store.build({table: company[table].drop(columns=[column])})
    with pytest.raises(SourceError) as caught:
        source.read(table)
    message = str(caught.value)
    assert f'missing required column "{column}"' in message
    if store.kind == "csv":
        assert message.startswith(f"{table}.csv: ")
    else:  # the real table and the logical one it stands for
        assert f'{real_table(table)}" ({table}): ' in message
        assert f'(mapped to "{camel(column)}")' in message
