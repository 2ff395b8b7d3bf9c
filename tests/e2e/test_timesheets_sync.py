"""Timesheets (and the employees, projects and cost codes they point at) end to end:
the CSV export → staging → the local QBO sandbox over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from qbo_sync.pipeline import reconcile, stages
from qbo_sync.views import status_rows

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def sync_with_preview(res, entities=None, mode="all"):
    """The five stages, as the sync flow runs them: (the preview, the push results)."""
    stages.run_import(res, entities, mode)
    stages.run_validate(res, entities)
    stages.run_map(res, entities)
    preview = stages.run_preview(res, entities)
    return preview, stages.run_push(res, preview)


def sync(res, entities=None, mode="all"):
    return sync_with_preview(res, entities, mode)[1]


def rows(res, entity) -> dict[str, dict]:
    return {r["source_id"]: r for r in status_rows(res.db, entity=entity)}


def record(res, entity, source_id):
    from sqlalchemy import select

    from qbo_sync.db.models import Record
    with res.db.session() as session:
        return session.scalar(select(Record).where(Record.entity == entity, Record.source_id == source_id))


def qbo(res, entity, qbo_id) -> dict | None:
    found = res.qbo.client().query(f"SELECT * FROM {entity} WHERE Id = '{qbo_id}'")
    objects = found.get("QueryResponse", {}).get(entity, [])
    return objects[0] if objects else None


def named(res, entity, field, name) -> list[dict]:
    escaped = name.replace("'", "\\'")
    return res.qbo.client().query(f"SELECT * FROM {entity} WHERE {field} = '{escaped}'"
                                  ).get("QueryResponse", {}).get(entity, [])


def write(res, entity, body, operation=None):
    client = res.qbo.client()
    url = f"{client.api_url}/company/{client.company_id}/{entity.lower()}"
    return client.make_request("POST", url, json.dumps(body),
                               params={"operation": operation} if operation else None)


def days_with_hours(row: dict) -> list[str]:
    return [d for d in DAYS if row[d] not in ("", "0") and float(row[d]) != 0]


def test_weekly_entries_become_one_time_activity_per_day(res, source):
    sync(res)
    entries = rows(res, "timesheets")
    assert sum(r["status"] == "Synced" for r in entries.values()) >= 80
    reasons = {sid: entries[sid]["reasons"] for sid in ("T-0000001", "T-0000002", "T-0000003", "T-0000004")}
    assert reasons["T-0000001"] == ["Wednesday: 25 hours is more than 24 in a day"]
    assert "is not a Sunday" in reasons["T-0000002"][0]
    assert reasons["T-0000003"] == ['Thursday: "abc" is not a number of hours']
    assert reasons["T-0000004"] == ['Employee "E-00509" is not a known employee']
    for sid in ("T-0000001", "T-0000002", "T-0000003", "T-0000004"):
        assert entries[sid]["status"] == "Needs Action" and not entries[sid]["qbo_ids"], "no day of it is pushed"
    # A project that needs action itself holds back its time, naming it.
    held = [r for r in entries.values() if any("Project P-00012" in t for t in r["reasons"])]
    assert held and all(r["reasons"] == ["Project P-00012 (Lakeshore Dental Office Fit-Out) is not in "
                                         "QuickBooks yet: it needs action itself"] for r in held)

    frame = source.frame("timesheets").set_index("entry_id")
    employees, projects, codes = rows(res, "employees"), rows(res, "projects"), rows(res, "cost_codes")
    checked = 0
    for sid, row in entries.items():
        if row["status"] != "Synced":
            continue
        src = frame.loc[sid]
        assert sorted(row["qbo_ids"]) == sorted(days_with_hours(src)), sid
        for day, qbo_id in row["qbo_ids"].items():
            activity = qbo(res, "TimeActivity", qbo_id)
            assert activity["NameOf"] == "Employee"
            assert activity["EmployeeRef"]["value"] == employees[src["employee_id"]]["qbo_id"]
            assert activity["CustomerRef"]["value"] == projects[src["project_id"]]["qbo_id"]
            assert activity["ItemRef"]["value"] == codes[src["cost_code"]]["qbo_id"]
            hours = float(src[day])
            assert activity["Hours"] + activity["Minutes"] / 60 == hours
            if src["billable"] == "true":
                assert activity["BillableStatus"] == "Billable"
                assert activity["HourlyRate"] == float(src["hourly_rate"])
            else:
                assert activity["BillableStatus"] == "NotBillable"
            checked += 1
    assert checked > 200
    # TxnDate is the day itself: Monday is six days before week_ending.
    first = next(r for r in entries.values() if r["status"] == "Synced" and "mon" in r["qbo_ids"])
    monday = qbo(res, "TimeActivity", first["qbo_ids"]["mon"])["TxnDate"]
    from datetime import date, timedelta
    assert monday == (date.fromisoformat(frame.loc[first["source_id"], "week_ending"]) - timedelta(days=6)).isoformat()


def test_existing_employees_and_items_are_linked_not_duplicated(res):
    sync(res)
    for name in ("Maria Lopez", "James Carter", "Aisha Khan", "Tom Becker"):
        assert len(named(res, "Employee", "DisplayName", name)) == 1, name
    assert len(named(res, "Employee", "DisplayName", "Luis Ortega")) == 1, "a new employee is created once"
    assert len(named(res, "Item", "Name", "Electrical Labor")) == 1
    sync(res)   # a second run writes nothing new
    assert len(named(res, "Employee", "DisplayName", "Luis Ortega")) == 1
    assert {r["status"] for r in rows(res, "employees").values()} == {"Synced"}


def test_editing_one_day_updates_only_its_time_activity_and_zero_deletes_it(res, source):
    sync(res)
    entry = next(r for r in rows(res, "timesheets").values()
                 if r["status"] == "Synced" and {"mon", "tue", "wed"} <= set(r["qbo_ids"]))
    sid = entry["source_id"]
    before = {day: qbo(res, "TimeActivity", qbo_id) for day, qbo_id in entry["qbo_ids"].items()}

    source.edit("timesheets", "entry_id", sid, tue="7.25", wed="0")
    pushes = sync(res, ["timesheets"])
    ts = next(p for p in pushes if p.entity == "timesheets")
    assert (ts.created, ts.updated, ts.deleted) == (0, 1, 1)
    after = rows(res, "timesheets")[sid]
    assert after["status"] == "Synced"
    tuesday = qbo(res, "TimeActivity", after["qbo_ids"]["tue"])
    assert (tuesday["Hours"], tuesday["Minutes"]) == (7, 15)
    assert "wed" not in after["qbo_ids"]
    assert qbo(res, "TimeActivity", before["wed"]["Id"]) is None, "a day set to zero is deleted in QBO"
    for day in set(before) - {"tue", "wed"}:
        assert qbo(res, "TimeActivity", before[day]["Id"])["SyncToken"] == before[day]["SyncToken"], day


def test_time_waits_for_its_employee_until_employees_are_in_the_run(res):
    stages.run_import(res, ["employees", "projects", "cost_codes"], "all")
    sync(res, ["projects", "cost_codes"])
    sync(res, ["timesheets"])
    entries = rows(res, "timesheets")
    maria = [r for r in entries.values() if r["status"] == "Needs Action" and r["reasons"] ==
             ["Employee E-00001 (Maria Lopez) is not in QuickBooks yet: sync employees in the same run, or first"]]
    assert maria, "time of an employee not in QBO is held back, naming the employee"
    assert not any(r["qbo_ids"] for r in entries.values())
    sync(res, ["employees", "timesheets"])
    assert rows(res, "timesheets")[maria[0]["source_id"]]["status"] == "Synced"


def test_reconcile_flags_time_changed_or_deleted_in_quickbooks(res):
    sync(res)
    entry = next(r for r in rows(res, "timesheets").values()
                 if r["status"] == "Synced" and {"mon", "tue"} <= set(r["qbo_ids"]))
    sid = entry["source_id"]
    monday = qbo(res, "TimeActivity", entry["qbo_ids"]["mon"])
    write(res, "TimeActivity", {"Id": monday["Id"], "SyncToken": monday["SyncToken"], "sparse": True,
                                "Description": "fixed by the office"})
    tuesday = qbo(res, "TimeActivity", entry["qbo_ids"]["tue"])
    write(res, "TimeActivity", {"Id": tuesday["Id"], "SyncToken": tuesday["SyncToken"]}, operation="delete")

    result = reconcile.reconcile(res.db, res.reader)
    assert f"timesheets/{sid}" in result.deleted
    row = rows(res, "timesheets")[sid]
    assert row["status"] == "Needs Action"
    assert "Monday: the time activity was changed in QuickBooks after it was synced" in row["reasons"]
    assert "Tuesday: the time activity was deleted in QuickBooks after it was synced" in row["reasons"]
    sync(res)   # not overwritten, not re-created while it needs attention
    assert qbo(res, "TimeActivity", monday["Id"])["Description"] == "fixed by the office"
    assert rows(res, "timesheets")[sid]["status"] == "Needs Action"

    reconcile.accept(res.db, f"timesheets/{sid}")
    sync(res)
    row = rows(res, "timesheets")[sid]
    assert row["status"] == "Synced" and "tue" in row["qbo_ids"] and row["qbo_ids"]["tue"] != tuesday["Id"]
    assert qbo(res, "TimeActivity", monday["Id"])["Description"] != "fixed by the office"
