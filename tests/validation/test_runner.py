"""The runner's contract, independent of any one entity: blanks, parameters, suite files, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pandas as pd
import pytest

from qbo_sync.validation import SuiteError, available_suites, load_suite, validate_frame
from tests.validation.conftest import KNOWN, REPO_SUITES, source_frame

GOOD = dict(name="Kitchen remodel", client_name="Acme Homes", status="Active",
            start_date="2026-01-05", end_date="2026-06-30")


@pytest.fixture
def own_suites(tmp_path, gx_context):
    """A copy of the repo's suites that a test may edit, as a data engineer would."""
    folder = tmp_path / "validations"
    shutil.copytree(REPO_SUITES, folder)
    return folder


def write_suite(folder, name, expectations, meta=None):
    (folder / f"{name}.json").write_text(json.dumps({"name": name, "meta": meta or {}, "expectations": expectations}))


def projects(*rows):
    return source_frame("projects", list(rows))


def test_every_table_has_a_suite_and_each_loads():
    assert available_suites(REPO_SUITES) == sorted(
        ["projects", "cost_codes", "employees", "vendors", "timesheets", "purchase_orders",
         "purchase_order_lines", "vendor_bills", "vendor_bill_lines"])
    for name in available_suites(REPO_SUITES):
        suite = load_suite(name, REPO_SUITES)
        assert suite.name == name and len(suite.expectations) >= 4


def test_default_suites_dir_is_the_repos_validations_folder(gx_context):
    outcome = validate_frame(suite_name="projects", df=projects(dict(GOOD, project_id="P1", status="Bogus")),
                             key="project_id")
    assert outcome.reasons == {"P1": ['Project status "Bogus" is not one of Active, On Hold, Completed, Closed']}


def test_blank_and_whitespace_only_values_are_missing(suites_dir):
    outcome = validate_frame(suite_name="projects", df=projects(
        dict(GOOD, project_id="P1", name=""), dict(GOOD, project_id="P2", name="   "),
        dict(GOOD, project_id="P3", start_date="", end_date="")), key="project_id", suites_dir=suites_dir)
    # missing dates are not "invalid dates": only the required name is reported
    assert outcome.reasons == {"P1": ["Project name is missing"], "P2": ["Project name is missing"]}


def test_real_nulls_count_as_missing_too(suites_dir):
    frame = projects(dict(GOOD, project_id="P1"))
    frame["name"] = [None]
    outcome = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=suites_dir)
    assert outcome.reasons == {"P1": ["Project name is missing"]}


def test_input_frame_is_left_unchanged(suites_dir):
    frame = projects(dict(GOOD, project_id="P1", name="", start_date="2026-03-01", end_date="2026-01-01"))
    before = frame.copy()
    validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=suites_dir)
    pd.testing.assert_frame_equal(frame, before)


def test_the_same_reason_for_one_id_appears_once(suites_dir):
    frame = projects(dict(GOOD, project_id="P1", status="Bogus"), dict(GOOD, project_id="P1", status="Bogus"))
    outcome = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=suites_dir)
    assert outcome.reasons == {"P1": ['Project ID "P1" appears more than once in the source',
                                      'Project status "Bogus" is not one of Active, On Hold, Completed, Closed']}


def test_frame_index_does_not_matter(suites_dir):
    frame = projects(dict(GOOD, project_id="P1"), dict(GOOD, project_id="P2", status="Bogus"))
    frame.index = [40, 7]
    outcome = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=suites_dir)
    assert list(outcome.reasons) == ["P2"]


def test_expectation_summaries_for_the_run_report(suites_dir):
    frame = projects(dict(GOOD, project_id="P1", status="Bogus"), dict(GOOD, project_id="P2", status="Nope"))
    outcome = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=suites_dir)
    suite = json.loads((REPO_SUITES / "projects.json").read_text())
    assert [e["type"] for e in outcome.expectations] == [e["type"] for e in suite["expectations"]]
    status = [e for e in outcome.expectations if e["type"] == "expect_column_values_to_be_in_set"][0]
    assert status == {"type": "expect_column_values_to_be_in_set", "column": "status", "severity": "critical",
                      "success": False, "unexpected_count": 2,
                      "reason": 'Project status "{value}" is not one of Active, On Hold, Completed, Closed'}
    order = [e for e in outcome.expectations if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b"][0]
    assert order["columns"] == ["end_date", "start_date"] and order["success"] is True


def test_a_data_engineers_new_expectation_shows_up_with_its_reason(own_suites):
    suite = json.loads((own_suites / "projects.json").read_text())
    suite["expectations"].append({
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "number", "regex": "^[0-9]{4}-[0-9]{3}$"},
        "meta": {"reason": "Project number \"{value}\" should look like 2026-001"},
    })
    (own_suites / "projects.json").write_text(json.dumps(suite, indent=2))
    frame = projects(dict(GOOD, project_id="P1", number="2026-001"), dict(GOOD, project_id="P2", number="26/1"),
                     dict(GOOD, project_id="P3", number=""))
    outcome = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=own_suites)
    assert outcome.reasons == {"P2": ['Project number "26/1" should look like 2026-001']}


