"""What became of the QBO objects of a record deleted in the source, in one finance sentence.

A record gone from the source stays staged (flag `deleted_in_source`) and stays visible:
`status`, `status --json`, the console and the run report all word it here, from the
record's own columns, so they cannot disagree. Pure: no database, no SQLAlchemy (read-only
verbs stay fast).
"""

from __future__ import annotations

from qbo_sync import statuses

LABEL = "Deleted in source"          # the status users see for such a record
STATUS = "deleted_in_source"         # that status in filters (`status --status "Deleted in source"`)
KEPT_BY_RULE = "deleted in the source; kept in QBO by rule"
TO_DELETE = "deleted in the source; deleted in QBO by rule"
DELETED = "deleted in the source; deleted in QBO"
NEVER_IN_QBO = "deleted in the source; never in QBO, nothing to do"


def describe(spec, record: dict, deleted_now: bool = False) -> dict:
    """{what, in_qbo, qbo_entity, qbo_ids, objects, hours|amount} for a record deleted in the source.

    record: status, reasons, qbo_id, qbo_objects, data (as stored). in_qbo: whether QBO still
    holds objects of it. deleted_now: this run deleted them (the report says so either way).
    """
    objects = record.get("qbo_objects") or {}
    held = [v["id"] for v in objects.values() if isinstance(v, dict) and "hash" in v and v.get("id")]
    if not held and record.get("qbo_id"):
        held = [record["qbo_id"]]
    gone = objects.get("deleted_in_qbo") or {}
    if held and record.get("status") == statuses.FAILED:
        what = "deleted in the source; not deleted in QBO: " + "; ".join(statuses.reason_texts(record.get("reasons")))
    elif held and spec.delete_rule is None:
        what = f"deleted in the source; kept in QBO (qbo-sync does not delete a {spec.qbo_entity})"
    elif held:
        decision = objects.get("deleted_in_source")
        what = KEPT_BY_RULE if decision == "kept" else (
            TO_DELETE + " (not pushed yet)" if decision == "delete" else "deleted in the source; still in QBO")
    elif gone or deleted_now:
        what = DELETED + (f" on {gone['at'][:10]}" if gone.get("at") and not deleted_now else "")
    else:
        what = NEVER_IN_QBO
    ids = held or gone.get("ids") or ([gone["id"]] if gone.get("id") else [])
    return {"what": what, "in_qbo": bool(held), "qbo_entity": spec.qbo_entity, "qbo_ids": ids,
            "objects": len(ids), **spec.measures(record.get("data") or {})}


def sentence(found: dict) -> str:
    """describe()'s answer as one line: "…kept in QBO by rule: 5 TimeActivities, 40.00 hours"."""
    if not found["objects"]:
        return found["what"]
    facts = [f"{found['objects']} {plural(found['qbo_entity'], found['objects'])}"]
    if "hours" in found:
        facts.append(f"{found['hours']:,.2f} hours")
    if "amount" in found:
        facts.append(f"amount {found['amount']:,.2f}")
    return f"{found['what']} — {', '.join(facts)}"


def is_status(text: str) -> bool:
    """Whether a status as a user types it means this one ("Deleted in source", "deleted-in-source")."""
    return text.strip().lower().replace("-", " ").replace("_", " ") in (LABEL.lower(), "deleted")


def plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
