"""Deletes: records deleted in the source, their QBO objects deleted by the entity's rule."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from qbo_sync import statuses
from qbo_sync.db.models import Record
from qbo_sync.pipeline import parts
from qbo_sync.pipeline.outcomes import failed, save
from qbo_sync.pipeline.preview import DELETE, PreviewRow
from qbo_sync.pipeline.push_run import PushRun, record_of
from qbo_sync.qbo.engine import Operation, Outcome


def delete_records(run: PushRun, rows: list[PreviewRow]) -> None:
    """Delete the QBO objects of records deleted in the source (Id and SyncToken only): a
    record's one object, or every object a record of parts holds (one operation each)."""
    spec = run.spec
    with run.db.session() as session:
        records = list(session.scalars(select(Record).where(
            Record.id.in_([r.record_id for r in rows]), Record.deleted_in_source.is_(True),
            Record.qbo_id.is_not(None))))
    by_id = {r.id: r for r in records}
    ops: dict = {}
    for r in records:
        held = parts.held_parts(r) if spec.parts else {None: {"id": r.qbo_id, "sync_token": r.sync_token}}
        for part, obj in held.items():
            key = r.id if part is None else f"{r.id}:{part}"
            ops[key] = Operation(key=key, qbo_entity=spec.qbo_entity, action=DELETE,
                                 body={"Id": obj["id"], "SyncToken": obj["sync_token"]},
                                 version=f"delete:{obj['sync_token']}")
    expected: dict[int, int] = {}
    for key in ops:
        expected[record_of(key)] = expected.get(record_of(key), 0) + 1
    waiting: dict[int, list[Outcome]] = {}

    def settle(outcomes: list[Outcome]) -> None:
        # A record is written once all its objects are back (as outcomes.Settler does for writes).
        complete = []
        for outcome in outcomes:
            got = waiting.setdefault(record_of(outcome.key), [])
            got.append(outcome)
            if len(got) == expected[record_of(outcome.key)]:
                complete.append(waiting.pop(record_of(outcome.key)))
        if complete:
            _record_deletions(run, by_id, ops, complete)
        run.settled([o.key for o in outcomes])

    run.send(list(ops.values()), on_outcomes=settle)


def _record_deletions(run: PushRun, records: dict, ops: dict, per_record: list[list[Outcome]]) -> None:
    """per_record: the outcomes of all of one record's delete operations, for each record."""
    now = datetime.now(timezone.utc)
    result = run.result
    changes, attempts = [], []
    for outcomes in per_record:
        record = records[record_of(outcomes[0].key)]
        remaining = dict(record.qbo_objects or {})
        deleted, problems = [], []
        for outcome in outcomes:
            op = ops[outcome.key]
            part = str(outcome.key).split(":", 1)[1] if ":" in str(outcome.key) else None
            # 610: already gone (deleted by hand, or by a run whose answer was lost): the goal is met.
            gone = outcome.ok or (outcome.fault is not None and outcome.fault.code == "610")
            if gone:
                deleted.append(op.body["Id"])
                remaining.pop(part, None)
            else:
                plain = outcome.fault.plain if outcome.fault else "unknown failure"
                if outcome.fault is not None and outcome.fault.code == "5010":
                    plain = ("Changed in QuickBooks since the last sync, so it was not deleted: review it in "
                             "QuickBooks and delete it there if it should go")
                problems.append(f"{parts.PART_NAMES.get(part, part)}: {plain}" if part else plain)
            attempts.append(dict(record_id=record.id, flow_run_id=run.flow_run_id, attempted_at=now,
                                 operation=DELETE, qbo_entity=op.qbo_entity, part=part,
                                 outcome="deleted" if gone else "failed", qbo_id=op.body["Id"],
                                 message="" if outcome.ok else (outcome.fault.plain if outcome.fault else ""),
                                 request=op.body, response=outcome.response))
        result.deleted += len(deleted)
        if not problems:
            result.deleted_ids.append(record.source_id)
            # Not linked to a QBO object any more: should the record come back in the source, it is created again.
            changes.append(dict(b_id=record.id, **statuses.unlinked(), qbo_id=None,
                                sync_token=None, synced_hash=None, synced_at=record.synced_at,
                                qbo_objects={"deleted_in_qbo": {"id": deleted[0], "ids": deleted,
                                                                "at": now.isoformat(),
                                                                "flow_run_id": run.flow_run_id}}))
        else:
            result.failed.append((record.source_id, "; ".join(problems)))
            refused = failed(record, "; ".join(problems))
            if ":" in str(outcomes[0].key):   # a record of parts keeps the objects still in QBO, and only those
                still = [v["id"] for v in parts.held_parts(record).values() if v["id"] not in deleted]
                refused.update(qbo_objects=remaining, qbo_id=still[0] if still else None)
            changes.append(refused)
    save(run.db, changes, attempts)
