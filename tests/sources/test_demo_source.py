"""The demo company: deterministic, realistic, scaled by size, with exactly the seeded defects."""

from __future__ import annotations

import datetime as dt
import re
import time

import pandas as pd
import pytest

from qbo_sync.sources.demo import DemoSource
from qbo_sync.sources.schema import TABLES

# The sandbox's seeded QBO company (from the task brief), written out here rather than
# imported, so that the demo is checked against it and not against itself.
QBO_CUSTOMERS = {
    "Harbor View Properties LLC", "Cedar Ridge School District", "Northgate Medical Group",
    "Maple & Main Retail Partners", "Summit Hospitality Inc", "Riverside Municipal Water",
}
QBO_VENDORS = {
    "Ace Concrete Supply", "Pacific Lumber Co", "Bright Electric Wholesale",
    "Metro Equipment Rentals", "Allied Drywall Subcontractors",
}
QBO_EMPLOYEES = {"Maria Lopez", "James Carter", "Aisha Khan", "Tom Becker"}
STATUSES = {"Active", "On Hold", "Completed", "Closed"}
COST_TYPES = {"Labor", "Material", "Equipment", "Subcontract", "Other"}
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def frames(size=1, seed=7) -> dict[str, pd.DataFrame]:
    source = DemoSource(size=size, seed=seed)
    return {table: source.read(table) for table in TABLES}


def test_same_size_and_seed_give_the_same_company():
    first, second = frames(2, 7), frames(2, 7)
    for table in TABLES:
        pd.testing.assert_frame_equal(first[table], second[table])


def test_another_seed_gives_another_company_with_the_same_cast():
    seven, eight = frames(1, 7), frames(1, 8)
    for table in ("projects", "employees", "timesheets", "vendor_bills", "vendor_bill_lines"):
        assert not seven[table].equals(eight[table]), table
    assert seven["projects"]["name"].tolist() == eight["projects"]["name"].tolist()
    assert seven["vendors"]["name"].tolist() == eight["vendors"]["name"].tolist()


def test_size_one_is_the_small_company():
    company = frames(1)
    counts = {table: len(frame) for table, frame in company.items()}
    assert counts["projects"] == 12
    assert counts["cost_codes"] == 20
    assert counts["employees"] == 8
    assert counts["vendors"] == 6
    assert counts["vendor_bills"] == 25
    assert 80 <= counts["timesheets"] <= 130
    assert 70 <= counts["vendor_bill_lines"] <= 130
    assert company["timesheets"]["week_ending"].nunique() == 7  # six Sundays + the defect's Saturday


def test_size_scales_counts_roughly_linearly():
    one, five = frames(1), frames(5)
    for table in TABLES:
        ratio = len(five[table]) / len(one[table])
        assert 4 <= ratio <= 6, (table, ratio)


def test_names_are_shared_with_the_sandbox_company():
    company = frames(1)
    clients = set(company["projects"]["client_name"])
    assert QBO_CUSTOMERS <= clients
    case_variants = {c for c in clients if c not in QBO_CUSTOMERS and c.casefold() in {q.casefold() for q in QBO_CUSTOMERS}}
    assert case_variants == {"CEDAR RIDGE SCHOOL DISTRICT"}
    assert clients - QBO_CUSTOMERS - case_variants == {"Lakeshore Dental Studio"}
    assert {"Pier 9 Renovation", "Clinic Expansion"} <= set(company["projects"]["name"])  # QBO sub-customers
    vendors = set(company["vendors"]["name"])
    assert len(vendors & QBO_VENDORS) == 4 and len(vendors - QBO_VENDORS) == 2
    people = set(company["employees"]["first_name"] + " " + company["employees"]["last_name"])
    assert QBO_EMPLOYEES <= people and len(people - QBO_EMPLOYEES) == 4


def test_data_looks_like_a_construction_company():
    company = frames(1)
    projects = company["projects"]
    assert projects["number"].str.fullmatch(r"20\d\d-\d{3}").all() and projects["number"].is_unique
    assert projects["address"].str.fullmatch(r"\d+ [NESW]{1,2} \w+ \w+, [A-Za-z ]+, (OR|WA) \d{5}").all()
    codes = company["cost_codes"]
    assert (codes["code"] + " " + codes["name"]).iloc[0] == "01-100 General Conditions"
    assert set(codes["type"]) == COST_TYPES
    assert codes["code"].str.fullmatch(r"\d\d-\d{3}").all()
    employees = company["employees"]
    assert employees["hourly_cost"].str.fullmatch(r"\d{2}\.\d\d").all()
    assert employees["email"].str.fullmatch(r"[a-z.]+@northwindbuilders\.com").all()
    bills = company["vendor_bills"]
    assert (bills["due_date"] > bills["bill_date"]).all()
    assert bills["memo"].str.len().gt(10).all()
    lines = company["vendor_bill_lines"]
    assert lines["amount"].str.fullmatch(r"\d+\.\d\d").all()
    assert set(lines["bill_id"]) == set(bills["bill_id"])  # every bill has lines


# -- the seeded defects: present at every size, and nothing else is wrong ----------------


