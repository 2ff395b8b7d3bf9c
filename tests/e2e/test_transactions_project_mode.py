"""With sync.project_mode "project", time and bills are charged to the QBO Project itself."""

from __future__ import annotations

from qbo_sync.pipeline import reconcile
from tests.e2e.test_timesheets_sync import qbo, rows, sync


def test_time_and_bills_reference_the_qbo_project(make_resources, source):
    res = make_resources(sync={"project_mode": "project"})
    sync(res)
    projects = rows(res, "projects")

    entries = [r for r in rows(res, "timesheets").values() if r["status"] == "Synced"]
    assert len(entries) >= 50
    frame = source.frame("timesheets").set_index("entry_id")
    for entry in entries[:10]:
        project = projects[frame.loc[entry["source_id"], "project_id"]]
        for qbo_id in entry["qbo_ids"].values():
            time = qbo(res, "TimeActivity", qbo_id)
            assert time["CustomerRef"]["value"] == project["qbo_id"]
            assert time["ProjectRef"]["value"] == project["qbo_id"]
            assert qbo(res, "Customer", project["qbo_id"])["IsProject"] is True

    bills = source.frame("vendor_bills").set_index("bill_id")
    synced = [b for b in rows(res, "vendor_bills").values() if b["status"] == "Synced"]
    assert len(synced) >= 10
    for bill in synced:
        obj = qbo(res, "Bill", bill["qbo_id"])
        own = projects[bills.loc[bill["source_id"], "project_id"]]["qbo_id"]
        assert obj["ProjectRef"]["value"] == own
        assert {line[line["DetailType"]]["CustomerRef"]["value"] for line in obj["Line"]} == {own}

    # A line moved to another project: charged to that project; the bill keeps its own.
    bill = synced[0]
    own = bills.loc[bill["source_id"], "project_id"]
    other = next(p for p, r in projects.items() if r["status"] == "Synced" and p != own)
    lines = source.frame("vendor_bill_lines")
    lines.loc[(lines["bill_id"] == bill["source_id"]) & (lines["line_no"] == "2"), "project_id"] = other
    source.save("vendor_bill_lines", lines)
    sync(res, ["vendor_bills"])
    obj = qbo(res, "Bill", bill["qbo_id"])
    assert obj["ProjectRef"]["value"] == projects[own]["qbo_id"]
    charged = [line[line["DetailType"]]["CustomerRef"]["value"] for line in obj["Line"]]
    assert charged[1] == projects[other]["qbo_id"] and charged[0] == projects[own]["qbo_id"]


def test_other_modes_send_no_project_ref(res):
    sync(res, ["projects", "cost_codes", "employees", "vendors", "timesheets", "vendor_bills"])
    entry = next(r for r in rows(res, "timesheets").values() if r["status"] == "Synced")
    time = qbo(res, "TimeActivity", next(iter(entry["qbo_ids"].values())))
    assert "ProjectRef" not in time and time["CustomerRef"]["value"]
    bill = next(r for r in rows(res, "vendor_bills").values() if r["status"] == "Synced")
    assert "ProjectRef" not in qbo(res, "Bill", bill["qbo_id"])


def test_reconcile_finds_nothing_changed_right_after_a_project_mode_sync(make_resources, source):
    res = make_resources(sync={"project_mode": "project"})
    sync(res)
    result = reconcile.reconcile(res.db, res.reader)
    assert result.checked >= 100 and result.changed == [] and result.deleted == []
    project = next(p for p, r in rows(res, "projects").items() if r["status"] == "Synced")
    source.edit("projects", "project_id", project, end_date="2027-12-31")
    sync(res, ["projects"])
    assert rows(res, "projects")[project]["status"] == "Synced"
