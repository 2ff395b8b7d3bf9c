"""GET /cdc: objects changed since a time, deletions as status Deleted.

As in QBO (changedatacapture page, "Limits and throttles"): at most 30 days back, at most
1,000 objects per answer, and TimeActivity left out (reported not covered by CDC).
"""

from __future__ import annotations

from qbo_sync.sandbox.clock import parse_time
from qbo_sync.sandbox.company import Company
from qbo_sync.sandbox.faults import QboError
from qbo_sync.sandbox.operations import entity_named

NOT_COVERED = {"TimeActivity", "CompanyInfo", "Preferences"}


def changes(company: Company, entities: str | None, changed_since: str | None, *,
            now: float, lookback_days: int, max_objects: int) -> dict:
    if not entities:
        raise QboError(2020, "Required parameter entities is missing in the request", "entities")
    if not changed_since:
        raise QboError(2020, "Required parameter changedSince is missing in the request",
                       "changedSince")
    try:
        since = parse_time(changed_since)
    except ValueError:
        raise QboError(2010, f"Property Name:changedSince {changed_since!r} is not an ISO 8601 "
                             "time", "changedSince") from None
    if since < now - lookback_days * 86400:
        raise QboError(6000, f"changedSince cannot be more than {lookback_days} days in the past",
                       "changedSince")
    names = [entity_named(name.strip()) for name in entities.split(",") if name.strip()]
    budget, blocks = max_objects, []
    for entity in names:
        if entity in NOT_COVERED:
            continue
        found = [doc for doc in company.all(entity)
                 if parse_time(doc["MetaData"]["LastUpdatedTime"]) >= since]
        found += [{"Id": t["Id"], "status": "Deleted", "domain": "QBO",
                   "MetaData": {"LastUpdatedTime": t["at"]}}
                  for t in company.deleted() if t["entity"] == entity and parse_time(t["at"]) >= since]
        found = found[:budget]
        budget -= len(found)
        company.reads[entity] += 1
        blocks.append({entity: found, "startPosition": 1, "maxResults": len(found)} if found else {})
    return {"CDCResponse": [{"QueryResponse": blocks}]}
