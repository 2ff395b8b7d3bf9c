"""validations/timesheets.json: a weekly entry passes or fails as a whole, naming the day."""

from __future__ import annotations

import pytest

from qbo_sync.validation import SuiteError, validate_frame
from tests.validation.conftest import KNOWN, source_frame

WEEK = dict(employee_id="E1", project_id="P1", cost_code="01-100", week_ending="2026-03-08",
            mon="8", tue="7.5", wed="", thu="0", fri="8", sat="", sun="", billable="true", hourly_rate="65")


def run(suites_dir, *rows, parameters=KNOWN):
    frame = source_frame("timesheets", list(rows))
    return validate_frame(suite_name="timesheets", df=frame, key="entry_id", parameters=parameters,
                          suites_dir=suites_dir)


def test_good_weeks_pass(suites_dir):
    outcome = run(suites_dir, dict(WEEK, entry_id="T1"),
                  dict(WEEK, entry_id="T2", employee_id="E2", sun="24", billable="false", hourly_rate=""),
                  dict(WEEK, entry_id="T3", billable="", hourly_rate="", mon="", tue="", thu="", fri=""))
    assert (outcome.reasons, outcome.warnings, outcome.checked) == ({}, {}, 3)


CASES = [
    (dict(wed="abc"), 'Wednesday: "abc" is not a number of hours'),
    (dict(tue="25"), "Tuesday: 25 hours is more than 24 in a day"),
    (dict(sat="-2"), "Saturday: -2 hours is negative"),
    (dict(mon="8h"), 'Monday: "8h" is not a number of hours'),
    (dict(sun="24.5"), "Sunday: 24.5 hours is more than 24 in a day"),
    (dict(thu="1e3"), 'Thursday: "1e3" is not a number of hours'),
    (dict(week_ending="2026-03-04"), "Week ending 2026-03-04 is not a Sunday"),
    (dict(week_ending="2026-02-30"), 'Week ending "2026-02-30" is not a valid date (expected YYYY-MM-DD)'),
    (dict(week_ending=""), "Week ending date is missing"),
    (dict(employee_id="E9"), 'Employee "E9" is not a known employee'),
    (dict(employee_id=""), "Employee is missing"),
    (dict(project_id="P404"), 'Project "P404" is not a known project'),
    (dict(cost_code="99-999"), 'Cost code "99-999" is not a known cost code'),
    (dict(cost_code=""), "Cost code is missing"),
    (dict(billable="Y"), 'Billable must be true or false, not "Y"'),
    (dict(hourly_rate="sixty"), 'Hourly rate "sixty" is not a number'),
    (dict(hourly_rate="-1"), "Hourly rate -1 is negative"),
    (dict(hourly_rate=""), "Billable time needs an hourly rate"),
]


@pytest.fixture(scope="module")
def cases(suites_dir):
    """One run over a good week and one week per broken rule (a GX run per case would be slow)."""
    rows = [dict(WEEK, entry_id="GOOD")] + [dict(WEEK, entry_id=f"C{i}", **change) for i, (change, _) in enumerate(CASES)]
    return run(suites_dir, *rows)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[reason for _, reason in CASES])
def test_one_bad_cell_blocks_the_whole_entry(cases, case):
    assert cases.reasons[f"C{case}"] == [CASES[case][1]]


def test_only_the_broken_entries_are_blocked(cases):
    assert set(cases.reasons) == {f"C{i}" for i in range(len(CASES))}


def test_every_bad_day_is_named(suites_dir):
    outcome = run(suites_dir, dict(WEEK, entry_id="T1", mon="-1", tue="25", wed="abc", week_ending="2026-03-04"))
    assert outcome.reasons == {"T1": [
        "Week ending 2026-03-04 is not a Sunday",
        "Monday: -1 hours is negative",
        "Tuesday: 25 hours is more than 24 in a day",
        'Wednesday: "abc" is not a number of hours',
    ]}


def test_duplicate_entry_ids(suites_dir):
    outcome = run(suites_dir, dict(WEEK, entry_id="T1"), dict(WEEK, entry_id="T1", mon="4"))
    assert outcome.reasons == {"T1": ['Timesheet entry ID "T1" appears more than once in the source']}


def test_known_ids_come_from_the_parameters(suites_dir):
    frame_rows = [dict(WEEK, entry_id="T1", employee_id="E5")]
    assert run(suites_dir, *frame_rows).reasons == {"T1": ['Employee "E5" is not a known employee']}
    widened = dict(KNOWN, known_employee_ids={"E1", "E5"})  # a set works as well as a list
    assert run(suites_dir, *frame_rows, parameters=widened).reasons == {}


def test_nothing_known_means_every_reference_is_unknown(suites_dir):
    empty = {name: [] for name in KNOWN}
    outcome = run(suites_dir, dict(WEEK, entry_id="T1"), parameters=empty)
    assert outcome.reasons == {"T1": ['Employee "E1" is not a known employee', 'Project "P1" is not a known project',
                                      'Cost code "01-100" is not a known cost code']}


def test_missing_parameters_are_a_clear_error(suites_dir):
    with pytest.raises(SuiteError, match="needs the parameter.*known_employee_ids.*known_project_ids"):
        run(suites_dir, dict(WEEK, entry_id="T1"), parameters={"known_cost_codes": ["01-100"]})


@pytest.mark.parametrize("value", [None, 5, "E1"])
def test_parameters_of_the_wrong_kind_are_a_clear_error(suites_dir, value):
    with pytest.raises(SuiteError, match="parameter"):
        run(suites_dir, dict(WEEK, entry_id="T1"), parameters=dict(KNOWN, known_employee_ids=value))