def _as_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _is_hours(text: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", text) is not None and float(text) <= 24


@pytest.mark.parametrize(("size", "seed"), [(1, 7), (5, 7), (5, 11)])
def test_every_named_defect_is_present_and_the_rest_is_clean(size, seed):
    source = DemoSource(size=size, seed=seed)
    company = {table: source.read(table) for table in TABLES}
    projects, entries = company["projects"].set_index("project_id"), company["timesheets"].set_index("entry_id")
    bills, lines = company["vendor_bills"].set_index("bill_id"), company["vendor_bill_lines"]
    codes, employees = set(company["cost_codes"]["code"]), set(company["employees"]["employee_id"])

    defects = {(d.table, d.key, d.column): d for d in source.defects()}
    assert len(defects) == 10
    for (table, key, column), defect in defects.items():
        frame = company[table]
        rows = frame[frame[frame.columns[0]] == key]
        assert defect.value in set(rows[column]), defect

    # Projects: one end before start, one unknown status, one client QBO lacks, one ':' name.
    ends = projects[projects["end_date"] != ""]
    assert list(ends.index[ends["end_date"].map(_as_date) < ends["start_date"].map(_as_date)]) == ["P-00011"]
    assert list(projects.index[~projects["status"].isin(STATUSES)]) == ["P-00009"]
    assert projects.at["P-00009", "status"] == "Pending"
    known_clients = {c.casefold() for c in QBO_CUSTOMERS}
    assert list(projects.index[~projects["client_name"].str.casefold().isin(known_clients)]) == ["P-00012"]
    assert projects.at["P-00012", "client_name"] == "Lakeshore Dental Studio"
    assert list(projects.index[projects["name"].str.contains(":")]) == ["P-00008"]

    # Timesheets: 25 hours, a Saturday week ending, "abc" hours, an unknown employee.
    not_hours = {(entry, day) for entry, row in entries[DAYS].iterrows() for day in DAYS if not _is_hours(row[day])}
    assert not_hours == {("T-0000001", "wed"), ("T-0000003", "thu")}
    assert entries.at["T-0000001", "wed"] == "25" and entries.at["T-0000003", "thu"] == "abc"
    not_sunday = entries.index[entries["week_ending"].map(lambda d: _as_date(d).weekday() != 6)]
    assert list(not_sunday) == ["T-0000002"]
    assert list(entries.index[~entries["employee_id"].isin(employees)]) == ["T-0000004"]
    assert entries["project_id"].isin(projects.index[projects["status"] == "Active"]).all()
    assert entries["cost_code"].isin(codes).all()

    # Bills: one number over QBO's 21 characters, one line with an unknown cost code.
    assert list(bills.index[bills["bill_number"].str.len() > 21]) == ["B-000003"]
    assert len(bills.at["B-000003", "bill_number"]) > 21
    unknown = lines[~lines["cost_code"].isin(codes)]
    assert unknown[["bill_id", "line_no", "cost_code"]].values.tolist() == [["B-000005", "1", "03-350"]]
    assert bills["vendor_id"].isin(company["vendors"]["vendor_id"]).all()
    assert not bills.duplicated(["vendor_id", "bill_number"]).any()
    assert lines["project_id"].isin(projects.index).all()


@pytest.mark.parametrize("size", [1, 5, 200])
def test_names_are_unique_across_customers_vendors_and_employees(size):
    """QBO's DisplayName is unique across those three, projects (sub-customers) included."""
    company = frames(size)
    people = company["employees"]["first_name"] + " " + company["employees"]["last_name"]
    names = (
        list(company["projects"]["name"]) + sorted(set(company["projects"]["client_name"]))
        + list(company["vendors"]["name"]) + list(people)
    )
    folded = pd.Series([n.casefold() for n in names])
    clients = {c.casefold() for c in company["projects"]["client_name"]}
    duplicates = set(folded[folded.duplicated()]) - clients  # one client written two ways is the point
    assert not duplicates
    assert company["employees"]["email"].is_unique


def test_large_size_reaches_benchmark_volume_quickly():
    started = time.monotonic()
    company = frames(200)
    elapsed = time.monotonic() - started
    assert len(company["timesheets"]) >= 18_000
    assert len(company["vendor_bills"]) == 5_000
    assert len(company["vendor_bill_lines"]) >= 18_000
    assert elapsed < 10, f"building and reading size 200 took {elapsed:.1f} s"


def test_write_csv_writes_one_file_per_table_with_the_logical_header(tmp_path):
    DemoSource().write_csv(tmp_path / "export")
    files = sorted(path.name for path in (tmp_path / "export").iterdir())
    assert files == sorted(f"{table}.csv" for table in TABLES)
    for table, columns in TABLES.items():
        header = (tmp_path / "export" / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(columns)


def test_changing_a_frame_read_does_not_change_the_company():
    source = DemoSource()
    frame = source.read("projects")
    frame.loc[0, "name"] = "Changed by a caller"
    assert source.read("projects").loc[0, "name"] == "Pier 9 Renovation"


def test_with_a_folder_a_few_bills_name_their_invoice_written_there_as_a_pdf(tmp_path):
    from qbo_sync.sources.demo import DOCUMENTED_BILLS

    bills = DemoSource(folder=tmp_path).read("vendor_bills").set_index("bill_id")
    named = bills[bills["document"] != ""]
    assert list(named.index) == list(DOCUMENTED_BILLS)
    for bill_id, row in named.iterrows():
        pdf = (tmp_path / row["document"]).read_bytes()
        assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")
        assert f"Invoice {row['bill_number']}".encode() in pdf
    assert set(DemoSource().read("vendor_bills")["document"]) == {""}   # no folder: no documents
