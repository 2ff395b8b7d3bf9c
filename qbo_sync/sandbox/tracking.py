"""Class and location (Department) tracking, checked against the company's Preferences.

QBO's AccountingInfoPrefs hold ClassTrackingPerTxn (one class for the whole transaction),
ClassTrackingPerTxnLine (a class per line) and TrackDepartments (locations). A ClassRef
on a transaction or its lines when class tracking is off, or a DepartmentRef when
locations are off, is refused (6000); a missing class or location is 2500, an inactive one
610 (entities.ref). Intuit's Preferences, Class and Department pages; docs/sandbox.md.
"""

from __future__ import annotations

from qbo_sync.sandbox.entities import LINE_DETAILS, ref
from qbo_sync.sandbox.faults import QboError

TRANSACTIONS = {"Bill", "BillPayment", "PurchaseOrder", "TimeActivity"}


def _prefs(company) -> dict:
    return (company.get("Preferences", "1") or {}).get("AccountingInfoPrefs", {})


def class_tracking_on(company) -> bool:
    prefs = _prefs(company)
    return bool(prefs.get("ClassTrackingPerTxn") or prefs.get("ClassTrackingPerTxnLine"))


def _class_refs(doc: dict) -> list[tuple[dict, str]]:
    """(object holding a ClassRef, where it is) for the transaction and each line."""
    holders = [(doc, "ClassRef")] if doc.get("ClassRef") else []
    for line in doc.get("Line", []) or []:
        for kind in LINE_DETAILS:
            detail = line.get(kind) if isinstance(line, dict) else None
            if isinstance(detail, dict) and detail.get("ClassRef"):
                holders.append((detail, f"Line.{kind}.ClassRef"))
    return holders


def check(company, entity: str, doc: dict) -> None:
    if entity not in TRANSACTIONS:
        return
    classes = _class_refs(doc)
    if classes and not class_tracking_on(company):
        raise QboError(6000, "Class tracking is turned off for this company (Preferences "
                             "AccountingInfoPrefs ClassTrackingPerTxn and ClassTrackingPerTxnLine "
                             "are false): remove the ClassRef or turn class tracking on",
                       classes[0][1])
    for holder, _ in classes:
        ref(company, holder, "ClassRef", "Class")
    if doc.get("DepartmentRef"):
        if not _prefs(company).get("TrackDepartments"):
            raise QboError(6000, "Location tracking is turned off for this company (Preferences "
                                 "AccountingInfoPrefs TrackDepartments is false): remove the "
                                 "DepartmentRef or turn location tracking on", "DepartmentRef")
        ref(company, doc, "DepartmentRef", "Department")
