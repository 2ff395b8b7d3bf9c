"""A duplicate-name refusal (QBO 6240) in words a finance person can act on.

QBO answers "Another customer, vendor or employee is already using this name ... : Id=7":
an id nobody in finance can look up. The reference copy (qbo_refs) holds that object, so
the reason names it and says what it is: customer, sub-customer (and whose), project,
vendor or employee.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from qbo_sync.db.models import QboRef
from qbo_sync.entities.names import name_key
from qbo_sync.qbo import lists
from qbo_sync.qbo.faults import QboFault

NAME_LISTS = lists.SHARED_NAME_LISTS
_ID = re.compile(r"Id=(\d+)")


def describe(session, fault: QboFault, name: str) -> str:
    """The plain reason for a 6240 on a write named `name`."""
    found = _clashing(session, fault, name)
    if found is None:   # not in the copy (e.g. vendors were not pulled in this run): the name at least
        return (f'QuickBooks already has a customer, vendor or employee named "{name}" (names must be unique '
                f"across all three). Rename this record in the source system, or link it to that one if it "
                f"is the same.")
    kind = _kind(found)
    whose = ""
    if kind in ("sub-customer", "project") and found.parent_id:
        parent = session.get(QboRef, (found.entity, found.parent_id))   # a parent is in its child's list
        whose = f" of {parent.name}" if parent is not None else ""
    return (f'QuickBooks already has a {kind} named "{found.name}"{whose}, and names must be unique across '
            f"{lists.SHARED_NAMES}. Rename this record in the source system, or link it to "
            f"that {kind} if it is the same one.")


def _clashing(session, fault: QboFault, name: str) -> QboRef | None:
    refs = list(session.scalars(select(QboRef).where(QboRef.entity.in_(NAME_LISTS))))
    same_name = [r for r in refs if name and name_key(r.name) == name_key(name)]
    match = _ID.search(f"{fault.detail} {fault.message}")
    if match and len(same_name) > 1:
        # Ids are per entity in QBO (a Customer 7 and a Vendor 7), so the id only narrows the name.
        same_name = [r for r in same_name if r.qbo_id == match.group(1)]
    return same_name[0] if len(same_name) == 1 else None


def _kind(ref: QboRef) -> str:
    if ref.entity == lists.CUSTOMER:
        if (ref.data or {}).get("IsProject"):
            return "project"
        return "sub-customer" if ref.parent_id else "customer"
    return ref.entity.lower()
