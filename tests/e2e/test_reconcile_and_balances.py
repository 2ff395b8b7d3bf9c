"""Reconcile and bill balances end to end: `qbo-sync pull` flags what QBO changed, the flag
outlives source edits, the sync's map stage catches edits made on both sides, and the run
report shows open and paid bills per project. Against the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from qbo_sync.cli import main
from qbo_sync.ops.report_files import to_csv, to_html
from qbo_sync.pipeline import reconcile
from qbo_sync.pipeline.report import balances_per_project, build_report, to_markdown
from qbo_sync import entities as registry
from tests.e2e.test_timesheets_sync import qbo, record, rows, sync, write


def edit_in_qbo(res, entity, qbo_id, **fields):
    obj = qbo(res, entity, qbo_id)
    write(res, entity, {"Id": obj["Id"], "SyncToken": obj["SyncToken"], "sparse": True, **fields})


def delete_in_qbo(res, entity, qbo_id):
    obj = qbo(res, entity, qbo_id)
    write(res, entity, {"Id": obj["Id"], "SyncToken": obj["SyncToken"]}, operation="delete")


def line_amounts_per_project(source, bill_ids) -> dict[str, Decimal]:
    bills = source.frame("vendor_bills").set_index("bill_id")
    found: dict[str, Decimal] = {}
    for line in source.frame("vendor_bill_lines").to_dict("records"):
        if line["bill_id"] in bill_ids:
            project = line["project_id"] or bills.loc[line["bill_id"], "project_id"]
            found[project] = found.get(project, Decimal(0)) + Decimal(line["amount"])
    return found


def test_pull_stores_bill_balances_and_the_report_shows_open_bills_per_project(res, source, config_for, capsys):
    sync(res)
    assert main(["--config", config_for(res), "pull"]) == 0
    out = capsys.readouterr().out
    assert "Pulled from QuickBooks:" in out and "0 changed and 0 deleted there" in out
    synced = [b for b in rows(res, "vendor_bills").values() if b["status"] == "Synced"]
    assert f"bills paid 0, open {len(synced)}" in out

    report = build_report(res.db, registry.resolve(None))
    bills = report["bills"]
    assert bills["not_checked"] == 0 and bills["as_of"]
    expected = line_amounts_per_project(source, {b["source_id"] for b in synced})
    shown = {r["project"]: r for r in bills["per_job"]}
    assert set(shown) == set(expected)
    for project, amount in expected.items():
        assert shown[project]["paid_bills"] == 0 and shown[project]["paid_amount"] == 0
        assert Decimal(str(shown[project]["open_balance"])) == amount   # the sandbox: Balance = TotalAmt
    project, row = next(iter(shown.items()))
    markdown = to_markdown(report)
    assert "## Vendor bills paid and open, per project" in markdown
    assert f"| {row['name']} | {project} | 0 | 0.00 | {row['open_bills']:,} | {row['open_balance']:,.2f} |" in markdown
    assert "<h2>Vendor bills paid and open, per project</h2>" in to_html(report)
    csv_rows = [r for r in csv.DictReader(io.StringIO(to_csv(report)))
                if r["section"] == "vendor bills per project" and r["project"] == project]
    assert {r["measure"]: float(r["value"]) for r in csv_rows}["open_balance"] == row["open_balance"]


def test_paid_and_part_paid_bills_are_shared_out_by_their_lines_projects():
    # The sandbox has no BillPayment (Balance always equals TotalAmt), so paying is tested here.
    def bill(project, lines, balance, total):
        return ({"project_id": project, "lines": json.dumps(lines)},
                {"balance": balance, "total": total, "checked_at": "2026-11-21T10:00:00+00:00"})

    bills = [bill("P-1", [{"project_id": "", "amount": "100"}], 0, 100.0),                      # paid
             bill("P-1", [{"project_id": "P-1", "amount": "300"}, {"project_id": "P-2", "amount": "100"}],
                  200, 400.0),                                                                 # part paid
             bill("P-2", [{"project_id": "", "amount": "50"}], 50, 50.0),                       # open
             (({"project_id": "P-3", "lines": "[]"}), None)]                                     # not pulled yet
    result = balances_per_project(bills, {"P-1": "Library", "P-2": "Clinic"})
    assert result["not_checked"] == 1 and result["as_of"] == "2026-11-21T10:00:00+00:00"
    assert result["per_job"] == [
        {"project": "P-1", "name": "Library", "paid_bills": 1, "paid_amount": 100.0,
         "open_bills": 1, "open_balance": 150.0},
        {"project": "P-2", "name": "Clinic", "paid_bills": 0, "paid_amount": 0.0,
         "open_bills": 2, "open_balance": 100.0}]
    assert "1 synced bills have no balance yet" in to_markdown(
        {"counts": {}, "problems": [], "bills": {**result, "label": "Vendor bills"}})


def test_a_reconcile_flag_outlives_source_edits_until_accepted(res, source):
    sync(res)
    bill = rows(res, "vendor_bills")["B-000001"]
    edit_in_qbo(res, "Bill", bill["qbo_id"], PrivateNote="on hold by the office")
    entry = next(r for r in rows(res, "timesheets").values() if r["status"] == "Synced" and "mon" in r["qbo_ids"])
    monday = entry["qbo_ids"]["mon"]
    edit_in_qbo(res, "TimeActivity", monday, Description="fixed by the office")
    result = reconcile.reconcile(res.db, res.reader)
    assert {"vendor_bills/B-000001", f"timesheets/{entry['source_id']}"} <= set(result.changed)

    # The source edits both records afterwards: the import must not clear the flag.
    source.edit("vendor_bills", "bill_id", "B-000001", memo="edited in the PM system")
    source.edit("timesheets", "entry_id", entry["source_id"], mon="9.5", description="edited too")
    pushes = sync(res)
    assert not [p for p in pushes if p.entity in ("vendor_bills", "timesheets") and (p.created or p.updated)]
    after = rows(res, "vendor_bills")["B-000001"]
    assert after["status"] == "Needs Action"
    assert any("Changed in QuickBooks after it was synced" in r for r in after["reasons"])
    assert qbo(res, "Bill", bill["qbo_id"])["PrivateNote"] == "on hold by the office"
    flagged = rows(res, "timesheets")[entry["source_id"]]
    assert flagged["status"] == "Needs Action"
    assert "Monday: the time activity was changed in QuickBooks after it was synced" in flagged["reasons"]
    assert qbo(res, "TimeActivity", monday)["Description"] == "fixed by the office"

    reconcile.accept(res.db, "vendor_bills/B-000001")
    reconcile.accept(res.db, f"timesheets/{entry['source_id']}")
    sync(res)
    assert rows(res, "vendor_bills")["B-000001"]["status"] == "Synced"
    assert qbo(res, "Bill", bill["qbo_id"])["PrivateNote"] == "edited in the PM system"
    time = qbo(res, "TimeActivity", monday)
    assert (time["Hours"], time["Minutes"]) == (9, 30) and time["Description"] != "fixed by the office"


def test_pull_reconciles_and_status_shows_what_qbo_changed(res, config_for, capsys):
    sync(res)
    vendor = next(v for v in rows(res, "vendors").values() if v["status"] == "Synced")
    edit_in_qbo(res, "Vendor", vendor["qbo_id"], PrintOnCheckName="Changed By Hand")
    entry = next(r for r in rows(res, "timesheets").values() if r["status"] == "Synced" and "tue" in r["qbo_ids"])
    delete_in_qbo(res, "TimeActivity", entry["qbo_ids"]["tue"])
    config = config_for(res)

    assert main(["--config", config, "pull", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["pulled"]["Vendor"] >= 1
    assert answer["reconcile"]["changed"] == [f"vendors/{vendor['source_id']}"]
    assert answer["reconcile"]["deleted"] == [f"timesheets/{entry['source_id']}"]

    assert main(["--config", config, "status", "--status", "needs action", "--json"]) == 0
    attention = {f"{r['entity']}/{r['source_id']}": r for r in json.loads(capsys.readouterr().out)}
    assert "Tuesday: the time activity was deleted in QuickBooks after it was synced" in \
        attention[f"timesheets/{entry['source_id']}"]["reasons"]
    assert any("Changed in QuickBooks" in r for r in attention[f"vendors/{vendor['source_id']}"]["reasons"])

    sync(res)   # the sync's map stage keeps them: nothing re-created, nothing overwritten
    assert rows(res, "timesheets")[entry["source_id"]]["status"] == "Needs Action"
    assert "tue" in record(res, "timesheets", entry["source_id"]).qbo_objects["reconcile"]["parts"]
    assert qbo(res, "Vendor", vendor["qbo_id"])["PrintOnCheckName"] == "Changed By Hand"


def test_the_map_stage_catches_a_record_edited_on_both_sides(res, source):
    """No pull in between: the sync itself must not write over QBO's edit."""
    sync(res)
    bill = rows(res, "vendor_bills")["B-000002"]
    edit_in_qbo(res, "Bill", bill["qbo_id"], PrivateNote="disputed")
    source.edit("vendor_bills", "bill_id", "B-000002", memo="new memo from the PM system")
    other = rows(res, "vendor_bills")["B-000001"]
    source.edit("vendor_bills", "bill_id", "B-000001", memo="only edited in the source")
    sync(res)
    after = rows(res, "vendor_bills")
    assert after["B-000002"]["status"] == "Needs Action"
    assert qbo(res, "Bill", bill["qbo_id"])["PrivateNote"] == "disputed"
    assert after["B-000001"]["status"] == "Synced"
    assert qbo(res, "Bill", other["qbo_id"])["PrivateNote"] == "only edited in the source"


