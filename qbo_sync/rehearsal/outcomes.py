"""What QuickBooks did with each record in one run, read from the run's sync attempts.

A record is refused when any of its writes was (a Fault, or a name clash QuickBooks would
answer with 6240): the reason is the record's own after the run (what `status` and the
console show), in the same words a real run stores.
"""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync.db.models import Record, SyncAttempt
from qbo_sync.statuses import reason_texts

REFUSED = "refused"
# The operation each attempt carried, as the report says it.
DONE = {"create": "created", "update": "updated", "link": "linked", "delete": "deleted"}
REFUSALS = ("failed", "needs_action")


def record_outcomes(db, flow_run_id: str | None) -> list[dict]:
    """[{entity, source_id, name, outcome, reason, qbo_id}] in the order the records were written."""
    query = (select(Record.entity, Record.source_id, Record.name, Record.qbo_id, Record.reasons,
                    SyncAttempt.operation, SyncAttempt.outcome, SyncAttempt.message)
             .join(SyncAttempt, SyncAttempt.record_id == Record.id)
             .where(SyncAttempt.flow_run_id == flow_run_id).order_by(SyncAttempt.id))
    found: dict[tuple[str, str], dict] = {}
    with db.session() as session:
        for row in session.execute(query):
            entry = found.setdefault((row.entity, row.source_id), {
                "entity": row.entity, "source_id": row.source_id, "name": row.name, "qbo_id": row.qbo_id or "",
                "done": [], "reasons": []})
            if row.outcome in REFUSALS:
                if not entry.get("refused"):
                    entry["reasons"] = reason_texts(row.reasons or [])   # the record's plain reasons, else QBO's
                entry["refused"] = True
                if not row.reasons and row.message and row.message not in entry["reasons"]:
                    entry["reasons"].append(row.message)
            elif row.outcome == "in_doubt":
                entry["reasons"].append("QuickBooks did not answer; the next run settles it")
            else:
                done = DONE.get(row.operation, row.operation)
                if done not in entry["done"]:
                    entry["done"].append(done)
    return [_plain(entry) for entry in found.values()]


def _plain(entry: dict) -> dict:
    refused = entry.pop("refused", False)
    done, reasons = entry.pop("done"), entry.pop("reasons")
    entry["outcome"] = REFUSED if refused else (", ".join(done) or "in doubt")
    entry["reason"] = "; ".join(reasons) if refused or not done else ""
    return entry


def refusals(outcomes: list[dict]) -> list[dict]:
    return [o for o in outcomes if o["outcome"] == REFUSED]
