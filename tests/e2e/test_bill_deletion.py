"""A vendor bill (or a weekly timesheet entry) deleted in the source: deleted in QBO only
when the mappings rule says so."""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync import mappings
from qbo_sync.db.models import Record, SyncAttempt
from qbo_sync.pipeline.report import build_report, to_markdown
from qbo_sync import entities as registry
from qbo_sync.pipeline.parts import PART_NAMES
from tests.e2e.test_reconcile_and_balances import edit_in_qbo
from tests.e2e.test_timesheets_sync import qbo, rows, sync, sync_with_preview


def drop_bill(source, bill_id):
    bills = source.frame("vendor_bills")
    source.save("vendor_bills", bills[bills["bill_id"] != bill_id])
    lines = source.frame("vendor_bill_lines")
    source.save("vendor_bill_lines", lines[lines["bill_id"] != bill_id])


def with_rule(res, on: bool):
    current = mappings.for_resources(res)
    bills = mappings.replace(current.vendor_bills, delete_in_qbo_when_deleted_in_source=on)
    mappings.use(res, mappings.replace(current, vendor_bills=bills))


def test_rule_on_deletes_the_bill_in_quickbooks(res, source):
    sync(res)
    bill = rows(res, "vendor_bills")["B-000001"]
    assert bill["status"] == "Synced" and qbo(res, "Bill", bill["qbo_id"]) is not None
    drop_bill(source, "B-000001")
    with_rule(res, True)

    preview, pushes = sync_with_preview(res)
    [row] = [r for r in preview.rows if r.source_id == "B-000001"]
    assert (row.action, row.qbo_id) == ("delete", bill["qbo_id"])
    assert preview.counts()["vendor_bills"]["delete"] == 1
    [push] = [p for p in pushes if p.entity == "vendor_bills"]
    assert (push.deleted, push.deleted_ids, push.failed) == (1, ["B-000001"], [])

    assert qbo(res, "Bill", bill["qbo_id"]) is None          # bills are truly deleted in QBO
    with res.db.session() as session:
        record = session.scalars(select(Record).where(Record.entity == "vendor_bills",
                                                      Record.source_id == "B-000001")).one()
        attempt = session.scalars(select(SyncAttempt).where(SyncAttempt.record_id == record.id)
                                  .order_by(SyncAttempt.id.desc())).first()
        assert record.qbo_id is None and record.qbo_objects["deleted_in_qbo"]["id"] == bill["qbo_id"]
    assert (attempt.operation, attempt.outcome) == ("delete", "deleted")
    assert set(attempt.request) == {"Id", "SyncToken"}

    report = build_report(res.db, registry.resolve(None), pushes=pushes)
    [gone] = [d for d in report["deleted_in_source"] if d["source_id"] == "B-000001"]
    assert (gone["name"], gone["qbo_id"], gone["what"]) == (bill["name"], bill["qbo_id"],
                                                            "deleted in the source; deleted in QBO")
    assert "deleted in the source; deleted in QBO" in to_markdown(report)

    # Nothing left to do: a third run neither deletes again nor lists the bill.
    preview, pushes = sync_with_preview(res)
    assert not [r for r in preview.rows if r.source_id == "B-000001"]


def test_rule_off_keeps_the_bill_and_reports_it(res, source):
    sync(res)
    bill = rows(res, "vendor_bills")["B-000002"]
    drop_bill(source, "B-000002")
    with_rule(res, False)

    preview, pushes = sync_with_preview(res)
    [row] = [r for r in preview.rows if r.source_id == "B-000002"]
    assert (row.action, row.reason) == ("skip", "deleted in the source; kept in QBO by rule")
    assert not any(p.deleted for p in pushes)
    assert qbo(res, "Bill", bill["qbo_id"])["Id"] == bill["qbo_id"]

    report = build_report(res.db, registry.resolve(None), pushes=pushes)
    [kept] = [d for d in report["deleted_in_source"] if d["source_id"] == "B-000002"]
    assert (kept["qbo_id"], kept["what"]) == (bill["qbo_id"], "deleted in the source; kept in QBO by rule")
    assert "kept in QBO by rule" in to_markdown(report)


def test_a_timesheet_day_changed_in_quickbooks_is_not_deleted_and_named(res, source):
    """Rule on, one of the entry's days edited in QBO since the sync: the other days are
    deleted, that one is kept (5010), and the entry is Failed naming the day, holding only it."""
    sync(res)
    entry = max((r for r in rows(res, "timesheets").values() if r["status"] == "Synced"),
                key=lambda r: len(r["qbo_ids"]))
    days = entry["qbo_ids"]
    changed_day, changed_id = sorted(days.items())[0]
    edit_in_qbo(res, "TimeActivity", changed_id, Description="fixed by the office")
    week = source.frame("timesheets")
    source.save("timesheets", week[week["entry_id"] != entry["source_id"]])
    current_rules = mappings.for_resources(res)
    mappings.use(res, mappings.replace(current_rules, timesheets=mappings.replace(
        current_rules.timesheets, delete_in_qbo_when_deleted_in_source=True)))

    preview, pushes = sync_with_preview(res, ["timesheets"])
    assert [r.action for r in preview.rows if r.source_id == entry["source_id"]] == ["delete"]
    [push] = pushes
    assert push.deleted == len(days) - 1 and [s for s, _ in push.failed] == [entry["source_id"]]
    assert qbo(res, "TimeActivity", changed_id) is not None
    assert not [i for d, i in days.items() if d != changed_day and qbo(res, "TimeActivity", i)]

    shown = rows_with_deleted(res)[entry["source_id"]]
    gone = shown["deleted_in_source"]
    assert shown["status"] == "Deleted in source" and gone["qbo_ids"] == [changed_id] and gone["in_qbo"]
    assert gone["what"].startswith("deleted in the source; not deleted in QBO: ")
    assert PART_NAMES[changed_day] in gone["what"] and "Changed in QuickBooks" in gone["what"]


def rows_with_deleted(res) -> dict[str, dict]:
    from qbo_sync.views import status_rows

    return {r["source_id"]: r for r in status_rows(res.db, entity="timesheets")}