def test_tuning_a_value_in_the_json_changes_the_next_run(own_suites):
    frame = projects(dict(GOOD, project_id="P1", status="Archived"))
    before = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=own_suites)
    assert "P1" in before.reasons
    path = own_suites / "projects.json"
    path.write_text(path.read_text().replace('"Closed"]', '"Closed", "Archived"]'))
    after = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=own_suites)
    assert after.reasons == {}


def test_without_a_reason_the_runner_words_one_from_the_check(own_suites):
    write_suite(own_suites, "plain", [
        {"type": "expect_column_values_to_match_strftime_format",
         "kwargs": {"column": "start_date", "strftime_format": "%Y-%m-%d"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status", "value_set": ["Active"]}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "client_name"}},
    ])
    frame = projects(dict(GOOD, project_id="P1", start_date="01/05/2026", status="Closed", client_name=""))
    outcome = validate_frame(suite_name="plain", df=frame, key="project_id", suites_dir=own_suites)
    assert outcome.reasons == {"P1": ["start_date: value does not match the expected format",
                                      'status: "Closed" is not one of the allowed values',
                                      "client_name is missing"]}


def test_severities_warning_and_info_do_not_block(own_suites):
    write_suite(own_suites, "graded", [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "number"}, "severity": "warning",
         "meta": {"reason": "Project number is missing"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "address"}, "severity": "info",
         "meta": {"reason": "No address"}},
    ])
    outcome = validate_frame(suite_name="graded", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                             suites_dir=own_suites)
    assert outcome.reasons == {}
    assert outcome.warnings == {"P1": ["Project number is missing"]}
    assert [(e["severity"], e["success"], e["unexpected_count"]) for e in outcome.expectations] == [
        ("warning", False, 1), ("info", False, 1)]


def test_reason_placeholders_row_columns_and_misspellings(own_suites):
    write_suite(own_suites, "words", [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status", "value_set": ["Active"]},
         "meta": {"reason": "{name} (row {row}): {column} is {value}, see {nosuch}"}},
    ])
    frame = projects(dict(GOOD, project_id="P1"), dict(GOOD, project_id="P2", name="Deck", status="Closed"))
    outcome = validate_frame(suite_name="words", df=frame, key="project_id", suites_dir=own_suites)
    assert outcome.reasons == {"P2": ["Deck (row 2): status is Closed, see {nosuch}"]}


def test_table_wide_checks_are_reported_without_blocking_rows(own_suites):
    write_suite(own_suites, "sized", [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 5},
         "meta": {"reason": "Fewer projects than expected"}},
    ])
    outcome = validate_frame(suite_name="sized", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                             suites_dir=own_suites)
    assert outcome.reasons == {}
    assert outcome.table_problems == ["Fewer projects than expected"]


def test_empty_table(suites_dir):
    outcome = validate_frame(suite_name="timesheets", df=source_frame("timesheets", []), key="entry_id",
                             parameters=KNOWN, suites_dir=suites_dir)
    assert (outcome.checked, outcome.reasons, outcome.warnings) == (0, {}, {})
    assert outcome.expectations and all(e["success"] for e in outcome.expectations)


def test_a_broken_suite_is_an_error_even_for_an_empty_table(own_suites):
    write_suite(own_suites, "typo", [{"type": "expect_column_values_to_be_nice", "kwargs": {"column": "name"}}])
    with pytest.raises(SuiteError, match="is not valid"):
        validate_frame(suite_name="typo", df=projects(), key="project_id", suites_dir=own_suites)


def test_a_scalar_parameter_may_be_text(own_suites):
    write_suite(own_suites, "pattern", [
        {"type": "expect_column_values_to_match_regex",
         "kwargs": {"column": "number", "regex": {"$PARAMETER": "number_pattern"}},
         "meta": {"reason": "Project number \"{value}\" is not in the company's form"}}])
    frame = projects(dict(GOOD, project_id="P1", number="2026-001"), dict(GOOD, project_id="P2", number="x"))
    outcome = validate_frame(suite_name="pattern", df=frame, key="project_id", suites_dir=own_suites,
                             parameters={"number_pattern": "^[0-9]{4}-[0-9]{3}$"})
    assert outcome.reasons == {"P2": ['Project number "x" is not in the company\'s form']}


def test_passed_keeps_only_ids_without_blocking_reasons(suites_dir):
    frame = projects(dict(GOOD, project_id="P1"), dict(GOOD, project_id="P2", status="Bogus"),
                     dict(GOOD, project_id="P3", name="A: B"))
    outcome = validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=suites_dir)
    assert outcome.passed(["P1", "P2", "P3"]) == ["P1", "P3"]


