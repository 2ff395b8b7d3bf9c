"""Employees become QBO employees, matched to existing ones by name."""

from __future__ import annotations

from qbo_sync.entities.base import Column, EntitySpec, PayloadContext, field_column
from qbo_sync.entities.names import clean_name


def display_name(row: dict) -> str:
    return clean_name(f"{row.get('first_name', '')} {row.get('last_name', '')}")


def payload(row: dict, ctx: PayloadContext) -> dict:
    body = {"DisplayName": display_name(row), "GivenName": clean_name(row["first_name"]),
            "FamilyName": clean_name(row["last_name"]), "EmployeeNumber": row["employee_id"][:100],
            "Active": row.get("active", "true") != "false"}
    if row.get("email"):
        body["PrimaryEmailAddr"] = {"Address": row["email"]}
    if row.get("hourly_cost"):
        body["CostRate"] = float(row["hourly_cost"])
    return body


EMPLOYEES = EntitySpec(
    name="employees",
    matched_by="name",
    label="Employees",
    key="employee_id",
    noun="Employee",
    known_ids_parameter="known_employee_ids",
    source_columns=("employee_id", "first_name", "last_name", "email", "hourly_cost", "active", "updated_at"),
    required_columns=("employee_id", "first_name", "last_name"),
    qbo_entity="Employee",
    display_name=display_name,
    payload=payload,
    list_columns=("first_name", "last_name", "email", "active"),
    columns=(Column("Name", lambda row, _l: display_name(row), width="wide"),
             field_column("Employee id", "employee_id"), field_column("Email", "email", width="wide"),
             field_column("Active", "active", kind="flag")),
    pulls=("Customer", "Vendor", "Employee"),
)
