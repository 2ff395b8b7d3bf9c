"""Stale SyncToken (5010): which QBO-side changes a sparse update may safely be written over.

The rule (docs/push-engine.md): refetch the object; if the fields QBO changed since our
last write are none of the fields our payload sets, reapply the update with the new
SyncToken; otherwise the record is Needs Action with the conflicting fields.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from qbo_sync.db.models import SyncAttempt
from qbo_sync.qbo.engine import Operation, Outcome

STALE = "5010"
NOT_OURS = {"Id", "SyncToken", "sparse"}      # what every update carries, not a field we own


def is_stale(outcome: Outcome, op: Operation) -> bool:
    """A REST sparse update QBO refused because the object changed since we read it."""
    return (not outcome.ok and outcome.fault is not None and outcome.fault.code == STALE
            and op.action == "update" and op.writer == "rest" and bool(op.body.get("Id")))


def conflicting_fields(body: dict, baseline: dict | None, current: dict) -> list[str]:
    """Fields of our payload that QBO changed since `baseline` (the object after our last write).

    Without a baseline there is no telling who changed what, so every field we set whose
    value QBO holds differently counts as a conflict (never overwrite blindly).
    """
    owned = [k for k in body if k not in NOT_OURS]
    if baseline is None:
        return sorted(k for k in owned if not _same(body[k], current.get(k), body[k]))
    # A field QBO already holds as we would set it loses nothing: such as our own write whose
    # answer a killed run never recorded.
    return sorted(k for k in owned if not _same(baseline.get(k), current.get(k), body[k])
                  and not _same(body[k], current.get(k), body[k]))


def _same(before, after, ours) -> bool:
    """Equal as far as our payload's shape goes: in a reference {"value": ...} QBO's "name" is not ours."""
    if isinstance(ours, dict) and isinstance(before, dict) and isinstance(after, dict):
        return all(_same(before.get(k), after.get(k), v) for k, v in ours.items())
    return _normal(before) == _normal(after)


def _normal(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def reapplied(op: Operation, sync_token: str) -> Operation:
    """The same sparse update on QBO's current version; a new request id (the version is part of
    it), since QBO would answer the old id with its first answer, the 5010."""
    return replace(op, body={**op.body, "SyncToken": sync_token}, version=f"{op.version}:{sync_token}")


def baselines(db, record_ids: list[int]) -> dict[int, dict]:
    """Each record's QBO object as QBO answered its last successful write."""
    found: dict[int, dict] = {}
    with db.session() as session:
        for start in range(0, len(record_ids), 500):
            rows = session.execute(
                select(SyncAttempt.record_id, SyncAttempt.qbo_entity, SyncAttempt.response)
                .where(SyncAttempt.record_id.in_(record_ids[start:start + 500]),
                       SyncAttempt.outcome == "synced", SyncAttempt.operation.in_(("create", "update")))
                .order_by(SyncAttempt.id))
            for record_id, entity, response in rows:
                obj = (response or {}).get(entity)
                if isinstance(obj, dict):
                    found[record_id] = obj       # later attempts win
    return found
