"""Property tests of the CSV source through import and validate (see harness.py for the rule
every case must keep)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbo_sync.sources.schema import TABLES
from tests.fuzz import strategies as s
from tests.fuzz.harness import Company, accepted_timesheets_are_plain, assert_staged_as_written, run


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Company:
    return Company(tmp_path_factory.mktemp("fuzz-csv"))


def csv_bytes(columns, rows, quote_all, newline, bom) -> bytes:
    """RFC 4180 as spreadsheets write it. (Python's csv.writer leaves a field holding a lone CR
    unquoted when lines end in LF, and every reader then sees a line break there.)"""
    def cell(value: str) -> str:
        if quote_all or any(ch in value for ch in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [",".join(cell(c) for c in columns)] + [",".join(cell(row[c]) for c in columns) for row in rows]
    return (b"\xef\xbb\xbf" if bom else b"") + "".join(line + newline for line in lines).encode("utf-8")


dialects = st.tuples(st.booleans(), st.sampled_from(["\n", "\r\n"]), st.booleans())

vendor_rows = st.lists(st.fixed_dictionaries({
    "vendor_id": st.sampled_from(["V-1", "V-2", "V-3", " V-4 "]) | s.text,
    "name": s.text | s.long_text,
    "email": s.text,
    "phone": s.text,
    "active": st.sampled_from(["true", "false", "", "yes", "TRUE"]) | s.text,
    "updated_at": s.date,
}), max_size=8)


def _vendors_file(work, rows, dialect) -> None:
    (work / "csv" / "vendors.csv").write_bytes(csv_bytes(TABLES["vendors"], rows, *dialect))


@given(rows=vendor_rows, dialect=dialects)
def test_vendors_any_text(company, rows, dialect):
    work = company.copy()
    _vendors_file(work, rows, dialect)
    res, error = run(company.source(work / "csv"), work, ["vendors"])
    if error is None:
        assert_staged_as_written(res, "vendors", "vendor_id", rows)
    else:
        assert str(error).startswith("vendors.csv")
    res.close()


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@st.composite
def timesheet_rows(draw):
    """Valid rows of the demo company's real employees, projects and cost codes, each with up to
    two values replaced by a number or date in a format a spreadsheet produces: so that most rows
    pass every other check, and what validation makes of the odd value shows."""
    valid = {"employee_id": "E-00001", "project_id": "P-00001", "cost_code": "01-100",
             "week_ending": "2026-11-22", "billable": "true", "hourly_rate": "50",
             "description": "work", "updated_at": "2026-11-20T10:00:00",
             **{d: "0" for d in DAYS}, "mon": "8"}
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=6))):
        row = {**valid, "entry_id": draw(st.sampled_from([f"T-{i}", "T-dup"]) | s.text)}
        for column in draw(st.lists(st.sampled_from([*DAYS, "hourly_rate", "week_ending"]), max_size=2)):
            row[column] = draw(s.date if column == "week_ending" else s.number)
        rows.append({c: row.get(c, "") for c in TABLES["timesheets"]})
    return rows


@given(rows=timesheet_rows(), dialect=dialects)
def test_timesheets_numbers_and_dates(company, rows, dialect):
    work = company.copy()
    (work / "csv" / "timesheets.csv").write_bytes(csv_bytes(TABLES["timesheets"], rows, *dialect))
    res, error = run(company.source(work / "csv"), work, ["timesheets"])
    if error is None:
        assert_staged_as_written(res, "timesheets", "entry_id", rows)
        accepted_timesheets_are_plain(res)
    else:
        assert str(error).startswith("timesheets.csv")
    res.close()


file_shapes = st.one_of(
    st.just(b""), st.just(b"\xef\xbb\xbf"), st.just(b"\n\n"), st.just("vendor_id,name\n".encode()),
    st.just("vendor_id,name".encode()), st.just("\ufeffvendor_id,name\r\n".encode()),
    st.just("vendor_id,name\n".encode("utf-16")), st.just(b"vendor_id,name\nV-1,\xff\xfe\n"),
    st.just(b"vendor_id,vendor_id,name\nV-1,V-1,A\n"), st.just(b"vendor_id,name\nV-1,A,extra\n"),
    st.just(b'vendor_id,name\nV-1,"unterminated\n'), st.just(b"name\nA\n"),
    st.binary(max_size=200),
    st.text(s.TEXT_CHARS, max_size=200).map(lambda t: ("vendor_id,name\n" + t).encode()),
)


@given(content=file_shapes)
def test_any_file_content(company, content):
    work = company.copy()
    (work / "csv" / "vendors.csv").write_bytes(content)
    res, error = run(company.source(work / "csv"), work, ["vendors"])
    if error is not None:
        assert str(error).startswith("vendors.csv")
    res.close()
