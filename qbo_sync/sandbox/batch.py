"""POST /batch: up to 30 operations, each answered on its own by its bId.

Intuit's batch page: items may be create, update, delete or a Query; a failing item
gets its own Fault and does not stop the others; more items than allowed is error 1040.
"""

from __future__ import annotations

from qbo_sync.sandbox.company import Company
from qbo_sync.sandbox.entities import ENTITIES
from qbo_sync.sandbox.faults import QboError
from qbo_sync.sandbox.operations import query, write

BATCH_REQUESTID_MAX = 36
BID_MAX_WITH_REQUESTID = 10
ENTITY_KEYS = set(ENTITIES.values())


def run_batch(company: Company, body, *, max_items: int, requestid: str | None) -> dict:
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise QboError(2020, "Required parameter BatchItemRequest is missing in the request",
                       "BatchItemRequest")
    if len(items) > max_items:
        raise QboError(1040, f"Batch size {len(items)} exceeds the allowed limit of {max_items}")
    if requestid is not None:
        if len(requestid) > BATCH_REQUESTID_MAX:
            raise QboError(2050, f"requestid of a batch is at most {BATCH_REQUESTID_MAX} "
                                 f"characters; got {len(requestid)}", "requestid")
        for item in items:
            if isinstance(item, dict) and len(str(item.get("bId", ""))) > BID_MAX_WITH_REQUESTID:
                raise QboError(2050, f"bId is at most {BID_MAX_WITH_REQUESTID} characters when "
                                     "the batch carries a requestid", "bId")
    return {"BatchItemResponse": [_one(company, item) for item in items]}


def _one(company: Company, item) -> dict:
    bid = item.get("bId") if isinstance(item, dict) else None
    try:
        if not bid:
            raise QboError(2020, "Required parameter bId is missing in the request", "bId")
        if "Query" in item:
            if not isinstance(item["Query"], str):
                raise QboError(2010, "Property Name:Query must be a query string", "Query")
            _, result = query(company, item["Query"])
            return {"bId": bid, "QueryResponse": result}
        keys = [key for key in item if key in ENTITY_KEYS]
        if len(keys) != 1:
            raise QboError(2010, "Property Name:a batch item holds exactly one object or a Query")
        entity, obj, operation = keys[0], item[keys[0]], item.get("operation")
        if operation == "update" and isinstance(obj, dict) and not obj.get("Id"):
            raise QboError(2020, "Required parameter Id is missing in the request", "Id")
        if operation == "create" and isinstance(obj, dict):
            obj = {k: v for k, v in obj.items() if k not in ("Id", "SyncToken")}
        return {"bId": bid, **write(company, entity, obj, "delete" if operation == "delete" else None)}
    except QboError as error:
        return {"bId": bid, "Fault": error.fault()}
