"""Examples the fuzz suites found, kept as regular tests (each failed before its fix)."""

from __future__ import annotations

import pytest

from qbo_sync.entities.timesheets import day_dates
from qbo_sync.sources.base import SourceError
from qbo_sync.sources.csv_folder import CsvSource
from qbo_sync.sources.schema import TABLES
from tests.fuzz.harness import Company, run
from tests.fuzz.test_csv_source import csv_bytes
from tests.e2e.test_timesheets_sync import rows as status_by_id


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Company:
    return Company(tmp_path_factory.mktemp("findings"))


def _timesheets(company, values: dict[str, dict[str, str]]):
    base = {"employee_id": "E-00001", "project_id": "P-00001", "cost_code": "01-100", "week_ending": "2026-11-22",
            "billable": "true", "hourly_rate": "50", "description": "w", "mon": "8"}
    rows = [{c: {**base, "entry_id": entry, **changes}.get(c, "0" if c in ("tue", "wed", "thu", "fri", "sat", "sun")
                                                            else "") for c in TABLES["timesheets"]}
            for entry, changes in values.items()]
    work = company.copy()
    (work / "csv" / "timesheets.csv").write_bytes(csv_bytes(TABLES["timesheets"], rows, False, "\n", False))
    res, error = run(company.source(work / "csv"), work, ["timesheets"])
    assert error is None
    # The company's other entries are gone from this file: they stay listed, deleted in the source.
    return {k: v for k, v in status_by_id(res, "timesheets").items() if v["status"] != "Deleted in source"}


def test_hours_in_other_scripts_digits_are_not_a_number(company):
    """Python's \\d (and Decimal) read "٢٥" as 25: it passed the 24-hour check unread and would
    have been pushed as 25 hours."""
    shown = _timesheets(company, {"T-1": {"mon": "٢٥"}, "T-2": {"mon": "８"}, "T-3": {"mon": " 8 "},
                                  "T-4": {"mon": "-0"}, "T-5": {"mon": "1e3"}, "T-6": {"mon": "1,234.50"},
                                  "T-7": {"mon": "NaN"}})
    assert {k: v["status"] for k, v in shown.items()} == {
        "T-1": "Needs Action", "T-2": "Needs Action", "T-3": "Needs Sync", "T-4": "Needs Sync",
        "T-5": "Needs Action", "T-6": "Needs Action", "T-7": "Needs Action"}
    assert shown["T-1"]["reasons"] == ['Monday: "٢٥" is not a number of hours']


def test_week_ending_without_leading_zeros_is_read_as_validation_reads_it():
    """"2026-1-4" passes the %Y-%m-%d check; date.fromisoformat refused it at push time."""
    assert day_dates("2026-1-4")["mon"] == "2025-12-29"


def test_nul_character_is_refused_naming_file_row_and_column(tmp_path):
    (tmp_path / "vendors.csv").write_text('vendor_id,name\nV-1,Acme\nV-2,"Bad\x00Name"\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        CsvSource(tmp_path).read("vendors")
    assert str(caught.value) == 'vendors.csv: row 3, column "name": holds a NUL character (\\0); remove it in the source'


def test_id_longer_than_the_staging_database_keeps_is_refused(tmp_path):
    (tmp_path / "vendors.csv").write_text(f"vendor_id,name\nV-1,Acme\n{'V' * 201},Long\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r'vendors\.csv: row 3, column "vendor_id": an id may have at most 200 '
                                          r"characters, this one has 201"):
        CsvSource(tmp_path).read("vendors")


def test_batch_item_whose_query_is_not_text_gets_a_fault_not_a_system_error(sandbox, admin):
    import requests

    realm = admin.create_realm(seed=True)
    token = admin.issue_tokens(realm)["access_token"]
    answer = requests.post(f"{sandbox.info['api_url_v3']}/company/{realm}/batch", timeout=10,
                           json={"BatchItemRequest": [{"bId": "1", "Query": {"select": "*"}}]},
                           headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    assert answer.status_code == 200
    fault = answer.json()["BatchItemResponse"][0]["Fault"]["Error"][0]
    assert fault["code"] == "2010" and "Query must be a query string" in fault["Detail"]
