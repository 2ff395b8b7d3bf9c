"""Vendor bills become QBO bills, their lines job-costed to projects and cost codes.

Lines (the vendor_bill_lines table) are staged inside their bill as data["lines"] (JSON
text) and hashed with it, so editing a line updates the bill.
"""

from __future__ import annotations

import json
from decimal import Decimal

from qbo_sync.entities import tracking
from qbo_sync.entities.base import (
    Column, EntitySpec, FindAgain, Listed, PayloadContext, PaymentsRule, SourceTable, field_column)
from qbo_sync.entities.projects import project_ref

DOC_NUMBER_LIMIT = 21   # QBO's DocNumber limit; the suite refuses longer bill numbers


def lines_of(row: dict) -> list[dict]:
    return json.loads(row.get("lines") or "[]")


def line_project(bill: dict, line: dict) -> str:
    return line.get("project_id") or bill.get("project_id") or ""


def bill_project(row: dict) -> str:
    """The bill's project: its own, else the one project all its lines charge ("" if none)."""
    if row.get("project_id"):
        return row["project_id"]
    charged = {line_project(row, line) for line in lines_of(row)}
    return charged.pop() if len(charged) == 1 else ""


def job_costed_refs(row: dict) -> list[tuple[str, str]]:
    """The vendor, and each line's project and cost code (a bill's or a purchase order's)."""
    found = [("vendors", row["vendor_id"])]
    if row.get("project_id"):
        found.append(("projects", row["project_id"]))
    for line in lines_of(row):
        if line_project(row, line):
            found.append(("projects", line_project(row, line)))
        if line.get("cost_code"):
            found.append(("cost_codes", line["cost_code"]))
    return list(dict.fromkeys(found))


def refs(row: dict) -> list[tuple[str, str]]:
    """A bill's references; the purchase order it receives, if it names one."""
    found = job_costed_refs(row)
    return found + [("purchase_orders", row["po_id"])] if row.get("po_id") else found


def total(row: dict) -> Decimal:
    return sum((Decimal(line["amount"]) for line in lines_of(row)), Decimal(0))


def amount(row: dict, _listed: Listed) -> str:
    """The bill's total; blank when a line amount is not a number (Needs Action says which)."""
    from decimal import InvalidOperation

    try:
        return str(total(row))
    except (InvalidOperation, ValueError, KeyError):
        return ""


def balance(_row: dict, listed: Listed) -> str:
    """QBO's open balance, as last read by reconcile; blank until QBO was read."""
    found = listed.qbo_objects.get("balance") or {}
    return str(found["balance"]) if "balance" in found else ""


def payment_state(_row: dict, listed: Listed) -> str:
    """Open, partially paid or paid in QuickBooks; blank until its payments were read."""
    return (listed.qbo_objects.get("payments") or {}).get("state", "")


def project_amounts(row: dict) -> list[tuple[str, Decimal, Decimal]]:
    """Each line's amount on the project it is job-costed to."""
    return [(line_project(row, line), Decimal(0), Decimal(line["amount"])) for line in lines_of(row)]


def safe_total(row: dict) -> float:
    """The bill's total for reports; 0 for a bill whose amounts never passed validation."""
    try:
        return float(total(row))
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return 0.0


def expense_line(bill: dict, line: dict, ctx: PayloadContext) -> dict:
    """One line job-costed to its project (CustomerRef) and cost code: a bill's or a purchase order's."""
    detail: dict = {}
    project = line_project(bill, line)
    if project:
        detail["CustomerRef"] = {"value": ctx.ref("projects", project).qbo_id}
    code = ctx.ref("cost_codes", line["cost_code"]) if line.get("cost_code") else None
    if code is not None and code.qbo_entity == "Item":
        kind = "ItemBasedExpenseLineDetail"
        detail["ItemRef"] = {"value": code.qbo_id}
    else:
        kind = "AccountBasedExpenseLineDetail"
        if code is not None and code.qbo_entity == "Account":
            detail["AccountRef"] = {"value": code.qbo_id}
        else:
            detail["AccountRef"] = {"value": ctx.accounts[ctx.mappings.vendor_bills.class_expense_account]}
            if code is not None:
                detail["ClassRef"] = {"value": code.qbo_id}
    mapped = tracking.class_ref(ctx, code)
    if mapped:   # the classes mapping is the job-costing class: it wins over a class cost code
        detail["ClassRef"] = mapped
    return {"DetailType": kind, "Amount": float(Decimal(line["amount"])),
            "Description": line.get("description", "")[:4000], kind: detail}


