"""QBO Projects through Intuit's GraphQL Project API (POST /graphql).

Not a GraphQL engine: the operation is recognised by its field name and the input read
from `variables.input`. projectManagementCreateProject creates a Customer with
IsProject true, Job true, ParentRef = the given customer; projectManagementUpdateProject
changes it; projectManagementProjects lists projects (the first `first`, as edges). With
Preferences OtherPrefs ProjectsEnabled false the answer is a GraphQL error, as Intuit
gives for a company without Projects.

Intuit offers the Projects API to some partner tiers only, and only to tokens with the
project-management.project scope. A realm created with projects_api "tier" or "scope"
refuses every Projects operation with HTTP 403, as Intuit refuses such an app.
"""

from __future__ import annotations

from qbo_sync.sandbox.company import Company
from qbo_sync.sandbox.faults import QboError

STATUSES = {"OPEN", "IN_PROGRESS", "COMPLETED", "CANCELED", "ON_HOLD"}
NOT_ENABLED = ("Projects are not enabled for this company. Turn on Projects in QuickBooks "
               "Online (Settings > Account and settings > Advanced > Projects).")


# realm setting projects_api -> the refusal's message (None: the API answers).
PROJECTS_API = {
    "allowed": None,
    "tier": ("The Projects API is not available for this app's Intuit App Partner Program tier "
             "(Silver, Gold or Platinum is required)"),
    "scope": "The access token does not have the required scope project-management.project",
}


def refusal(company: Company) -> dict | None:
    """The 403 answer when this realm's Projects API refuses the app, else None."""
    message = PROJECTS_API.get((company.record or {}).get("projects_api") or "allowed")
    return error(message, "FORBIDDEN") if message else None


def error(message: str, code: str, path: str | None = None) -> dict:
    body = {"message": message, "extensions": {"code": code}}
    if path:
        body["path"] = [path]
    return {"errors": [body], "data": None}


def handle(company: Company, payload) -> dict:
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return error("The request must be JSON with a string 'query'", "BAD_REQUEST")
    variables = payload.get("variables") or {}
    text = payload["query"]
    for field, run in (("projectManagementCreateProject", _create),
                       ("projectManagementUpdateProject", _update),
                       ("projectManagementProjects", _list)):
        if field in text:
            break
    else:
        return error("Only projectManagementCreateProject, projectManagementUpdateProject and "
                     "projectManagementProjects are served by the sandbox", "UNSUPPORTED_OPERATION")
    if not company.projects_enabled:
        return error(NOT_ENABLED, "PROJECTS_NOT_ENABLED", field)
    if run is _list:
        return {"data": {field: run(company, variables if isinstance(variables, dict) else {})}}
    data = variables.get("input") if isinstance(variables, dict) else None
    if not isinstance(data, dict):
        return error("Variable 'input' is required", "BAD_USER_INPUT", field)
    try:
        return {"data": {field: run(company, data)}}
    except QboError as exc:
        return error(exc.fault()["Error"][0]["Detail"], str(exc.code), field)


def _meta_ns(company: Company) -> str:
    return f"r:{company.realm}:_project"


def _answer(company: Company, customer: dict) -> dict:
    meta = company.store.get(_meta_ns(company), customer["Id"], {})
    return {"id": customer["Id"], "name": customer["DisplayName"],
            "description": meta.get("description"), "status": meta.get("status", "IN_PROGRESS"),
            "startDate": meta.get("startDate"), "dueDate": meta.get("dueDate"),
            "customer": {"id": customer["ParentRef"]["value"]},
            "syncToken": customer["SyncToken"]}


def _check_status(status) -> None:
    if status is not None and status not in STATUSES:
        raise QboError(2010, f"status must be one of {', '.join(sorted(STATUSES))}")


def _create(company: Company, data: dict) -> dict:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise QboError(2020, "Required field input.name is missing")
    customer_id = (data.get("customer") or {}).get("id") if isinstance(data.get("customer"), dict) else None
    if not customer_id:
        raise QboError(2020, "Required field input.customer.id is missing")
    parent = company.get("Customer", str(customer_id))
    if parent is None or parent.get("IsProject"):
        raise QboError(2500, f"Invalid Reference Id : customer {customer_id} does not exist or is a project")
    _check_status(data.get("status"))
    body = {"DisplayName": name.strip(), "Job": True, "BillWithParent": False,
            "ParentRef": {"value": str(customer_id)}}
    if data.get("description"):
        body["Notes"] = data["description"]
    customer = company.create("Customer", body, project=True)
    company.store.put(_meta_ns(company), customer["Id"], {
        "description": data.get("description"), "status": data.get("status") or "IN_PROGRESS",
        "startDate": data.get("startDate"), "dueDate": data.get("dueDate")})
    return _answer(company, customer)


def _list(company: Company, variables: dict) -> dict:
    """Projects; the variable `first` caps how many."""
    first = variables.get("first") if isinstance(variables.get("first"), int) else 100
    projects = [c for c in company.all("Customer") if c.get("IsProject")][:max(0, first)]
    return {"edges": [{"node": _answer(company, c)} for c in projects]}


def _update(company: Company, data: dict) -> dict:
    project_id = str(data.get("id") or "")
    current = company.get("Customer", project_id) if project_id else None
    if current is None or not current.get("IsProject"):
        raise QboError(610, f"Object Not Found : project {project_id or '(no id)'}")
    _check_status(data.get("status"))
    change = {"Id": current["Id"], "SyncToken": current["SyncToken"]}
    if data.get("name"):
        change["DisplayName"] = data["name"]
    if data.get("description") is not None:
        change["Notes"] = data["description"]
    customer = company.update("Customer", change, sparse=True)
    meta = dict(company.store.get(_meta_ns(company), project_id, {}))
    for key in ("description", "status", "dueDate", "startDate"):
        if data.get(key) is not None:
            meta[key] = data[key]
    company.store.put(_meta_ns(company), project_id, meta)
    return _answer(company, customer)
