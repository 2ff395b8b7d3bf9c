"""Classes and locations on transactions, from the mapping (mappings.yaml classes, locations).

A cost code's class goes on the bill lines and the time that use it; a project's location
(QBO Department) goes on its bills. The names were checked against QBO and the company's
Preferences before the run wrote anything (pipeline/tracking.py).
"""

from __future__ import annotations

from qbo_sync.entities.base import PayloadContext, RefTarget


def class_ref(ctx: PayloadContext, cost_code: RefTarget | None) -> dict | None:
    """The mapped class of a cost code as a ClassRef (None: the mapping names none)."""
    name = ctx.mappings.classes.class_of(cost_code.data) if cost_code is not None else ""
    return {"value": ctx.accounts[("Class", name)]} if name else None


def location_ref(ctx: PayloadContext, project_id: str) -> dict | None:
    """The mapped location of a project as a DepartmentRef (None: the mapping names none)."""
    name = ctx.mappings.locations.location_of(project_id)
    return {"value": ctx.accounts[("Department", name)]} if name else None
