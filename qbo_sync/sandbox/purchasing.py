"""Per-document rules of BillPayment and PurchaseOrder (shape, references, totals).

What one transaction does to another (a payment lowers a bill's Balance, a bill linked to
a purchase order closes it) lives in links.py. Sources: Intuit's BillPayment and
PurchaseOrder reference pages and python-quickbooks' objects (docs/sandbox.md).
"""

from __future__ import annotations

from qbo_sync.sandbox.entities import _number, check_length, expense_lines, non_negative, ref
from qbo_sync.sandbox.faults import QboError

USD = {"value": "USD", "name": "United States Dollar"}
# PayType -> (the detail object, its account reference, the AccountType that account must have)
PAY_TYPES = {"Check": ("CheckPayment", "BankAccountRef", "Bank"),
             "CreditCard": ("CreditCardPayment", "CCAccountRef", "Credit Card")}
PO_STATUSES = ("Open", "Closed")


def _ap_account(ctx, doc: dict) -> None:
    """APAccountRef as given, else the company's first Accounts Payable account (as Bill)."""
    if "APAccountRef" in doc:
        ref(ctx, doc, "APAccountRef", "Account")
        return
    ap = ctx.first_account("Accounts Payable")
    if ap is not None:
        doc["APAccountRef"] = {"value": ap["Id"], "name": ap["Name"]}


def _txn_basics(ctx, doc: dict) -> None:
    check_length(doc, "DocNumber", 21)
    check_length(doc, "PrivateNote", 4000)
    doc.setdefault("TxnDate", ctx.today())
    doc.setdefault("CurrencyRef", USD)
    _ap_account(ctx, doc)


def check_bill_payment(ctx, doc: dict, old: dict | None) -> dict:
    """VendorRef, PayType Check (BankAccountRef of a Bank account) or CreditCard (CCAccountRef
    of a Credit Card account), TotalAmt, and lines each paying one Bill (LinkedTxn)."""
    ref(ctx, doc, "VendorRef", "Vendor", required=True)
    pay_type = doc.get("PayType")
    if not pay_type:
        raise QboError(2020, "Required parameter PayType is missing in the request", "PayType")
    if pay_type not in PAY_TYPES:
        raise QboError(2010, f"Property Name:PayType value {pay_type!r} is not Check or "
                             "CreditCard", "PayType")
    detail_name, account_field, account_type = PAY_TYPES[pay_type]
    for other, _, _ in PAY_TYPES.values():
        if other != detail_name:
            doc.pop(other, None)
    detail = doc.get(detail_name)
    if not isinstance(detail, dict):
        raise QboError(2020, f"Required parameter {detail_name}.{account_field} is missing in "
                             "the request", f"{detail_name}.{account_field}")
    account = ref(ctx, detail, account_field, "Account", required=True)
    if account.get("AccountType") != account_type:
        raise QboError(6000, f"{detail_name}.{account_field} must be a {account_type} account; "
                             f"{account.get('Name')} is {account.get('AccountType')}",
                       f"{detail_name}.{account_field}")
    if pay_type == "Check":
        detail.setdefault("PrintStatus", "NotSet")

    total = _number(doc, "TotalAmt")
    if total is None:
        raise QboError(2020, "Required parameter TotalAmt is missing in the request", "TotalAmt")
    if total < 0:
        raise QboError(6000, "The total amount of a bill payment cannot be negative", "TotalAmt")
    lines = doc.get("Line")
    if not isinstance(lines, list) or not lines:
        raise QboError(2020, "Required parameter Line is missing in the request", "Line")
    applied = 0.0
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise QboError(2010, "Property Name:Line must hold objects", "Line")
        amount = non_negative(line, "Amount")
        if amount is None:
            raise QboError(2020, "Required parameter Line.Amount is missing in the request",
                           "Line.Amount")
        linked = line.get("LinkedTxn")
        if not isinstance(linked, list) or len(linked) != 1 or not isinstance(linked[0], dict) \
                or not linked[0].get("TxnId"):
            raise QboError(2020, "Required parameter Line.LinkedTxn (one TxnId and TxnType) is "
                                 "missing in the request", "Line.LinkedTxn")
        if linked[0].get("TxnType") != "Bill":
            raise QboError(6000, f"Line.LinkedTxn TxnType {linked[0].get('TxnType')!r} is not "
                                 "supported by the sandbox (Bill is)", "Line.LinkedTxn")
        linked[0] = {"TxnId": str(linked[0]["TxnId"]), "TxnType": "Bill"}
        line["Id"] = str(number)
        line["LineNum"] = number
        applied += amount
    # More than the lines is allowed (the rest is a vendor credit); less is not.
    if round(applied, 2) > round(total, 2):
        raise QboError(6000, f"The amounts applied to bills ({applied:.2f}) exceed the "
                             f"payment's total ({total:.2f})", "TotalAmt")
    doc["TotalAmt"] = round(total, 2)
    _txn_basics(ctx, doc)
    return doc


def check_purchase_order(ctx, doc: dict, old: dict | None) -> dict:
    """VendorRef and expense lines (ItemRef or AccountRef, CustomerRef and ClassRef per line
    for job costing); TotalAmt computed; POStatus Open or Closed (Open when new)."""
    ref(ctx, doc, "VendorRef", "Vendor", required=True)
    lines = doc.get("Line")
    if not isinstance(lines, list) or not lines:
        raise QboError(2020, "Required parameter Line is missing in the request", "Line")
    doc["TotalAmt"] = round(expense_lines(ctx, lines, "PurchaseOrder"), 2)
    status = doc.get("POStatus") or (old or {}).get("POStatus") or "Open"
    if status not in PO_STATUSES:
        raise QboError(2010, f"Property Name:POStatus value {status!r} is not Open or Closed",
                       "POStatus")
    doc["POStatus"] = status
    ref(ctx, doc, "ClassRef", "Class")
    check_length(doc, "Memo", 4000)
    _txn_basics(ctx, doc)
    return doc


RULES = {"BillPayment": check_bill_payment, "PurchaseOrder": check_purchase_order}
