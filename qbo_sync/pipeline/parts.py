"""Records that become several QBO objects (a weekly timesheet: one TimeActivity per day).

Each part is tracked in Record.qbo_objects[part] = {"id", "sync_token", "hash"}, the hash
being that of the body last written. A push compares the record's parts now with what QBO
holds: a new part is created, a changed one updated (only it), a part gone (a day set to
zero) deleted. The record is Synced only when every part is.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import insert

from qbo_sync import statuses
from qbo_sync.db.models import Record, SyncAttempt
from qbo_sync.entities.base import EntitySpec, PayloadContext
from qbo_sync.pipeline import records as staged
from qbo_sync.qbo.engine import Operation

ADOPTED = "adopted"   # the key pipeline/adoption.py marks an adopted record with, in qbo_objects

PART_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
              "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}


def body_hash(body: dict) -> str:
    return hashlib.blake2b(json.dumps(body, sort_keys=True).encode(), digest_size=16).hexdigest()


def held_parts(record: Record) -> dict[str, dict]:
    """The parts QBO holds for the record (qbo_objects entries that are parts)."""
    return {k: v for k, v in (record.qbo_objects or {}).items()
            if isinstance(v, dict) and "hash" in v and v.get("id")}


def operations(spec: EntitySpec, record: Record, ctx: PayloadContext) -> list[Operation]:
    wanted = spec.parts(record.data, ctx)
    held = held_parts(record)
    ops = []
    for part, body in wanted.items():
        digest = body_hash(body)
        if part not in held:
            ops.append(Operation(f"{record.id}:{part}", spec.qbo_entity, "create", body,
                                 version=digest))
        elif held[part]["hash"] != digest:
            ops.append(Operation(f"{record.id}:{part}", spec.qbo_entity, "update",
                                 {**body, "Id": held[part]["id"], "SyncToken": held[part]["sync_token"],
                                  "sparse": True}, version=digest))
    for part, obj in held.items():
        if part not in wanted:
            ops.append(Operation(f"{record.id}:{part}", spec.qbo_entity, "delete",
                                 {"Id": obj["id"], "SyncToken": obj["sync_token"]},
                                 version=f"delete-{obj['sync_token']}"))
    return ops


def record_outcomes(db, spec: EntitySpec, records: dict[int, Record], operations: dict[str, Operation],
                    outcomes, flow_run_id, result, untouched: list[Record]) -> None:
    now = datetime.now(timezone.utc)
    by_record: dict[int, list] = {}
    for outcome in outcomes:
        by_record.setdefault(int(outcome.key.split(":")[0]), []).append(outcome)
    changes, attempts = [], []
    for record in untouched:   # every part already as QBO has it (an edit of another column)
        changes.append(_change(record, record.qbo_objects or {}, [], now, result))
    for record_id, found in by_record.items():
        record = records[record_id]
        objects = dict(record.qbo_objects or {})
        problems = []
        for outcome in found:
            op = operations[outcome.key]
            part = outcome.key.split(":", 1)[1]
            if outcome.ok and op.action == "delete":
                objects.pop(part, None)
                result.deleted += 1
            elif outcome.ok:
                objects[part] = {"id": outcome.qbo_id, "sync_token": outcome.sync_token, "hash": op.version}
                if op.action == "create":
                    result.created += 1
                else:
                    result.updated += 1
            else:
                plain = outcome.fault.plain if outcome.fault else "unknown failure"
                problems.append(f"{PART_NAMES.get(part, part)}: {plain}")
            attempts.append(dict(record_id=record.id, flow_run_id=flow_run_id, attempted_at=now,
                                 operation=op.action, qbo_entity=spec.qbo_entity, part=part,
                                 outcome="synced" if outcome.ok else "failed",
                                 qbo_id=outcome.qbo_id or (op.body.get("Id")),
                                 message="" if outcome.ok else problems[-1],
                                 request=outcome.request, response=outcome.response))
        if problems:
            result.failed.append((record.source_id, "; ".join(problems)))
        changes.append(_change(record, objects, problems, now, result))
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)
        if attempts:
            session.execute(insert(SyncAttempt), attempts)


def _change(record: Record, objects: dict, problems: list[str], now, result) -> dict:
    held = [v["id"] for v in objects.values() if isinstance(v, dict) and v.get("id")]
    ok = not problems
    if ok and ADOPTED in objects:   # linked to the objects QBO held before (pipeline/adoption.py)
        objects = {k: v for k, v in objects.items() if k != ADOPTED}
        result.linked += 1
    return dict(b_id=record.id, **(statuses.synced() if ok else statuses.failed(record.reasons, problems)),
                qbo_id=held[0] if held else None, sync_token=None, qbo_objects=objects,
                synced_hash=record.content_hash if ok else record.synced_hash,
                synced_at=now if ok else record.synced_at)
