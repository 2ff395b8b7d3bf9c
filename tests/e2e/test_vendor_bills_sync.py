"""Vendor bills (with their vendors, projects and cost codes) end to end against the sandbox."""

from __future__ import annotations

import json
from decimal import Decimal

from qbo_sync.pipeline import reconcile
from tests.e2e.test_timesheets_sync import named, qbo, rows, sync, write


def source_total(source, bill_id) -> Decimal:
    lines = source.frame("vendor_bill_lines")
    return sum((Decimal(a) for a in lines.loc[lines["bill_id"] == bill_id, "amount"]), Decimal(0))


def test_bills_are_job_costed_with_totals_equal_to_their_lines(res, source):
    sync(res)
    bills = rows(res, "vendor_bills")
    assert bills["B-000003"]["status"] == "Needs Action"
    assert bills["B-000003"]["reasons"] == [
        'Bill number "ACE-INV-2026-0000482-REVISED" is 28 characters; QuickBooks allows at most 21']
    assert 'Line 1: cost code "03-350" is not a known cost code' in bills["B-000005"]["reasons"]
    assert bills["B-000003"]["qbo_id"] is None and bills["B-000005"]["qbo_id"] is None

    projects, codes, vendors = rows(res, "projects"), rows(res, "cost_codes"), rows(res, "vendors")
    frame = source.frame("vendor_bills").set_index("bill_id")
    lines = source.frame("vendor_bill_lines")
    synced = [b for b in bills.values() if b["status"] == "Synced"]
    assert len(synced) >= 20
    for bill in synced:
        obj = qbo(res, "Bill", bill["qbo_id"])
        src = frame.loc[bill["source_id"]]
        assert obj["DocNumber"] == src["bill_number"]
        assert obj["VendorRef"]["value"] == vendors[src["vendor_id"]]["qbo_id"]
        assert Decimal(str(obj["TotalAmt"])) == source_total(source, bill["source_id"])
        mine = lines[lines["bill_id"] == bill["source_id"]].sort_values("line_no", key=lambda s: s.astype(int))
        assert len(obj["Line"]) == len(mine)
        for line, (_, src_line) in zip(obj["Line"], mine.iterrows()):
            detail = line[line["DetailType"]]
            assert detail["CustomerRef"]["value"] == projects[src_line["project_id"]]["qbo_id"]
            code = codes[src_line["cost_code"]]
            ref = detail.get("ItemRef") or detail.get("AccountRef")
            if line["DetailType"] == "AccountBasedExpenseLineDetail" and "ClassRef" in detail:
                assert detail["ClassRef"]["value"] == code["qbo_id"]
            else:
                assert ref["value"] == code["qbo_id"]
    # Material cost codes are expense accounts; an existing QBO account of the same name is not duplicated.
    assert len(named(res, "Account", "Name", "Reinforcing Steel")) == 1
    assert len(named(res, "Vendor", "DisplayName", "Ace Concrete Supply")) == 1


def test_editing_a_line_updates_the_bill(res, source):
    sync(res)
    bill = rows(res, "vendor_bills")["B-000001"]
    before = qbo(res, "Bill", bill["qbo_id"])
    lines = source.frame("vendor_bill_lines")
    lines.loc[(lines["bill_id"] == "B-000001") & (lines["line_no"] == "1"), "amount"] = "1234.56"
    source.save("vendor_bill_lines", lines)
    pushes = sync(res, ["vendor_bills"])
    assert [(p.created, p.updated) for p in pushes if p.entity == "vendor_bills"] == [(0, 1)]
    after = qbo(res, "Bill", bill["qbo_id"])
    assert int(after["SyncToken"]) == int(before["SyncToken"]) + 1
    assert Decimal(str(after["TotalAmt"])) == source_total(source, "B-000001")
    assert after["Line"][0]["Amount"] == 1234.56


def test_reconcile_flags_bills_edited_or_deleted_in_quickbooks_and_pulls_balances(res):
    sync(res)
    bills = rows(res, "vendor_bills")
    edited, deleted = bills["B-000001"], bills["B-000002"]
    obj = qbo(res, "Bill", edited["qbo_id"])
    write(res, "Bill", {"Id": obj["Id"], "SyncToken": obj["SyncToken"], "sparse": True, "PrivateNote": "on hold"})
    gone = qbo(res, "Bill", deleted["qbo_id"])
    write(res, "Bill", {"Id": gone["Id"], "SyncToken": gone["SyncToken"]}, operation="delete")

    result = reconcile.reconcile(res.db, res.reader)
    assert result.changed == ["vendor_bills/B-000001"] and result.deleted == ["vendor_bills/B-000002"]
    assert result.bills_open >= 20 and result.bills_paid == 0
    after = rows(res, "vendor_bills")
    assert after["B-000001"]["status"] == "Needs Action"
    assert "Changed in QuickBooks after it was synced" in after["B-000001"]["reasons"][0]
    assert "Deleted in QuickBooks after it was synced" in after["B-000002"]["reasons"][0]
    sync(res)   # neither overwritten nor re-created
    assert qbo(res, "Bill", obj["Id"])["PrivateNote"] == "on hold"
    assert len(named(res, "Bill", "DocNumber", json.loads(json.dumps(gone["DocNumber"])))) == 0

    reconcile.accept(res.db, "vendor_bills/B-000002")
    sync(res)
    again = rows(res, "vendor_bills")["B-000002"]
    assert again["status"] == "Synced" and again["qbo_id"] != gone["Id"]