def test_keeping_quickbooks_version_leaves_it_and_a_later_edit_updates_only_what_changed(res, source):
    sync(res)
    entry = next(r for r in rows(res, "timesheets").values()
                 if r["status"] == "Synced" and "mon" in r["qbo_ids"] and "tue" not in r["qbo_ids"])
    monday = entry["qbo_ids"]["mon"]
    edit_in_qbo(res, "TimeActivity", monday, Description="fixed by the office")
    assert f"timesheets/{entry['source_id']}" in reconcile.reconcile(res.db, res.reader).changed

    kept = reconcile.keep_quickbooks(res.db, f"timesheets/{entry['source_id']}")
    assert kept.status == "synced" and "reconcile" not in kept.qbo_objects
    pushes = sync(res)
    assert not [p for p in pushes if p.entity == "timesheets" and (p.created or p.updated)]
    assert qbo(res, "TimeActivity", monday)["Description"] == "fixed by the office"
    assert reconcile.reconcile(res.db, res.reader).changed == []   # QBO's version is the synced one now

    # The source adds Tuesday: that day is created; Monday, unchanged here, keeps QBO's edit.
    source.edit("timesheets", "entry_id", entry["source_id"], tue="2")
    sync(res)
    after = rows(res, "timesheets")[entry["source_id"]]
    assert after["status"] == "Synced" and "tue" in after["qbo_ids"]
    assert qbo(res, "TimeActivity", monday)["Description"] == "fixed by the office"
