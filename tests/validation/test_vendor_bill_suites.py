"""validations/vendor_bills.json and vendor_bill_lines.json."""

from __future__ import annotations

import pytest

from qbo_sync.validation import validate_frame
from tests.validation.conftest import KNOWN, source_frame

BILL = dict(vendor_id="V1", bill_number="INV-2026-0042", bill_date="2026-03-02", due_date="2026-04-01",
            project_id="P1", memo="March lumber")
LINE = dict(line_no="1", cost_code="01-100", project_id="P1", description="2x4s", amount="1250.00")


def bills(suites_dir, *rows):
    return validate_frame(suite_name="vendor_bills", df=source_frame("vendor_bills", list(rows)), key="bill_id",
                          parameters=KNOWN, suites_dir=suites_dir)


def lines(suites_dir, *rows):
    return validate_frame(suite_name="vendor_bill_lines", df=source_frame("vendor_bill_lines", list(rows)),
                          key="bill_id", parameters=KNOWN, suites_dir=suites_dir)


def test_good_bills_pass(suites_dir):
    outcome = bills(suites_dir, dict(BILL, bill_id="B1"),
                    dict(BILL, bill_id="B2", bill_number="x" * 21, due_date="", project_id=""),
                    dict(BILL, bill_id="B3", bill_number="INV-2026-0043", due_date="2026-03-02"))
    assert (outcome.reasons, outcome.warnings, outcome.checked) == ({}, {}, 3)


def test_a_bill_may_name_a_known_purchase_order(suites_dir):
    outcome = bills(suites_dir, dict(BILL, bill_id="B1", po_id="PO1"), dict(BILL, bill_id="B2", po_id="PO404"))
    assert outcome.reasons == {"B2": ['Purchase order "PO404" is not a known purchase order']}


BILL_CASES = [
    (dict(bill_number="SUPPLIER-INV-2026-00042"),
     'Bill number "SUPPLIER-INV-2026-00042" is 23 characters; QuickBooks allows at most 21'),
    (dict(bill_number=""), "Bill number is missing"),
    (dict(vendor_id="V404"), 'Vendor "V404" is not a known vendor'),
    (dict(vendor_id=""), "Vendor is missing"),
    (dict(bill_date="March 2"), 'Bill date "March 2" is not a valid date (expected YYYY-MM-DD)'),
    (dict(bill_date=""), "Bill date is missing"),
    (dict(due_date="2026-04-31"), 'Due date "2026-04-31" is not a valid date (expected YYYY-MM-DD)'),
    (dict(due_date="2026-03-01"), "Due date 2026-03-01 is before bill date 2026-03-02"),
    (dict(project_id="P404"), 'Project "P404" is not a known project'),
]


@pytest.fixture(scope="module")
def bill_cases(suites_dir):
    rows = [dict(BILL, bill_id="GOOD")]
    rows += [{**BILL, "bill_id": f"C{i}", "bill_number": f"INV-{i}", **change} for i, (change, _) in enumerate(BILL_CASES)]
    outcome = bills(suites_dir, *rows)
    assert set(outcome.reasons) == {f"C{i}" for i in range(len(BILL_CASES))}
    return outcome


@pytest.mark.parametrize("case", range(len(BILL_CASES)), ids=[r for _, r in BILL_CASES])
def test_bill_rules(bill_cases, case):
    assert bill_cases.reasons[f"C{case}"] == [BILL_CASES[case][1]]


def test_duplicate_bill_ids(suites_dir):
    outcome = bills(suites_dir, dict(BILL, bill_id="B1"), dict(BILL, bill_id="B1"))
    assert outcome.reasons == {"B1": ['Bill ID "B1" appears more than once in the source']}


def test_same_bill_number_from_one_vendor_is_a_warning(suites_dir):
    outcome = bills(suites_dir, dict(BILL, bill_id="B1"), dict(BILL, bill_id="B2"),
                    dict(BILL, bill_id="B3", vendor_id="V2"))  # another vendor may use the same number
    assert outcome.reasons == {}
    assert outcome.warnings == {
        b: ['Bill number "INV-2026-0042" appears on more than one bill from this vendor; is it entered twice?']
        for b in ("B1", "B2")}


def test_good_lines_pass(suites_dir):
    outcome = lines(suites_dir, dict(LINE, bill_id="B1"), dict(LINE, bill_id="B1", line_no="2", amount="-15",
                                                               cost_code="", project_id=""),
                    dict(LINE, bill_id="B2", amount="0.5"))
    assert (outcome.reasons, outcome.checked) == ({}, 3)


LINE_CASES = [
    (dict(cost_code="99-999"), 'Line 3: cost code "99-999" is not a known cost code'),
    (dict(project_id="P404"), 'Line 3: project "P404" is not a known project'),
    (dict(amount="12,50"), 'Line 3: amount "12,50" is not a number'),
    (dict(amount="abc"), 'Line 3: amount "abc" is not a number'),
    (dict(amount=""), "Line 3: the amount is missing"),
    (dict(line_no="0"), 'Line "0": the line number must be a whole number from 1 up'),
    (dict(line_no="-1"), 'Line "-1": the line number must be a whole number from 1 up'),
    (dict(line_no="1.5"), 'Line "1.5": the line number must be a whole number from 1 up'),
    (dict(line_no="two"), 'Line "two": the line number must be a whole number from 1 up'),
]


@pytest.fixture(scope="module")
def line_cases(suites_dir):
    """Bill GOOD has two good lines; bill Ci has a good line 1 and a line 3 broken by case i."""
    rows = [dict(LINE, bill_id="GOOD"), dict(LINE, bill_id="GOOD", line_no="2")]
    for i, (change, _) in enumerate(LINE_CASES):
        rows += [dict(LINE, bill_id=f"C{i}"), {**LINE, "bill_id": f"C{i}", "line_no": "3", **change}]
    outcome = lines(suites_dir, *rows)
    assert set(outcome.reasons) == {f"C{i}" for i in range(len(LINE_CASES))}
    return outcome


@pytest.mark.parametrize("case", range(len(LINE_CASES)), ids=[r for _, r in LINE_CASES])
def test_a_bad_line_blocks_its_bill_and_names_the_line(line_cases, case):
    assert line_cases.reasons[f"C{case}"] == [LINE_CASES[case][1]]


def test_the_same_line_twice_on_a_bill(suites_dir):
    outcome = lines(suites_dir, dict(LINE, bill_id="B1"), dict(LINE, bill_id="B1"),
                    dict(LINE, bill_id="B2"))  # line 1 of another bill is fine
    assert outcome.reasons == {"B1": ["Line 1 appears more than once on this bill"]}


def test_reasons_of_several_lines_are_kept_apart_in_suite_order(suites_dir):
    outcome = lines(suites_dir, dict(LINE, bill_id="B1", line_no="1", cost_code="99-999"),
                    dict(LINE, bill_id="B1", line_no="2", cost_code="99-999"),
                    dict(LINE, bill_id="B1", line_no="3", amount="x"))
    # the suite checks amounts before cost codes
    assert outcome.reasons == {"B1": ['Line 3: amount "x" is not a number',
                                      'Line 1: cost code "99-999" is not a known cost code',
                                      'Line 2: cost code "99-999" is not a known cost code']}