# --- clear errors, not stack traces -----------------------------------------------------------

def test_unknown_suite(suites_dir):
    with pytest.raises(SuiteError, match=r"No validation suite 'project'.*suites there: cost_codes, employees"):
        validate_frame(suite_name="project", df=projects(), key="project_id", suites_dir=suites_dir)


def test_broken_json_names_file_and_line(own_suites):
    (own_suites / "projects.json").write_text('{"name": "projects",\n "expectations": [\n  {"type": }\n]}')
    with pytest.raises(SuiteError, match=r"projects.json is not valid JSON: .* line 3"):
        validate_frame(suite_name="projects", df=projects(), key="project_id", suites_dir=own_suites)


def test_unknown_expectation_type_names_its_position(own_suites):
    write_suite(own_suites, "typo", [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "name"}},
        {"type": "expect_column_values_to_be_nice", "kwargs": {"column": "name"}},
    ])
    with pytest.raises(SuiteError, match=r"expectation 2 \(expect_column_values_to_be_nice\) is not valid"):
        validate_frame(suite_name="typo", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                       suites_dir=own_suites)


def test_bad_severity_is_named(own_suites):
    write_suite(own_suites, "sev", [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "name"}, "severity": "urgent"}])
    with pytest.raises(SuiteError, match=r"expectation 1 .*Invalid severity 'urgent'"):
        validate_frame(suite_name="sev", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                       suites_dir=own_suites)


def test_unknown_column_is_named(own_suites):
    write_suite(own_suites, "cols", [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "project_name"}}])
    with pytest.raises(SuiteError, match=r"expectation 1 .* checks column 'project_name', which the table does not"):
        validate_frame(suite_name="cols", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                       suites_dir=own_suites)


def test_helper_column_without_its_declaration_is_explained(own_suites):
    write_suite(own_suites, "helper", [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "number__number", "min_value": 0}}])
    with pytest.raises(SuiteError, match=r"'number__number'.*declare its source column in meta.prepare"):
        validate_frame(suite_name="helper", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                       suites_dir=own_suites)


def test_bad_prepare_declaration(own_suites):
    write_suite(own_suites, "prep", [], meta={"prepare": {"numbrs": ["number"], "dates": ["when"]}})
    with pytest.raises(SuiteError, match=r'unknown entry "numbrs".*names column \'when\''):
        validate_frame(suite_name="prep", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                       suites_dir=own_suites)


def test_missing_key_column(suites_dir):
    with pytest.raises(SuiteError, match=r"no key column 'id'"):
        validate_frame(suite_name="projects", df=projects(dict(GOOD, project_id="P1")), key="id",
                       suites_dir=suites_dir)


def test_a_check_that_crashes_inside_gx_is_named(own_suites):
    write_suite(own_suites, "crash", [
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "name", "regex": "([unclosed"}}])
    with pytest.raises(SuiteError, match=r"expectation 1 \(expect_column_values_to_match_regex\) could not run"):
        validate_frame(suite_name="crash", df=projects(dict(GOOD, project_id="P1")), key="project_id",
                       suites_dir=own_suites)


# --- cost -------------------------------------------------------------------------------------

def test_importing_the_package_does_not_import_great_expectations():
    code = "import sys, qbo_sync.validation; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_progress_bars_in_the_output(suites_dir, capfd):
    frame = source_frame("timesheets", [dict(entry_id="T1", employee_id="E1", project_id="P1", cost_code="01-100",
                                             week_ending="2026-03-08", mon="8")])
    validate_frame(suite_name="timesheets", df=frame, key="entry_id", parameters=KNOWN, suites_dir=suites_dir)
    captured = capfd.readouterr()
    assert "Calculating Metrics" not in captured.err + captured.out


def test_ten_thousand_timesheet_rows(suites_dir):
    rows = []
    for i in range(10_000):
        row = dict(entry_id=f"T{i}", employee_id="E1", project_id="P1", cost_code="01-100",
                   week_ending="2026-03-08", mon="8", tue="8", wed="8", thu="8", fri="8", billable="false")
        if i % 1000 == 7:
            row["wed"] = "abc"
        rows.append(row)
    started = time.perf_counter()
    outcome = validate_frame(suite_name="timesheets", df=source_frame("timesheets", rows), key="entry_id",
                             parameters=KNOWN, suites_dir=suites_dir)
    elapsed = time.perf_counter() - started
    assert outcome.checked == 10_000
    assert outcome.reasons == {f"T{i}": ['Wednesday: "abc" is not a number of hours'] for i in range(7, 10_000, 1000)}
    print(f"10,000 timesheet rows validated in {elapsed:.2f} s")
