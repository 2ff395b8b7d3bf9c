"""Purchase orders end to end against the sandbox over HTTP, on SQLite and PostgreSQL: each
becomes a QBO PurchaseOrder job-costed per line; a bill that names its order receives it, and
QuickBooks shows the order Closed; a re-run writes nothing; a bad order holds back its bill."""

from __future__ import annotations

from decimal import Decimal

from qbo_sync.pipeline import reconcile
from tests.e2e.test_timesheets_sync import qbo, rows, sync, write


def source_lines(source, po_id: str):
    lines = source.frame("purchase_order_lines")
    return lines[lines["po_id"] == po_id].sort_values("line_no", key=lambda s: s.astype(int))


def test_orders_are_job_costed_and_closed_by_the_bills_that_receive_them(res, source):
    sync(res)
    orders = rows(res, "purchase_orders")
    bills = rows(res, "vendor_bills")
    projects, codes, vendors = rows(res, "projects"), rows(res, "cost_codes"), rows(res, "vendors")
    frame = source.frame("purchase_orders").set_index("po_id")
    source_bills = source.frame("vendor_bills")
    received = dict(zip(source_bills.loc[source_bills["po_id"] != "", "bill_id"],
                        source_bills.loc[source_bills["po_id"] != "", "po_id"]))
    synced = [o for o in orders.values() if o["status"] == "Synced"]
    assert len(orders) == 7 and len(synced) == 6
    # The order for the project whose client is not in QuickBooks yet waits for it, and so does its bill.
    held = next(o for o in orders.values() if o["status"] != "Synced")
    assert held["status"] == "Needs Action" and held["qbo_id"] is None
    assert held["reasons"] == ["Project P-00012 (Lakeshore Dental Office Fit-Out) is not in QuickBooks yet: "
                               "it needs action itself"]
    waiting_bill = next(b for b, o in received.items() if o == held["source_id"])
    assert bills[waiting_bill]["status"] == "Needs Action" and bills[waiting_bill]["qbo_id"] is None

    for order in synced:
        obj = qbo(res, "PurchaseOrder", order["qbo_id"])
        src = frame.loc[order["source_id"]]
        assert (obj["DocNumber"], obj["TxnDate"]) == (src["po_number"], src["po_date"])
        assert obj["VendorRef"]["value"] == vendors[src["vendor_id"]]["qbo_id"]
        mine = source_lines(source, order["source_id"])
        assert Decimal(str(obj["TotalAmt"])) == sum((Decimal(a) for a in mine["amount"]), Decimal(0))
        assert len(obj["Line"]) == len(mine)
        for line, (_, src_line) in zip(obj["Line"], mine.iterrows()):
            detail = line[line["DetailType"]]
            assert detail["CustomerRef"]["value"] == projects[src_line["project_id"]]["qbo_id"]
            ref = detail.get("ItemRef") or detail.get("AccountRef")
            code = codes[src_line["cost_code"]]["qbo_id"]
            assert ref["value"] == code or detail.get("ClassRef", {}).get("value") == code
        # Received by a bill: QuickBooks closed it; not billed yet: still open.
        billed = order["source_id"] in received.values()   # and that bill was written
        assert obj["POStatus"] == ("Closed" if billed else "Open"), order["source_id"]
    assert {"Open", "Closed"} == {qbo(res, "PurchaseOrder", o["qbo_id"])["POStatus"] for o in synced}

    for bill_id, po_id in received.items():
        if po_id == held["source_id"]:
            continue
        assert bills[bill_id]["status"] == "Synced"
        obj = qbo(res, "Bill", bills[bill_id]["qbo_id"])
        assert all(line["LinkedTxn"] == [{"TxnId": orders[po_id]["qbo_id"], "TxnType": "PurchaseOrder"}]
                   for line in obj["Line"])

    again = sync(res)
    assert [(p.entity, p.created, p.updated, p.failed) for p in again if p.synced or p.failed] == []
    assert rows(res, "purchase_orders") == orders


def test_a_bad_order_is_needs_action_and_holds_back_the_bill_that_receives_it(res, source):
    bills = source.frame("vendor_bills")
    bill_id, po_id = bills.loc[bills["po_id"] != "", ["bill_id", "po_id"]].iloc[0]
    lines = source.frame("purchase_order_lines")
    lines.loc[(lines["po_id"] == po_id) & (lines["line_no"] == "1"), "amount"] = "-25"
    source.save("purchase_order_lines", lines)
    other = bills.loc[bills["po_id"] == "", "bill_id"].iloc[0]
    source.edit("vendor_bills", "bill_id", other, po_id="PO-NOPE")
    sync(res)

    order = rows(res, "purchase_orders")[po_id]
    assert order["status"] == "Needs Action" and order["qbo_id"] is None
    assert order["reasons"] == ['Line 1: amount "-25" is not a number of 0 or more '
                                '(QuickBooks refuses negative purchase order lines)']
    staged = rows(res, "vendor_bills")
    held = staged[bill_id]
    assert held["status"] == "Needs Action" and held["qbo_id"] is None
    assert any(f"Purchase order {po_id}" in text and "needs action itself" in text for text in held["reasons"])
    assert staged[other]["reasons"] == ['Purchase order "PO-NOPE" is not a known purchase order']

    # Fixed in the source: the order is written, then the bill that receives it.
    lines.loc[(lines["po_id"] == po_id) & (lines["line_no"] == "1"), "amount"] = "25"
    source.save("purchase_order_lines", lines)
    sync(res)
    order = rows(res, "purchase_orders")[po_id]
    held = rows(res, "vendor_bills")[bill_id]
    assert order["status"] == held["status"] == "Synced"
    assert qbo(res, "PurchaseOrder", order["qbo_id"])["POStatus"] == "Closed"
    assert qbo(res, "Bill", held["qbo_id"])["Line"][0]["LinkedTxn"][0]["TxnId"] == order["qbo_id"]


def test_an_order_closed_by_its_bill_is_not_a_change_to_review_but_an_edit_in_quickbooks_is(res, source):
    sync(res)
    orders = rows(res, "purchase_orders")
    bills = source.frame("vendor_bills")
    closed = next(orders[p] for p in bills.loc[bills["po_id"] != "", "po_id"] if orders[p]["status"] == "Synced")
    assert qbo(res, "PurchaseOrder", closed["qbo_id"])["POStatus"] == "Closed"

    result = reconcile.reconcile(res.db, res.reader)
    assert [r for r in result.changed + result.deleted if r.startswith("purchase_orders/")] == []
    assert rows(res, "purchase_orders")[closed["source_id"]]["status"] == "Synced"

    obj = qbo(res, "PurchaseOrder", closed["qbo_id"])
    write(res, "PurchaseOrder", {"Id": obj["Id"], "SyncToken": obj["SyncToken"], "sparse": True, "Memo": "hold"})
    result = reconcile.reconcile(res.db, res.reader)
    assert result.changed == [f"purchase_orders/{closed['source_id']}"]
    assert "Changed in QuickBooks after it was synced" in rows(res, "purchase_orders")[closed["source_id"]]["reasons"][0]
