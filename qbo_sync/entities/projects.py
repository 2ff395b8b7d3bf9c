"""Projects become QBO customers, sub-customers of their client, or QBO Projects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qbo_sync.entities.base import EntitySpec, LinkRule, PayloadContext, RefTarget, field_column
from qbo_sync.entities.names import clean_name

if TYPE_CHECKING:   # a type only: listing entities must not load the settings machinery
    from qbo_sync.settings import SyncSettings

CLIENT = LinkRule(
    role="customer",
    qbo_entity="Customer",
    match_column="client_name",
    missing_reason="Select the QBO customer (the client) for this project",
    top_level_only=True,
)


def _notes(row: dict) -> str:
    parts = [f"Project {row['number']}" if row.get("number") else "Project",
             row.get("status", "")]
    if row.get("start_date"):
        parts.append(f"{row['start_date']} to {row.get('end_date') or 'open'}")
    return " · ".join(p for p in parts if p)


def payload(row: dict, ctx: PayloadContext) -> dict:
    client = ctx.links["customer"]
    name = clean_name(row["name"])
    mode = ctx.sync.project_mode
    if mode == "project":
        # Variables of the GraphQL projectManagementCreateProject mutation.
        body = {"name": name, "description": _notes(row), "customer": {"id": client.qbo_id}}
        if row.get("start_date"):
            body["startDate"] = row["start_date"]
        if row.get("end_date"):
            body["dueDate"] = row["end_date"]
        return body
    body = {"DisplayName": name, "Notes": _notes(row)}
    if row.get("address"):
        body["BillAddr"] = {"Line1": row["address"]}
    if mode == "sub-customer":
        body.update(Job=True, ParentRef={"value": client.qbo_id},
                    BillWithParent=ctx.sync.bill_with_parent)
    else:
        body["CompanyName"] = client.name
    return body


def project_ref(sync: SyncSettings, project: RefTarget) -> dict:
    """The ProjectRef of a transaction charged to a project, in project mode ({} otherwise).

    A QBO Project is a Customer (its id is the customer id), so CustomerRef alone already
    charges it; ProjectRef (minor version 69+, and we send 75) names it as the project too.
    A project linked to an existing sub-customer (pipeline/project_links.py) has no QBO
    project to name: QBO refuses a ProjectRef to a sub-customer.
    """
    if sync.project_mode != "project" or project.sub_customer:
        return {}
    return {"ProjectRef": {"value": project.qbo_id}}


def subcustomer_fields(project_input: dict) -> dict:
    """The Customer fields (REST) that a project's GraphQL input sets: for a project linked to
    an existing sub-customer, which only QuickBooks itself can turn into a project."""
    return {"DisplayName": project_input["name"], "Notes": project_input.get("description") or ""}


def writer(sync: SyncSettings) -> str:
    return "project" if sync.project_mode == "project" else "rest"


PROJECTS = EntitySpec(
    name="projects",
    label="Projects",
    key="project_id",
    noun="Project",
    known_ids_parameter="known_project_ids",
    source_columns=("project_id", "name", "number", "client_name", "status",
                    "start_date", "end_date", "address", "updated_at"),
    required_columns=("project_id", "name", "client_name", "status"),
    qbo_entity="Customer",
    display_name=lambda row: clean_name(row.get("name", "")),
    payload=payload,
    list_columns=("number", "client_name", "status", "start_date", "end_date"),
    columns=(field_column("Name", "name", width="wide"), field_column("Number", "number"),
             field_column("Client", "client_name", width="wide"), field_column("Project status", "status"),
             field_column("Start date", "start_date", kind="date"),
             field_column("End date", "end_date", kind="date")),
    links=(CLIENT,),
    writer=writer,
    rest_fields=subcustomer_fields,
)
