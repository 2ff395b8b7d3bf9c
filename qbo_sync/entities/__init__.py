"""The registry of entities, in the order their records are pushed."""

from __future__ import annotations

from qbo_sync.entities.base import EntitySpec
from qbo_sync.entities.cost_codes import COST_CODES
from qbo_sync.entities.employees import EMPLOYEES
from qbo_sync.entities.projects import PROJECTS
from qbo_sync.entities.purchase_orders import PURCHASE_ORDERS
from qbo_sync.entities.timesheets import TIMESHEETS
from qbo_sync.entities.vendor_bills import VENDOR_BILLS
from qbo_sync.entities.vendors import VENDORS

# The entity costs are charged to and counted per (the run report's job cost): the job.
JOB = "projects"
# The job cost's amount column, as the run report heads it: what bills charged each job.
JOB_AMOUNT = "Bill amount"

# Reference entities first, then the transactions that point at them.
ENTITIES: dict[str, EntitySpec] = {spec.name: spec for spec in (
    PROJECTS, COST_CODES, EMPLOYEES, VENDORS, TIMESHEETS, PURCHASE_ORDERS, VENDOR_BILLS)}


def of_parts() -> list[EntitySpec]:
    """The entities whose records become several QBO objects (one per part, e.g. per day)."""
    return [spec for spec in ENTITIES.values() if spec.parts]


def get(name: str) -> EntitySpec:
    try:
        return ENTITIES[name]
    except KeyError:
        raise ValueError(f"unknown entity {name!r}: use one of {', '.join(ENTITIES)}") from None


def resolve(names: list[str] | None) -> list[EntitySpec]:
    """The entities asked for (all when none), in dependency order."""
    specs = [get(n) for n in names] if names else list(ENTITIES.values())
    ordered: list[EntitySpec] = []

    def visit(spec: EntitySpec) -> None:
        if spec in ordered:
            return
        for dep in spec.depends_on:
            if dep in ENTITIES and ENTITIES[dep] in specs:
                visit(ENTITIES[dep])
        ordered.append(spec)

    for spec in specs:
        visit(spec)
    return ordered
