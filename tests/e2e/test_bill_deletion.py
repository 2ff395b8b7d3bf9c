"""A vendor bill deleted in the source: deleted in QBO only when the mappings rule says so."""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync import mappings
from qbo_sync.db.models import Record, SyncAttempt
from qbo_sync.pipeline.report import build_report, to_markdown
from qbo_sync import entities as registry
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
    assert {"entity": "vendor_bills", "source_id": "B-000001", "name": bill["name"],
            "qbo_id": bill["qbo_id"], "what": "deleted in the source; deleted in QBO"} in report["deleted_in_source"]
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
