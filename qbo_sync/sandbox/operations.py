"""The v3 operations shared by single requests and batch items: write, read, query."""

from __future__ import annotations

from qbo_sync.sandbox import query as qlang
from qbo_sync.sandbox.clock import COMPANY_TZ
from qbo_sync.sandbox.company import Company
from qbo_sync.sandbox.entities import ENTITIES, NAME_LISTS, WRITABLE
from qbo_sync.sandbox.faults import QboError

SINGLETONS = {"CompanyInfo", "Preferences"}


def entity_named(name: str) -> str:
    entity = ENTITIES.get(name.lower())
    if entity is None:
        raise QboError(500, f"Operation Could not find resource for relative : {name} "
                            "is not supported.")
    return entity


def write(company: Company, entity: str, body, operation: str | None) -> dict:
    """Create, update (full or sparse) or delete; answers {Entity: object}."""
    if not isinstance(body, dict):
        raise QboError(2010, f"Property Name:the request body must be a {entity} object")
    if entity in SINGLETONS:
        if operation:
            raise QboError(500, f"Operation {operation} is not supported for {entity}")
        return {entity: update_singleton(company, entity, body)}
    if entity not in WRITABLE:
        raise QboError(500, f"Operation write is not supported for {entity}")
    if operation == "delete":
        return {entity: company.delete(entity, body)}
    if operation == "void":
        return {entity: company.void(entity, body)}
    if operation not in (None, "", "create", "update"):
        raise QboError(500, f"Operation {operation} is not supported for {entity}")
    sparse = str(body.get("sparse", "false")).lower() == "true"
    if body.get("Id") not in (None, "", 0, "0"):
        return {entity: company.update(entity, body, sparse=sparse)}
    return {entity: company.create(entity, body)}


def update_singleton(company: Company, entity: str, body: dict) -> dict:
    """CompanyInfo and Preferences: updates merge the sections sent (as QBO's sparse)."""
    current = company.get(entity, "1")
    token = body.get("SyncToken")
    if token is not None and str(token) != current["SyncToken"]:
        raise QboError(5010, f"Stale Object Error : sent SyncToken {token}, current "
                             f"{current['SyncToken']}", "SyncToken")
    merged = {k: v for k, v in current.items() if k not in ("MetaData",)}
    for key, value in body.items():
        if key in ("Id", "SyncToken", "MetaData", "domain", "sparse") or value in (None, ""):
            continue
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return company.put_singleton(entity, merged)


def read(company: Company, entity: str, obj_id: str) -> dict:
    doc = company.get(entity, obj_id)
    if doc is None:
        raise QboError(610, f"Object Not Found : {entity} {obj_id} was not found or has been deleted")
    company.reads[entity] += 1
    return {entity: doc}


def query(company: Company, text: str) -> tuple[str | None, dict]:
    """Run a QBO query; answers (entity, QueryResponse body)."""


    if not text or not text.strip():
        raise QboError(4000, "QueryParserError: the query is empty")
    try:
        parsed = qlang.parse(text)
    except qlang.QueryError as exc:
        raise QboError(4000, f"QueryParserError: {exc}") from None
    entity = ENTITIES.get(parsed.entity.lower())
    if entity is None:
        raise QboError(4001, f"QueryValidationError: Invalid context declaration : {parsed.entity}")
    rows = company.all(entity)
    if entity in NAME_LISTS and not qlang.filters_on(parsed, "Active"):
        # QBO lists only active name-list objects unless the query asks about Active.
        rows = [row for row in rows if row.get("Active", True)]
    company.reads[entity] += 1
    try:
        if parsed.count:
            return entity, {"totalCount": qlang.count(parsed, rows, naive_tz=COMPANY_TZ)}
        result = qlang.execute(parsed, rows, naive_tz=COMPANY_TZ)
    except qlang.QueryError as exc:
        raise QboError(4000, f"QueryParserError: {exc}") from None
    if not result:
        return entity, {}
    return entity, {entity: result, "startPosition": parsed.start_position,
                    "maxResults": len(result)}
