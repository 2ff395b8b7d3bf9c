"""Cost codes become QBO service items, expense accounts or classes, as the mapping says.

The target is chosen per cost code type with per-code overrides (config/mappings.yaml,
qbo_sync.mappings.CostCodeMapping); an existing QBO object of the same name is linked
(by the map stage), not duplicated.
"""

from __future__ import annotations

from qbo_sync.entities.base import Column, EntitySpec, Listed, PayloadContext, field_column
from qbo_sync.entities.names import clean_name


def target_of(row: dict, mappings) -> str:
    return mappings.cost_codes.target_of(row)[0]


TARGET_LABELS = {"Item": "Service item", "Account": "Expense account", "Class": "Class"}


def qbo_target(row: dict, listed: Listed) -> str:
    """Where the cost code lands in QBO: the object it was synced to, else what the mapping says."""
    synced = (listed.qbo_objects.get("target") or {}).get("entity")
    if synced:
        return TARGET_LABELS.get(synced, synced)
    if listed.mappings is None:
        return ""
    entity, name = listed.mappings.cost_codes.target_of(row)
    return f"{TARGET_LABELS.get(entity, entity)}: {name}"


def payload(row: dict, ctx: PayloadContext) -> dict:
    mapping = ctx.mappings.cost_codes
    entity, name = mapping.target_of(row)
    active = row.get("active", "true") != "false"
    if entity == "Item":
        return {"Name": name, "Type": "Service", "Active": active,
                "Description": f"Cost code {row['code']}",
                "IncomeAccountRef": {"value": ctx.accounts[mapping.item_income_account]},
                "ExpenseAccountRef": {"value": ctx.accounts[mapping.item_expense_account]}}
    if entity == "Account":
        return {"Name": name, "AccountType": mapping.account_type, "Active": active,
                "Description": f"Cost code {row['code']}"}
    return {"Name": name, "Active": active}


COST_CODES = EntitySpec(
    name="cost_codes",
    matched_by="target",
    label="Cost codes",
    key="code",
    noun="Cost code",
    known_ids_parameter="known_cost_codes",
    source_columns=("code", "name", "type", "active", "updated_at"),
    required_columns=("code", "name", "type"),
    qbo_entity="Item",
    display_name=lambda row: clean_name(f"{row.get('code', '')} {row.get('name', '')}"),
    payload=payload,
    list_columns=("name", "type", "active"),
    columns=(field_column("Code", "code"), field_column("Name", "name", width="wide"),
             field_column("Type", "type"), Column("QBO target", qbo_target, width="wide"),
             field_column("Active", "active", kind="flag")),
    natural_key="Name",
    qbo_entity_of=target_of,
    pulls=("Item", "Account", "Class"),
)
