"""Labour cost end to end: every TimeActivity carries its employee's cost rate, billable time
its rate and status, and the run report shows hours × cost and bill amounts per project.
On the local QBO sandbox over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbo_sync.cli import main
from tests.e2e.test_timesheets_sync import record, rows, sync


def _time_activities(res, entry: dict) -> list[dict]:
    """The QBO TimeActivities a staged timesheet entry wrote, read back from QBO."""
    client = res.qbo.client()
    found = []
    for day in (record(res, "timesheets", entry["source_id"]).qbo_objects or {}).values():
        if isinstance(day, dict) and day.get("id"):
            found.append(client.get_single_object("TimeActivity", day["id"])["TimeActivity"])
    return found


def test_every_time_activity_carries_the_employees_cost_rate(res, source):
    sync(res, ["employees", "projects", "cost_codes", "timesheets"])
    costs = dict(zip(source.frame("employees")["employee_id"], source.frame("employees")["hourly_cost"]))
    entries = source.frame("timesheets").set_index("entry_id")
    synced = [r for r in rows(res, "timesheets").values() if r["status"] == "Synced"]
    assert len(synced) > 50
    seen = billable = 0
    for entry in synced:
        source_row = entries.loc[entry["source_id"]]
        for activity in _time_activities(res, entry):
            seen += 1
            assert Decimal(str(activity["CostRate"])) == Decimal(costs[source_row["employee_id"]])
            if source_row["billable"] == "true":
                billable += 1
                assert activity["BillableStatus"] == "Billable"
                assert Decimal(str(activity["HourlyRate"])) == Decimal(source_row["hourly_rate"])
            else:
                assert activity["BillableStatus"] == "NotBillable"
    assert seen > 100 and 0 < billable < seen


def test_an_employee_without_hourly_cost_writes_time_without_cost_rate(res, source):
    source.edit("employees", "employee_id", "E-00002", hourly_cost="")
    sync(res, ["employees", "projects", "cost_codes", "timesheets"])
    entries = source.frame("timesheets").set_index("entry_id")
    synced = [r for r in rows(res, "timesheets").values() if r["status"] == "Synced"
              and entries.loc[r["source_id"], "employee_id"] == "E-00002"]
    assert synced
    for entry in synced:
        assert all("CostRate" not in a for a in _time_activities(res, entry))


@pytest.mark.slow
def test_run_report_shows_labour_cost_and_bill_amounts_per_project(prefect, make_resources, config_for,
                                                                   capsys):
    res = make_resources()
    code = main(["--config", config_for(res), "sync", "--all", "--yes"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "## Job cost pushed per project" in out
    # The expected figures come from what QuickBooks holds: hours × CostRate of every
    # TimeActivity, and the bill lines charged to each project.
    client = res.qbo.client()
    activities = client.query("SELECT * FROM TimeActivity MAXRESULTS 1000")["QueryResponse"]["TimeActivity"]
    lines = [(line.get("AccountBasedExpenseLineDetail") or line.get("ItemBasedExpenseLineDetail"), line["Amount"])
             for bill in client.query("SELECT * FROM Bill MAXRESULTS 1000")["QueryResponse"]["Bill"]
             for line in bill["Line"]]
    table = out.split("## Job cost pushed per project")[1].split("\n\n")[1].splitlines()[2:]
    *projects, total = [[c.strip() for c in row.strip("|").split("|")] for row in table]
    assert len(projects) >= 5
    sums = [0.0, 0.0, 0.0, 0.0]
    for name, project_id, *figures in projects:
        project = rows(res, "projects")[project_id]
        assert name == project["name"]
        time = [a for a in activities if a["CustomerRef"]["value"] == project["qbo_id"]]
        hours = sum(a["Hours"] + a["Minutes"] / 60 for a in time)
        labour = sum((a["Hours"] + a["Minutes"] / 60) * a["CostRate"] for a in time)
        amount = sum(a for detail, a in lines if detail["CustomerRef"]["value"] == project["qbo_id"])
        assert figures == [f"{hours:,.2f}", f"{labour:,.2f}", f"{amount:,.2f}", f"{labour + amount:,.2f}"]
        sums = [s + v for s, v in zip(sums, (hours, labour, amount, labour + amount))]
    assert total == ["**Total**", "", *(f"**{v:,.2f}**" for v in sums)]
