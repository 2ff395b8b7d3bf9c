"""Incremental sync: a re-run over unchanged source data writes nothing to QBO, for any
entity; an edit to one record writes that record only."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.models import Record
from qbo_sync.pipeline import stages
from qbo_sync.sources.base import SourceError
from qbo_sync.validation.suites import SHIPPED_SUITES
from tests.e2e.test_timesheets_sync import sync_with_preview


def test_unchanged_rerun_makes_no_write_call(res, admin, realm, source):
    preview, results = sync_with_preview(res)
    pushed = {r.entity for r in results}
    assert pushed == {spec.name for spec in registry.ENTITIES.values()}, "the first run pushes every entity"
    after_first = admin.counts(realm)["writes"]
    assert sum(after_first.values()) > 0

    preview, results = sync_with_preview(res)
    assert [row for row in preview.rows if row.action in ("create", "update")] == []
    assert results == []
    assert admin.counts(realm)["writes"] == after_first, "an unchanged re-run writes nothing to QBO"
    unchanged = preview.unchanged
    assert set(unchanged) == pushed and all(n > 0 for n in unchanged.values())

    employee = source.frame("employees").iloc[0]
    source.edit("employees", "employee_id", employee["employee_id"], email="m.lopez@example.com")
    preview, results = sync_with_preview(res)
    assert [(r.entity, r.source_id, r.action) for r in preview.to_push("employees")] == \
        [("employees", employee["employee_id"], "update")]
    assert [row for row in preview.rows if row.entity != "employees" and row.action != "skip"] == []
    writes = admin.counts(realm)["writes"]
    grown = {entity: writes.get(entity, 0) - after_first.get(entity, 0) for entity in writes}
    assert {entity: n for entity, n in grown.items() if n} == {"Employee": 1}


def test_validation_runs_again_only_when_records_suite_or_known_ids_change(make_resources, source, tmp_path):
    suites = tmp_path / "suites"
    shutil.copytree(SHIPPED_SUITES, suites)
    res = make_resources(validations_dir=suites)
    stages.run_import(res, None, "all")
    first = {r.entity: r for r in stages.run_validate(res, None)}
    assert not any(r.unchanged for r in first.values())
    assert first["timesheets"].failed > 0, "the demo data has timesheets that need action"

    again = {r.entity: r for r in stages.run_validate(res, None)}
    assert all(r.unchanged for r in again.values()), "nothing changed: no suite is run again"
    assert {e: (r.checked, r.failed) for e, r in again.items()} == {e: (r.checked, r.failed) for e, r in first.items()}

    # A data engineer tightens the employees suite: employees are checked again, under the new rule.
    suite = json.loads((suites / "employees.json").read_text())
    suite["expectations"].append({"type": "expect_column_value_lengths_to_be_between",
                                  "kwargs": {"column": "email", "max_value": 5},
                                  "meta": {"reason": "Email \"{value}\" is longer than the payroll system allows"}})
    (suites / "employees.json").write_text(json.dumps(suite))
    tightened = {r.entity: r for r in stages.run_validate(res, None)}
    assert not tightened["employees"].unchanged
    assert tightened["employees"].failed == first["employees"].checked
    assert all(r.unchanged for e, r in tightened.items() if e != "employees")

    # An employee leaves the source: the timesheets that name them are checked again and held.
    employee = source.frame("timesheets").iloc[0]["employee_id"]
    employees = source.frame("employees")
    source.save("employees", employees[employees["employee_id"] != employee])
    stages.run_import(res, ["employees"], "all")
    after = {r.entity: r for r in stages.run_validate(res, None)}
    assert not after["timesheets"].unchanged
    with res.db.session() as session:
        held = session.scalars(select(Record).where(Record.entity == "timesheets",
                                                    Record.data["employee_id"].as_string() == employee)).all()
    assert held and all(f'Employee "{employee}" is not a known employee' in statuses.reason_texts(r.reasons)
                        for r in held)


def test_a_push_does_not_make_the_next_validation_run_again(res):
    sync_with_preview(res)
    assert all(r.unchanged for r in stages.run_validate(res, None)), \
        "the pushed records had passed every check: the ones left pending need no new check"


def imported(res, **kwargs) -> dict[str, object]:
    return {r.entity: r for r in stages.run_import(res, None, "all", **kwargs)}


def test_an_unchanged_source_is_not_read_again_and_an_edit_is(res, source):
    employees = source.frame("employees")
    source.save("employees", pd.concat([employees, employees.iloc[[0]]]))   # an id twice
    first = imported(res)
    assert not any(r.source_unchanged for r in first.values())
    staged = {r.source_id: r.content_hash for r in _records(res)}

    again = imported(res)
    for entity, result in again.items():
        before = first[entity]
        assert result.source_unchanged, entity
        assert (result.read, result.new, result.changed, result.deleted_in_source) == \
            (before.read, 0, 0, before.deleted_in_source)
        assert result.unchanged == before.new + before.changed + before.unchanged
        assert result.duplicates == before.duplicates
    assert again["employees"].duplicates == [employees.iloc[0]["employee_id"]]
    assert "as at the last import" in again["projects"].summary()

    line = source.frame("vendor_bill_lines").iloc[0]
    lines = source.frame("vendor_bill_lines")
    lines.loc[0, "description"] = "edited line"
    source.save("vendor_bill_lines", lines)
    edited = imported(res)
    assert not edited["vendor_bills"].source_unchanged, "a bill's lines are part of the bill"
    assert edited["vendor_bills"].changed == 1 and edited["vendor_bills"].record_ids
    assert all(r.source_unchanged for e, r in edited.items() if e != "vendor_bills")
    changed = {r.source_id for r in _records(res) if staged.get(r.source_id) != r.content_hash}
    assert changed == {line["bill_id"]}


def test_any_other_import_makes_the_next_import_read_the_source(res, source):
    imported(res)
    employee = source.frame("employees").iloc[0]["employee_id"]
    stages.run_import(res, ["employees"], "selected", ids=[employee])
    again = imported(res)
    assert not again["employees"].source_unchanged, "a selected import forgets the fingerprint"
    assert again["projects"].source_unchanged
    assert not imported(res, scheduled=True)["employees"].source_unchanged, "the sync rules are an input too"


def test_a_missing_file_is_still_an_error_after_an_unchanged_import(res, source):
    imported(res)
    (source.path / "employees.csv").unlink()
    with pytest.raises(SourceError, match="employees.csv: file not found"):
        imported(res)


def _records(res) -> list[Record]:
    with res.db.session() as session:
        return list(session.scalars(select(Record).where(Record.entity == "vendor_bills")))
