"""validations/projects.json on hand-built project rows: each rule, its reason, its id."""

from __future__ import annotations

import pytest

from qbo_sync.validation import validate_frame
from tests.validation.conftest import source_frame

GOOD = dict(name="Kitchen remodel", client_name="Acme Homes", status="Active",
            start_date="2026-01-05", end_date="2026-06-30")


def run(suites_dir, *rows):
    frame = source_frame("projects", list(rows))
    return validate_frame(suite_name="projects", df=frame, key="project_id", suites_dir=suites_dir)


def test_good_projects_pass(suites_dir):
    outcome = run(suites_dir, dict(GOOD, project_id="P1"), dict(GOOD, project_id="P2", name="Deck",
                  status="On Hold", start_date="", end_date=""))
    assert outcome.reasons == {}
    assert outcome.warnings == {}
    assert outcome.checked == 2
    assert all(e["success"] for e in outcome.expectations)


CASES = [
    (dict(name=""), "Project name is missing"),
    (dict(status=""), "Project status is missing"),
    (dict(status="Pending"), 'Project status "Pending" is not one of Active, On Hold, Completed, Closed'),
    (dict(status="active"), 'Project status "active" is not one of Active, On Hold, Completed, Closed'),
    (dict(start_date="2026-02-30"), 'Start date "2026-02-30" is not a valid date (expected YYYY-MM-DD)'),
    (dict(end_date="30/06/2026"), 'End date "30/06/2026" is not a valid date (expected YYYY-MM-DD)'),
    (dict(start_date="2026-03-01", end_date="2026-01-05"), "End date 2026-01-05 is before start date 2026-03-01"),
    (dict(name="x" * 501), "Project name is 501 characters; QuickBooks allows at most 500"),
    (dict(client_name="c" * 600), "Client name is 600 characters; QuickBooks allows at most 500"),
]


@pytest.fixture(scope="module")
def cases(suites_dir):
    """One run over a good project and one project per broken rule."""
    rows = [dict(GOOD, project_id="GOOD")]
    rows += [dict(GOOD, project_id=f"C{i}", **{"name": f"Project {i}", **change}) for i, (change, _) in enumerate(CASES)]
    return run(suites_dir, *rows)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[reason for _, reason in CASES])
def test_each_rule_names_the_field_and_problem(cases, case):
    assert cases.reasons[f"C{case}"] == [CASES[case][1]]


def test_only_the_broken_projects_are_blocked(cases):
    assert set(cases.reasons) == {f"C{i}" for i in range(len(CASES))}


def test_end_on_start_day_and_open_ended_projects_pass(suites_dir):
    outcome = run(suites_dir,
                  dict(GOOD, project_id="P1", start_date="2026-01-05", end_date="2026-01-05"),
                  dict(GOOD, project_id="P2", end_date=""),
                  dict(GOOD, project_id="P3", start_date=""))
    assert outcome.reasons == {}


def test_a_bad_date_is_reported_once_not_also_as_out_of_order(suites_dir):
    outcome = run(suites_dir, dict(GOOD, project_id="P1", start_date="2026-13-01", end_date="2026-01-05"))
    assert outcome.reasons == {"P1": ['Start date "2026-13-01" is not a valid date (expected YYYY-MM-DD)']}


def test_name_at_the_limit_passes(suites_dir):
    assert run(suites_dir, dict(GOOD, project_id="P1", name="x" * 500)).reasons == {}


def test_name_with_colon_tab_or_newline_is_a_warning_showing_the_cleaned_name(suites_dir):
    outcome = run(suites_dir,
                  dict(GOOD, project_id="P1", name="Smith: Kitchen"),
                  dict(GOOD, project_id="P2", name="Line\none", client_name="Acme\tHomes"))
    assert outcome.reasons == {}
    assert outcome.warnings == {
        "P1": ['Project name "Smith: Kitchen" contains a colon, tab or line break, which QuickBooks '
               'does not allow; it will be sent as "Smith - Kitchen"'],
        "P2": ['Project name "Line[line break]one" contains a colon, tab or line break, which QuickBooks '
               'does not allow; it will be sent as "Line one"',
               'Client name "Acme[tab]Homes" contains a colon, tab or line break, which QuickBooks '
               'does not allow; it will be sent as "Acme Homes"'],
    }


def test_length_is_measured_on_the_cleaned_name(suites_dir):
    # 499 characters with a colon become 501 once ':' is ' - '
    outcome = run(suites_dir, dict(GOOD, project_id="P1", name="a" * 249 + ":" + "b" * 249))
    assert outcome.reasons == {"P1": ["Project name is 501 characters; QuickBooks allows at most 500"]}


def test_duplicate_source_ids_block_the_id(suites_dir):
    outcome = run(suites_dir, dict(GOOD, project_id="P1"), dict(GOOD, project_id="P1", name="Other"),
                  dict(GOOD, project_id="P2", name="Third"))
    assert outcome.reasons == {"P1": ['Project ID "P1" appears more than once in the source']}


def test_same_name_twice_is_a_warning(suites_dir):
    outcome = run(suites_dir, dict(GOOD, project_id="P1"), dict(GOOD, project_id="P2"))
    assert outcome.reasons == {}
    assert set(outcome.warnings) == {"P1", "P2"}
    assert outcome.warnings["P1"] == [
        'Another project has the same name "Kitchen remodel"; QuickBooks needs each name to be unique']


def test_missing_id_is_reported_under_the_empty_id_with_its_row(suites_dir):
    outcome = run(suites_dir, dict(GOOD, project_id="P1"), dict(GOOD, project_id="", name="No id"))
    assert outcome.reasons == {"": ["Project ID is missing (row 2)"]}


def test_several_problems_come_in_suite_order(suites_dir):
    outcome = run(suites_dir, dict(project_id="P9", name="", status="Bogus", start_date="2026-03-01",
                                   end_date="2026-01-05"))
    assert outcome.reasons == {"P9": [
        "Project name is missing",
        'Project status "Bogus" is not one of Active, On Hold, Completed, Closed',
        "End date 2026-01-05 is before start date 2026-03-01",
    ]}
