"""Outcomes: QBO's answers settled into the staged records and their sync attempts."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record, SyncAttempt
from qbo_sync.pipeline import adoption, name_clash, parts, stale
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.preview import CREATE
from qbo_sync.pipeline.push_run import PushResult, PushRun, record_of
from qbo_sync.qbo import references
from qbo_sync.qbo.engine import Operation, Outcome
from qbo_sync.qbo.reader import QboReadError


class Settler:
    """Records outcomes as each request settles, so a crash loses at most the requests in flight.

    A record that becomes several QBO objects is written once all its operations are back:
    marking it Synced earlier would hide the days still in flight after a crash.
    """

    def __init__(self, run: PushRun, records: dict[int, Record], operations: dict, hold_stale: bool = True):
        self.run, self.records, self.ops = run, records, operations
        self.hold_stale = hold_stale
        self.stale: list[Outcome] = []     # 5010 on a sparse update: decided after the run
        self.expected: dict[int, int] = {}
        for key in operations:
            self.expected[record_of(key)] = self.expected.get(record_of(key), 0) + 1
        self.waiting: dict[int, list[Outcome]] = {}

    def __call__(self, outcomes: list[Outcome]) -> None:
        run = self.run
        if not run.spec.parts:
            held = [o for o in outcomes if self.hold_stale and stale.is_stale(o, self.ops[o.key])]
            self.stale += held
            record_outcomes(run, self.records, self.ops, [o for o in outcomes if o not in held])
        else:
            complete = []
            for outcome in outcomes:
                record_id = record_of(outcome.key)
                got = self.waiting.setdefault(record_id, [])
                got.append(outcome)
                if len(got) == self.expected[record_id]:
                    complete += self.waiting.pop(record_id)
            if not complete:
                return
            parts.record_outcomes(run.db, run.spec, self.records, self.ops, complete, run.flow_run_id,
                                  run.result, untouched=[])
            outcomes = complete
        run.settled([o.key for o in outcomes])


def reapply_stale(run: PushRun, records: dict[int, Record], ops: dict, refused: list[Outcome]) -> None:
    """The documented 5010 rule: refetch; reapply when QBO changed none of our fields, else Needs Action.

    The baseline is the object as QBO answered our last successful write of the record."""
    baselines = stale.baselines(run.db, [o.key for o in refused])
    again, conflicts, unreadable = [], {}, []
    for outcome in refused:
        op = ops[outcome.key]
        try:
            current = run.engine.reader.get(op.qbo_entity, op.body["Id"])
        except QboReadError:   # gone or unreadable: the 5010 stands as the plain failure
            unreadable.append(outcome)
            continue
        clash = stale.conflicting_fields(op.body, baselines.get(outcome.key), current)
        if clash:
            conflicts[outcome.key] = (clash, str(current.get("SyncToken")))
        else:
            again.append(stale.reapplied(op, str(current["SyncToken"])))
    record_outcomes(run, records, ops, unreadable)
    _hold_conflicts(run, records, ops, conflicts)
    if again:
        for op in again:
            ops[op.key] = op
        run.send(again, on_outcomes=Settler(run, records, ops, hold_stale=False))
        run.result.reapplied += len(again)


def _hold_conflicts(run: PushRun, records: dict[int, Record], ops: dict, conflicts: dict) -> None:
    """QBO changed fields we also set: Needs Action under the reconcile stage, so `--accept` resolves it."""
    now = datetime.now(timezone.utc)
    changes, attempts = [], []
    for key, (fields, token) in conflicts.items():
        record, op = records[key], ops[key]
        text = (f"Changed in QuickBooks since the last sync, in fields this sync also sets "
                f"({', '.join(fields)}): not overwritten. Review it; qbo-sync reconcile --accept "
                f"{record.entity}/{record.source_id} lets the source overwrite it")
        run.result.needs_action.append((record.source_id, text))
        changes.append(dict(b_id=record.id, **statuses.needs_action(record.reasons, statuses.Stage.RECONCILE, [text]),
                            qbo_objects={**(record.qbo_objects or {}), "reconcile": {
                                "id": record.qbo_id, "state": "changed", "sync_token": token,
                                "fields": fields}}))
        attempts.append(dict(record_id=record.id, flow_run_id=run.flow_run_id, attempted_at=now,
                             operation=op.action, qbo_entity=op.qbo_entity, outcome="needs_action",
                             qbo_id=record.qbo_id, message=text, request=op.body, response=None))
    if changes:
        with run.db.session() as session, session.begin():
            staged.bulk_update(session, changes)
            session.execute(insert(SyncAttempt), attempts)


def block(db: StagingDb, records: dict[int, Record], blocked: dict[int, list[str]], result: PushResult) -> None:
    """Records that cannot be pushed as things stand become Needs Action, not Failed."""
    changes = []
    for record_id, texts in blocked.items():
        record = records[record_id]
        result.needs_action.append((record.source_id, "; ".join(texts)))
        changes.append(dict(b_id=record_id, **statuses.needs_action(record.reasons, statuses.Stage.REFS, texts)))
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)


def record_outcomes(run: PushRun, records: dict[int, Record], operations: dict, outcomes: list[Outcome]) -> None:
    now = datetime.now(timezone.utc)
    result = run.result
    changes, attempts, written = [], [], []
    for outcome in outcomes:
        record, op = records[outcome.key], operations[outcome.key]
        if outcome.ok:
            written.append((op.qbo_entity, (outcome.response or {}).get(op.qbo_entity) or {}))
            if op.action == CREATE:
                result.created += 1
            elif op.adopted:
                result.linked += 1
            else:
                result.updated += 1
            objects = {k: v for k, v in (record.qbo_objects or {}).items() if k != adoption.ADOPTED}
            changes.append(dict(b_id=record.id, **statuses.synced(),
                                qbo_id=outcome.qbo_id, sync_token=outcome.sync_token,
                                synced_hash=record.content_hash, synced_at=now,
                                qbo_objects={**objects, "target": {"entity": op.qbo_entity, "linked": False}}))
        else:
            plain = outcome.fault.plain if outcome.fault else "unknown failure"
            if outcome.fault is not None and outcome.fault.code == "6240":
                plain = _name_clash(run.db, outcome.fault, op, record)
            result.failed.append((record.source_id, plain))
            changes.append(failed(record, plain))
        attempts.append(dict(record_id=record.id, flow_run_id=run.flow_run_id, attempted_at=now,
                             operation=op.action, qbo_entity=op.qbo_entity,
                             outcome="synced" if outcome.ok else "failed",
                             qbo_id=outcome.qbo_id or record.qbo_id,
                             message="" if outcome.ok else (outcome.fault.plain if outcome.fault else ""),
                             request=outcome.request, response=outcome.response))
    save(run.db, changes, attempts, written)


def _name_clash(db: StagingDb, fault, op: Operation, record: Record) -> str:
    """A 6240 naming the object that already has the name (the REST body's or the project input's)."""
    with db.session() as session:
        return name_clash.describe(session, fault, op.body.get("DisplayName") or op.body.get("name") or record.name)


def failed(record: Record, plain: str) -> dict:
    """The bulk-update row of a record QBO refused: Failed, QBO's reason, the rest as it was."""
    return dict(b_id=record.id, **statuses.failed(record.reasons, [plain]),
                qbo_id=record.qbo_id, sync_token=record.sync_token,
                synced_hash=record.synced_hash, synced_at=record.synced_at,
                qbo_objects=record.qbo_objects or {})


def save(db: StagingDb, changes: list[dict], attempts: list[dict],
         written: list[tuple[str, dict]] = ()) -> None:
    """Outcomes and their sync attempts, in one transaction: a record never shows an
    outcome without the attempt that explains it. `written`: the objects QBO returned."""
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)
        if attempts:
            session.execute(insert(SyncAttempt), attempts)
        references.remember(session, list(written))
