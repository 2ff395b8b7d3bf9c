"""Purchase orders (commitments) become QBO PurchaseOrders, job-costed per line like bills.

Lines (the purchase_order_lines table) are staged inside their order as data["lines"], as a
bill's are. A bill that names its order (vendor_bills.po_id) links each of its lines to it
(LinkedTxn), and QuickBooks shows the order as received: Closed.
"""

from __future__ import annotations

from qbo_sync.entities.base import Column, EntitySpec, FindAgain, PayloadContext, SourceTable, field_column
from qbo_sync.entities.vendor_bills import (amount, bill_project, expense_line, job_costed_refs, job_header,
                                            lines_of, safe_total, write_key)


def payload(row: dict, ctx: PayloadContext) -> dict:
    body = {"VendorRef": {"value": ctx.ref("vendors", row["vendor_id"]).qbo_id},
            "DocNumber": row["po_number"], "TxnDate": row["po_date"],
            "Line": [expense_line(row, line, ctx) for line in lines_of(row)]}
    body.update(job_header(row, ctx))
    if row.get("memo"):
        body["Memo"] = row["memo"][:4000]
    return body


PURCHASE_ORDERS = EntitySpec(
    name="purchase_orders",
    label="Purchase orders",
    key="po_id",
    noun="Purchase order",
    known_ids_parameter="known_purchase_order_ids",
    source_columns=("po_id", "vendor_id", "project_id", "po_number", "po_date", "memo", "updated_at"),
    required_columns=("po_id", "vendor_id", "po_number", "po_date"),
    # Lines belong to their order (po_id); (po_id, line_no) is unique, and orders them.
    child=SourceTable("purchase_order_lines",
                      ("po_id", "line_no", "cost_code", "project_id", "description", "amount"),
                      required=("po_id", "line_no", "amount"), key="po_id", order_by=("line_no",)),
    qbo_entity="PurchaseOrder",
    display_name=lambda row: f"{row.get('po_number', '')} ({row.get('vendor_id', '')})",
    payload=payload,
    list_columns=("vendor_id", "po_number", "po_date", "project_id"),
    columns=(field_column("Vendor", "vendor_id", ref="vendors", width="wide"),
             field_column("PO number", "po_number"),
             field_column("Date", "po_date", kind="date"),
             Column("Project", lambda row, _l: bill_project(row), ref="projects", width="wide"),
             Column("Amount", amount, kind="money", total=True)),
    depends_on=("vendors", "projects", "cost_codes"),
    natural_key=None,
    write_key=write_key,        # its number at its vendor, as a bill's
    find_again=FindAgain(field="DocNumber", same=write_key),
    qbo_keeps=("POStatus", "LinkedTxn"),    # a bill that receives it closes it
    refs=job_costed_refs,
    pulls=("Account", "Class", "Department"),
    suite_parameters=("known_vendor_ids", "known_project_ids", "known_cost_codes"),
    measures=lambda row: {"amount": safe_total(row)},
    tracking=("line class", "location"),
)