def job_header(row: dict, ctx: PayloadContext) -> dict:
    """The fields that put a whole bill or order on its project: the project and its location."""
    header = {}
    project = bill_project(row)
    if project:
        header.update(project_ref(ctx.sync, ctx.ref("projects", project)))
    location = tracking.location_ref(ctx, project)
    if location:
        header["DepartmentRef"] = location
    return header


def payload(row: dict, ctx: PayloadContext) -> dict:
    body = {"VendorRef": {"value": ctx.ref("vendors", row["vendor_id"]).qbo_id},
            "DocNumber": row["bill_number"], "TxnDate": row["bill_date"],
            "Line": [expense_line(row, line, ctx) for line in lines_of(row)]}
    if row.get("po_id"):
        # Each line receives the order: QuickBooks closes a purchase order a bill links.
        order = {"TxnId": ctx.ref("purchase_orders", row["po_id"]).qbo_id, "TxnType": "PurchaseOrder"}
        for line in body["Line"]:
            line["LinkedTxn"] = [order]
    # Lines charge their own projects (CustomerRef); the bill names its own project.
    body.update(job_header(row, ctx))
    if row.get("due_date"):
        body["DueDate"] = row["due_date"]
    if row.get("memo"):
        body["PrivateNote"] = row["memo"][:4000]
    return body


def write_key(obj: dict) -> tuple | None:
    """A bill is its number at its vendor (a bill without a number has no key)."""
    number = obj.get("DocNumber")
    return (number, (obj.get("VendorRef") or {}).get("value")) if number else None


VENDOR_BILLS = EntitySpec(
    name="vendor_bills",
    label="Vendor bills",
    key="bill_id",
    noun="Bill",
    source_columns=("bill_id", "vendor_id", "bill_number", "bill_date", "due_date",
                    "project_id", "memo", "updated_at", "po_id", "document"),
    required_columns=("bill_id", "vendor_id", "bill_number", "bill_date"),
    qbo_entity="Bill",
    display_name=lambda row: f"{row.get('bill_number', '')} ({row.get('vendor_id', '')})",
    payload=payload,
    list_columns=("vendor_id", "bill_number", "bill_date", "due_date", "project_id"),
    columns=(field_column("Vendor", "vendor_id", ref="vendors", width="wide"),
             field_column("Bill number", "bill_number"),
             field_column("Date", "bill_date", kind="date"), field_column("Due date", "due_date", kind="date"),
             Column("Project", lambda row, _l: bill_project(row), ref="projects", width="wide"),
             Column("Amount", amount, kind="money", total=True),
             Column("Payment", payment_state, width="state"),
             Column("Balance", balance, kind="money", total=True, sums=("qbo_objects.balance.balance",))),
    depends_on=("vendors", "projects", "cost_codes", "purchase_orders"),
    natural_key=None,
    write_key=write_key,
    reads_balance=True,
    find_again=FindAgain(field="DocNumber", same=write_key),
    refs=refs,
    pulls=("Account", "Class", "Department"),
    # Lines belong to their bill (bill_id); (bill_id, line_no) is unique, and orders them.
    child=SourceTable("vendor_bill_lines",
                      ("bill_id", "line_no", "cost_code", "project_id", "description", "amount"),
                      required=("bill_id", "line_no", "amount"), key="bill_id", order_by=("line_no",)),
    suite_parameters=("known_vendor_ids", "known_project_ids", "known_cost_codes", "known_purchase_order_ids"),
    totals=project_amounts,
    delete_rule=lambda mappings: mappings.vendor_bills.delete_in_qbo_when_deleted_in_source,
    measures=lambda row: {"amount": safe_total(row)},
    tracking=("line class", "location"),
    payments=PaymentsRule(qbo_entity="BillPayment", methods={"Check": "check", "CreditCard": "credit card"},
                          payee=lambda row: row.get("vendor_id", ""), payee_entity="vendors"),
    document="document",
)
