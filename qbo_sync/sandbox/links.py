"""What one transaction does to another, as QBO keeps it:

- a BillPayment line (LinkedTxn to a Bill) lowers that bill's Balance and appears in the
  bill's LinkedTxn; a payment can't exceed the bill's open balance; deleting or voiding the
  payment restores it (Intuit's BillPayment page; qbo-api.md "Bill payments");
- a Bill line's LinkedTxn to a PurchaseOrder closes the PO (POStatus Closed, the bill in the
  PO's LinkedTxn); when no bill links it any more the PO is Open again.

`check` runs before a write (may refuse it, fills the computed fields), `apply` after it
(updates the other objects, each with a new SyncToken and LastUpdatedTime, so CDC sees
them), `check_delete` before a delete. Company calls all three under its lock.
"""

from __future__ import annotations

from qbo_sync.sandbox.faults import QboError

CENT = 0.005


def _line_links(doc: dict | None, txn_type: str) -> list[tuple[str, float]]:
    """(TxnId, line Amount) of each line linking a `txn_type`."""
    found = []
    for line in (doc or {}).get("Line", []):
        for link in line.get("LinkedTxn", []) or []:
            if isinstance(link, dict) and link.get("TxnType") == txn_type and link.get("TxnId"):
                found.append((str(link["TxnId"]), float(line.get("Amount") or 0)))
    return found


def _payments_on(company, bill_id: str, leave_out: str | None = None) -> dict[str, float]:
    """Payment Id -> amount it applies to the bill (voided payments apply 0)."""
    paid: dict[str, float] = {}
    for payment in company.all("BillPayment"):
        if payment["Id"] == leave_out:
            continue
        for txn_id, amount in _line_links(payment, "Bill"):
            if txn_id == bill_id and amount > 0:
                paid[payment["Id"]] = paid.get(payment["Id"], 0.0) + amount
    return paid


def _bills_on(company, po_id: str) -> list[str]:
    return sorted({bill["Id"] for bill in company.all("Bill")
                   if any(txn_id == po_id for txn_id, _ in _line_links(bill, "PurchaseOrder"))},
                  key=int)


# --- before a write --------------------------------------------------------------------
def check(company, entity: str, doc: dict, old: dict | None) -> None:
    if entity == "BillPayment":
        _check_payment(company, doc, old)
    elif entity == "Bill":
        _check_bill(company, doc, old)
    elif entity == "PurchaseOrder" and old is not None:
        doc["LinkedTxn"] = old.get("LinkedTxn", [])   # read-only: kept by the bills


def _check_payment(company, doc: dict, old: dict | None) -> None:
    wanted: dict[str, float] = {}
    for txn_id, amount in _line_links(doc, "Bill"):
        wanted[txn_id] = wanted.get(txn_id, 0.0) + amount
    for txn_id, amount in wanted.items():
        bill = _same_vendor_txn(company, "Bill", txn_id, doc, "a bill payment pays bills of its own vendor")
        open_balance = bill["TotalAmt"] - sum(
            _payments_on(company, txn_id, leave_out=old["Id"] if old else None).values())
        if amount > open_balance + CENT:
            raise QboError(6000, f"The payment of {amount:.2f} is more than the open balance "
                                 f"of {open_balance:.2f} on bill {bill.get('DocNumber') or txn_id}",
                           "Line.Amount")


def _same_vendor_txn(company, kind: str, txn_id: str, doc: dict, rule: str) -> dict:
    """The transaction a line links to: it must exist (2500) and be the same vendor's (6000)."""
    txn = company.get(kind, txn_id)
    if txn is None:
        raise QboError(2500, f"Invalid Reference Id : {kind} assigned to Line.LinkedTxn "
                             f"({txn_id}) does not exist", "Line.LinkedTxn")
    if txn["VendorRef"]["value"] != doc["VendorRef"]["value"]:
        raise QboError(6000, f"{kind} {txn.get('DocNumber') or txn_id} is from "
                             f"{txn['VendorRef'].get('name')}, not from {doc['VendorRef'].get('name')}: "
                             f"{rule}", "Line.LinkedTxn")
    return txn


def _check_bill(company, doc: dict, old: dict | None) -> None:
    for txn_id, _ in _line_links(doc, "PurchaseOrder"):
        _same_vendor_txn(company, "PurchaseOrder", txn_id, doc, "a bill receives its own vendor's orders")
    for line in doc["Line"]:   # only purchase orders may be linked from a bill's line
        line["LinkedTxn"] = [{"TxnId": str(link["TxnId"]), "TxnType": "PurchaseOrder"}
                             for link in line.get("LinkedTxn", []) or []
                             if isinstance(link, dict) and link.get("TxnType") == "PurchaseOrder"]
        if not line["LinkedTxn"]:
            del line["LinkedTxn"]
    paid = _payments_on(company, old["Id"]) if old else {}
    if doc["TotalAmt"] + CENT < sum(paid.values()):
        raise QboError(6000, f"The bill's total ({doc['TotalAmt']:.2f}) cannot be less than "
                             f"what has been paid on it ({sum(paid.values()):.2f})", "Line.Amount")
    _set_payments(doc, paid)


def _set_payments(bill: dict, paid: dict[str, float]) -> None:
    bill["Balance"] = round(bill["TotalAmt"] - sum(paid.values()), 2)
    if paid:
        bill["LinkedTxn"] = [{"TxnId": pid, "TxnType": "BillPayment"} for pid in sorted(paid, key=int)]
    else:
        bill.pop("LinkedTxn", None)


def check_delete(company, entity: str, doc: dict) -> None:
    if entity == "Bill" and _payments_on(company, doc["Id"]):
        raise QboError(6000, f"Bill {doc.get('DocNumber') or doc['Id']} has payments applied: "
                             "delete or void the bill payments first", "Id")
    if entity == "PurchaseOrder" and _bills_on(company, doc["Id"]):
        raise QboError(6000, f"Purchase order {doc.get('DocNumber') or doc['Id']} is linked to "
                             "a bill: remove the link from the bill first", "Id")


# --- after a write ---------------------------------------------------------------------
def apply(company, entity: str, new: dict | None, old: dict | None) -> None:
    """`new` None: `old` was deleted."""
    if entity == "BillPayment":
        for bill_id in {txn_id for txn_id, _ in _line_links(old, "Bill") + _line_links(new, "Bill")}:
            bill = company.get("Bill", bill_id)
            if bill is not None:
                changed = dict(bill)
                _set_payments(changed, _payments_on(company, bill_id))
                company.touch("Bill", changed)
    elif entity == "Bill":
        for po_id in {txn_id for txn_id, _ in _line_links(old, "PurchaseOrder")
                      + _line_links(new, "PurchaseOrder")}:
            order = company.get("PurchaseOrder", po_id)
            if order is None:
                continue
            bills = _bills_on(company, po_id)
            changed = dict(order)
            changed["LinkedTxn"] = [{"TxnId": bid, "TxnType": "Bill"} for bid in bills]
            if bills:
                changed["POStatus"] = "Closed"
            elif order.get("LinkedTxn"):
                changed["POStatus"] = "Open"   # its last bill let go of it
            company.touch("PurchaseOrder", changed)
