"""Vendors become QBO vendors, matched to existing ones by name."""

from __future__ import annotations

from qbo_sync.entities.base import EntitySpec, PayloadContext, field_column
from qbo_sync.entities.names import clean_name


def payload(row: dict, ctx: PayloadContext) -> dict:
    name = clean_name(row["name"])
    body = {"DisplayName": name, "CompanyName": name, "AcctNum": row["vendor_id"][:100],
            "Active": row.get("active", "true") != "false"}
    if row.get("email"):
        body["PrimaryEmailAddr"] = {"Address": row["email"]}
    if row.get("phone"):
        body["PrimaryPhone"] = {"FreeFormNumber": row["phone"]}
    return body


VENDORS = EntitySpec(
    name="vendors",
    matched_by="name",
    label="Vendors",
    key="vendor_id",
    noun="Vendor",
    known_ids_parameter="known_vendor_ids",
    source_columns=("vendor_id", "name", "email", "phone", "active", "updated_at"),
    required_columns=("vendor_id", "name"),
    qbo_entity="Vendor",
    display_name=lambda row: clean_name(row.get("name", "")),
    payload=payload,
    list_columns=("email", "phone", "active"),
    columns=(field_column("Name", "name", width="wide"), field_column("Email", "email", width="wide"),
             field_column("Phone", "phone", width="medium"), field_column("Active", "active", kind="flag")),
    pulls=("Customer", "Vendor", "Employee"),
)
