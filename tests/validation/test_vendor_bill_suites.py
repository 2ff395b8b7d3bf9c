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
                    dict(BILL, bill_id="B3", due_date="2026-03-02"))
    assert (outcome.reasons, outcome.warnings, outcome.checked) == ({}, {}, 3)


@pytest.mark.parametrize(("change", "reason"), [
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
])
def test_bill_rules(suites_dir, change, reason):
    outcome = bills(suites_dir, dict(BILL, bill_id="B1"), dict(BILL, bill_id="B2", **change))
    assert outcome.reasons == {"B2": [reason]}


def test_duplicate_bill_ids(suites_dir):
    outcome = bills(suites_dir, dict(BILL, bill_id="B1"), dict(BILL, bill_id="B1"))
    assert outcome.reasons == {"B1": ['Bill ID "B1" appears more than once in the source']}


def test_good_lines_pass(suites_dir):
    outcome = lines(suites_dir, dict(LINE, bill_id="B1"), dict(LINE, bill_id="B1", line_no="2", amount="-15",
                                                               cost_code="", project_id=""),
                    dict(LINE, bill_id="B2", amount="0.5"))
    assert (outcome.reasons, outcome.checked) == ({}, 3)


@pytest.mark.parametrize(("change", "reason"), [
    (dict(cost_code="99-999"), 'Line 3: cost code "99-999" is not a known cost code'),
    (dict(project_id="P404"), 'Line 3: project "P404" is not a known project'),
    (dict(amount="12,50"), 'Line 3: amount "12,50" is not a number'),
    (dict(amount="abc"), 'Line 3: amount "abc" is not a number'),
    (dict(amount=""), "Line 3: the amount is missing"),
])
def test_a_bad_line_blocks_its_bill_and_names_the_line(suites_dir, change, reason):
    outcome = lines(suites_dir, dict(LINE, bill_id="B1"), dict(LINE, bill_id="B2", line_no="1"),
                    dict(LINE, bill_id="B2", line_no="3", **change))
    assert outcome.reasons == {"B2": [reason]}


@pytest.mark.parametrize("line_no", ["0", "-1", "1.5", "two"])
def test_line_numbers_are_positive_whole_numbers(suites_dir, line_no):
    outcome = lines(suites_dir, dict(LINE, bill_id="B1", line_no=line_no))
    assert outcome.reasons == {"B1": [f'Line "{line_no}": the line number must be a whole number from 1 up']}


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
