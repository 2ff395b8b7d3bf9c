"""validations/cost_codes.json, employees.json and vendors.json: each rule, its reason, its id."""

from __future__ import annotations

import pytest

from qbo_sync.validation import validate_frame
from tests.validation.conftest import source_frame


def run(suites_dir, table, key, *rows):
    return validate_frame(suite_name=table, df=source_frame(table, list(rows)), key=key, suites_dir=suites_dir)


def run_cases(suites_dir, table, key, good, cases):
    """One run over a good row and one row per broken rule, ids GOOD and C0, C1, ...; each
    case row gets its own name so that rows do not collide on the same-name warning."""
    rows = [dict(good, **{key: "GOOD"})]
    for i, (change, _) in enumerate(cases):
        rows.append({**good, key: f"C{i}", "name": f"Name {i}", **change} if "name" in good
                    else {**good, key: f"C{i}", **change})
    outcome = run(suites_dir, table, key, *rows)
    assert set(outcome.reasons) == {f"C{i}" for i in range(len(cases))}
    return outcome


# --- cost codes -------------------------------------------------------------------------

CODE = dict(name="Framing labor", type="Labor", active="true")


def test_good_cost_codes_pass(suites_dir):
    outcome = run(suites_dir, "cost_codes", "code", dict(CODE, code="01-100"),
                  dict(CODE, code="02-200", name="Lumber", type="Material", active=""))
    assert (outcome.reasons, outcome.warnings, outcome.checked) == ({}, {}, 2)


CODE_CASES = [
    (dict(name=""), "Cost code name is missing"),
    (dict(type=""), "Cost code type is missing"),
    (dict(type="Labour"), 'Cost code type "Labour" is not one of Labor, Material, Equipment, Subcontract, Other'),
    (dict(active="yes"), 'Active must be true or false, not "yes"'),
    (dict(name="n" * 101), "Cost code name is 101 characters; QuickBooks allows at most 100"),
]


@pytest.fixture(scope="module")
def code_cases(suites_dir):
    return run_cases(suites_dir, "cost_codes", "code", CODE, CODE_CASES)


@pytest.mark.parametrize("case", range(len(CODE_CASES)), ids=[r for _, r in CODE_CASES])
def test_cost_code_rules(code_cases, case):
    assert code_cases.reasons[f"C{case}"] == [CODE_CASES[case][1]]


def test_cost_code_duplicates_and_name_cleaning(suites_dir):
    outcome = run(suites_dir, "cost_codes", "code", dict(CODE, code="01-100"), dict(CODE, code="01-100"),
                  dict(CODE, code="03-300", name="Concrete: pour"))
    assert outcome.reasons == {"01-100": ['Cost code "01-100" appears more than once in the source']}
    assert outcome.warnings == {"03-300": [
        'Cost code name "Concrete: pour" contains a colon, tab or line break, which QuickBooks does not allow; '
        'it will be sent as "Concrete - pour"']}


# --- employees --------------------------------------------------------------------------

EMP = dict(first_name="Ana", last_name="Silva", email="ana@example.com", hourly_cost="42.50", active="true")


def test_good_employees_pass(suites_dir):
    outcome = run(suites_dir, "employees", "employee_id", dict(EMP, employee_id="E1"),
                  dict(EMP, employee_id="E2", email="", hourly_cost="", active=""),
                  dict(EMP, employee_id="E3", hourly_cost="0"))
    assert (outcome.reasons, outcome.warnings) == ({}, {})


EMP_CASES = [
    (dict(first_name=""), "First name is missing"),
    (dict(last_name="  "), "Last name is missing"),
    (dict(hourly_cost="forty"), 'Hourly cost "forty" is not a number'),
    (dict(hourly_cost="-5"), "Hourly cost -5 is negative"),
    (dict(active="TRUE"), 'Active must be true or false, not "TRUE"'),
]


@pytest.fixture(scope="module")
def emp_cases(suites_dir):
    return run_cases(suites_dir, "employees", "employee_id", EMP, EMP_CASES)


@pytest.mark.parametrize("case", range(len(EMP_CASES)), ids=[r for _, r in EMP_CASES])
def test_employee_rules(emp_cases, case):
    assert emp_cases.reasons[f"C{case}"] == [EMP_CASES[case][1]]


def test_employee_email_format_is_only_a_warning(suites_dir):
    outcome = run(suites_dir, "employees", "employee_id", dict(EMP, employee_id="E1", email="ana at example"))
    assert outcome.reasons == {}
    assert outcome.warnings == {"E1": ['Email "ana at example" does not look like an email address']}


def test_employee_duplicates(suites_dir):
    outcome = run(suites_dir, "employees", "employee_id", dict(EMP, employee_id="E1"),
                  dict(EMP, employee_id="E1", first_name="Bo"))
    assert outcome.reasons == {"E1": ['Employee ID "E1" appears more than once in the source']}


# --- vendors ----------------------------------------------------------------------------

VEN = dict(name="Ace Lumber", email="ap@ace.example", phone="555-0100", active="true")


def test_good_vendors_pass(suites_dir):
    outcome = run(suites_dir, "vendors", "vendor_id", dict(VEN, vendor_id="V1"),
                  dict(VEN, vendor_id="V2", name="Bolt Electric", email="", active=""))
    assert (outcome.reasons, outcome.warnings) == ({}, {})


VEN_CASES = [
    (dict(name=""), "Vendor name is missing"),
    (dict(name="v" * 501), "Vendor name is 501 characters; QuickBooks allows at most 500"),
    (dict(active="no"), 'Active must be true or false, not "no"'),
]


@pytest.fixture(scope="module")
def ven_cases(suites_dir):
    return run_cases(suites_dir, "vendors", "vendor_id", VEN, VEN_CASES)


@pytest.mark.parametrize("case", range(len(VEN_CASES)), ids=[r for _, r in VEN_CASES])
def test_vendor_rules(ven_cases, case):
    assert ven_cases.reasons[f"C{case}"] == [VEN_CASES[case][1]]


def test_vendor_duplicates_and_same_names(suites_dir):
    outcome = run(suites_dir, "vendors", "vendor_id", dict(VEN, vendor_id="V1"), dict(VEN, vendor_id="V1"),
                  dict(VEN, vendor_id="V2", name="Bolt"), dict(VEN, vendor_id="V3", name="Bolt"))
    assert outcome.reasons == {"V1": ['Vendor ID "V1" appears more than once in the source']}
    assert outcome.warnings["V2"] == [
        'Another vendor has the same name "Bolt"; QuickBooks needs each name to be unique']
    assert set(outcome.warnings) == {"V1", "V2", "V3"}
