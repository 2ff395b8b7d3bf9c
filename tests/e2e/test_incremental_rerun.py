"""Incremental sync: a re-run over unchanged source data writes nothing to QBO, for any
entity; an edit to one record writes that record only."""

from __future__ import annotations

from qbo_sync import entities as registry
from qbo_sync.pipeline import stages


def full_run(res):
    stages.run_import(res, None, "all")
    stages.run_validate(res, None)
    stages.run_map(res, None)
    preview = stages.run_preview(res, None)
    return preview, stages.run_push(res, preview)


def test_unchanged_rerun_makes_no_write_call(res, admin, realm, source):
    preview, results = full_run(res)
    pushed = {r.entity for r in results}
    assert pushed == {spec.name for spec in registry.ENTITIES.values()}, "the first run pushes every entity"
    after_first = admin.counts(realm)["writes"]
    assert sum(after_first.values()) > 0

    preview, results = full_run(res)
    assert [row for row in preview.rows if row.action in ("create", "update")] == []
    assert results == []
    assert admin.counts(realm)["writes"] == after_first, "an unchanged re-run writes nothing to QBO"
    unchanged = preview.unchanged
    assert set(unchanged) == pushed and all(n > 0 for n in unchanged.values())

    employee = source.frame("employees").iloc[0]
    source.edit("employees", "employee_id", employee["employee_id"], email="m.lopez@example.com")
    preview, results = full_run(res)
    assert [(r.entity, r.source_id, r.action) for r in preview.to_push("employees")] == \
        [("employees", employee["employee_id"], "update")]
    assert [row for row in preview.rows if row.entity != "employees" and row.action != "skip"] == []
    writes = admin.counts(realm)["writes"]
    grown = {entity: writes.get(entity, 0) - after_first.get(entity, 0) for entity in writes}
    assert {entity: n for entity, n in grown.items() if n} == {"Employee": 1}
