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
    kinds = {p["qbo_id"]: qbo(res, "Customer", p["qbo_id"])["IsProject"] for p in projects.values() if p["qbo_id"]}
    charged_to = {}
    for entry in entries:
        project = projects[frame.loc[entry["source_id"], "project_id"]]
        is_project = kinds[project["qbo_id"]]
        charged_to[is_project] = charged_to.get(is_project, 0) + 1
        for qbo_id in list(entry["qbo_ids"].values())[:1]:
            time = qbo(res, "TimeActivity", qbo_id)
            assert time["CustomerRef"]["value"] == project["qbo_id"]
            if is_project:
                assert time["ProjectRef"]["value"] == project["qbo_id"]
            else:   # linked to the sub-customer the company already had (docs/mapping.md)
                assert "ProjectRef" not in time
    assert charged_to[True] >= 30 and charged_to[False] >= 5, charged_to

    bills = source.frame("vendor_bills").set_index("bill_id")
    synced = [b for b in rows(res, "vendor_bills").values() if b["status"] == "Synced"]
    assert len(synced) >= 10
    for bill in synced:
        obj = qbo(res, "Bill", bill["qbo_id"])
        own = projects[bills.loc[bill["source_id"], "project_id"]]["qbo_id"]
        if kinds[own]:
            assert obj["ProjectRef"]["value"] == own
        else:
            assert "ProjectRef" not in obj
        charged = {line[line["DetailType"]]["CustomerRef"]["value"] for line in obj["Line"]}
        assert own in charged and charged <= set(kinds), "each line charges its own line's project"

    # A line moved to another project: charged to that project; the bill keeps its own.
    bill = next(b for b in synced if kinds[projects[bills.loc[b["source_id"], "project_id"]]["qbo_id"]])
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
