"""Push: turn the preview's creates and updates into QBO writes and record the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable

import requests
from sqlalchemy import insert, select

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboRef, Record, SyncAttempt
from qbo_sync import entities as registry
from qbo_sync.entities.base import EntitySpec, PayloadContext, PayloadError
from qbo_sync.entities.names import name_key
from qbo_sync.mappings import Mappings
from qbo_sync.entities.projects import subcustomer_fields
from qbo_sync.pipeline import adoption, dependencies, ledger, name_clash, parts, project_links, stale
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.mapping import links_of
from qbo_sync.pipeline.preview import CREATE, DELETE, LINK, PreviewRow
from qbo_sync.qbo import references
from qbo_sync.qbo.engine import Operation, Outcome, PushEngine
from qbo_sync.qbo.reader import QboReadError, QboReader
from qbo_sync.settings import SyncSettings


class ProjectsNotEnabled(Exception):
    pass


@dataclass
class PushResult:
    entity: str
    created: int = 0
    updated: int = 0
    linked: int = 0            # updates of objects QBO held before (adopted): the preview's "link"
    failed: list[tuple[str, str]] = field(default_factory=list)   # (source id, plain reason)
    needs_action: list[tuple[str, str]] = field(default_factory=list)  # held back at push time
    deleted: int = 0                                                 # QBO objects deleted
    deleted_ids: list[str] = field(default_factory=list)             # their source ids
    reapplied: int = 0         # updates refused as stale (5010), refetched and written again
    in_doubt: int = 0          # writes an earlier run sent without recording the answer
    recovered: int = 0         # of those, found in QBO and adopted instead of created again

    @property
    def synced(self) -> int:
        return self.created + self.updated + self.linked


def projects_enabled(reader: QboReader) -> bool:
    """Whether the company has QBO Projects turned on (Preferences.OtherPrefs)."""
    prefs = reader.company("preferences").get("Preferences", {})
    for pair in (prefs.get("OtherPrefs") or {}).get("NameValue", []):
        if pair.get("Name") == "ProjectsEnabled":
            return str(pair.get("Value")).lower() == "true"
    return False


def check_mode(reader: QboReader, sync: SyncSettings) -> None:
    """Fail early, before any write, when the project mode cannot work for this company."""
    if sync.project_mode != "project":
        return
    if not projects_enabled(reader):
        raise ProjectsNotEnabled(
            "sync.project_mode is \"project\", but this QuickBooks company does not have Projects "
            "turned on (QuickBooks: Settings > Account and settings > Advanced > Projects). "
            "Turn Projects on, or set sync.project_mode to sub-customer or customer. Nothing was pushed.")
    refused = projects_api_refusal(reader)
    if refused:
        raise ProjectsNotEnabled(
            f"sync.project_mode is \"project\", but QuickBooks does not let this app use its Projects API "
            f"({refused}). Intuit offers it to some partner tiers only, and only to a connection that "
            f"allows Projects. Set sync.project_mode to \"sub-customer\" to sync each project as a "
            f"sub-customer of its client instead. Nothing was pushed.")


PROBE_PROJECTS = "query ProjectsAccess { projectManagementProjects(first: 1) { edges { node { id } } } }"
# Not 401: an expired token is the connection's problem (refreshed, or "reconnect"), not the app's rights.
REFUSED = {"FORBIDDEN", "PERMISSION_DENIED"}


def projects_api_refusal(reader: QboReader) -> str | None:
    """QuickBooks' words when the GraphQL Projects API refuses this app (tier or scope), else None.

    A read of at most one project, before any write. Only a refusal stops the run: a network
    fault or a 5xx here says nothing about the app's rights, and the push retries those."""
    try:
        answer = reader.connection.graphql(PROBE_PROJECTS, {"first": 1})
        reader.count("read")
    except requests.RequestException:
        return None
    errors = answer.get("errors") or []
    codes = {str((e.get("extensions") or {}).get("code") or "").upper() for e in errors}
    if answer.get("status_code") == 403 or codes & REFUSED:
        return "; ".join(e.get("message", "") for e in errors) or f"HTTP {answer.get('status_code')}"
    return None


def build_operation(spec: EntitySpec, sync: SyncSettings, record: Record, links, action: str,
                    ctx: PayloadContext | None = None) -> Operation:
    ctx = ctx or PayloadContext(sync=sync, links=links, mappings=Mappings())
    if ctx.links is not links:
        ctx = replace(ctx, links=links)
    body = spec.payload(record.data, ctx)
    writer = spec.writer(sync)
    if writer == "project" and action != CREATE and project_links.is_sub_customer(record.qbo_objects):
        # Project mode linked an existing sub-customer (the same job): it stays a customer, written by REST.
        writer, body = "rest", subcustomer_fields(body)
    if action != CREATE:
        if writer == "project":
            body = {"id": record.qbo_id, **{k: v for k, v in body.items() if k in ("name", "description", "dueDate")}}
        else:
            # Sparse: QBO keeps every field we do not send (a full update would blank them).
            body = {**body, "Id": record.qbo_id, "SyncToken": record.sync_token, "sparse": True}
    # An update's request id covers the version it writes over: after a 5010 and an accept, the same
    # content on QBO's new version is new work (QBO would answer the old id with the old 5010).
    version = record.content_hash if action == CREATE else f"{record.content_hash}:{record.sync_token}"
    return Operation(key=record.id, qbo_entity=spec.target(record.data, ctx.mappings),
                     action="update" if action == LINK else action, body=body, writer=writer, version=version,
                     adopted=action == LINK)


def push_entity(db: StagingDb, engine: PushEngine, spec: EntitySpec, sync: SyncSettings,
                rows: list[PreviewRow], flow_run_id: str | None = None,
                on_progress: Callable[[int, int], None] | None = None, mappings=None) -> PushResult:
    """Push the rows under the company's push lease, reconciling writes left in doubt first."""
    result = PushResult(spec.name)
    if not rows:
        return result
    realm = engine.connection.realm_id
    writes = [r for r in rows if r.action != DELETE]
    deletes = [r for r in rows if r.action == DELETE]
    with ledger.lease(db, realm) as holder:
        ledger.forget_settled(db, realm)
        if writes:
            _push_leased(db, engine, spec, sync, writes, flow_run_id, on_progress, mappings or Mappings(),
                         result, realm, holder)
        if deletes:
            _delete_leased(db, engine, spec, deletes, flow_run_id, result, realm, holder)
    return result


def _push_leased(db, engine, spec, sync, rows, flow_run_id, on_progress, mappings, result, realm, holder):
    action_of = {r.record_id: r.action for r in rows}
    blocked: dict[int, list[str]] = {}
    operations: list[Operation] = []
    with db.session() as session:
        records = staged.load(session, spec.name, record_ids=list(action_of))
        # Another run may have pushed them while this one waited for the lease.
        records = [r for r in records
                   if not (r.status == statuses.SYNCED and r.synced_hash == r.content_hash)]
        links = links_of(session, [r.id for r in records])
        found = dependencies.targets(session, registry.ENTITIES,
                                     {ref for r in records for ref in spec.refs(r.data)}, mappings)
        base = PayloadContext(sync=sync, mappings=mappings, refs=found,
                              accounts=dependencies.account_ids(session))
        for record in records:
            if record.qbo_id and action_of[record.id] == CREATE and not spec.parts:
                action_of[record.id] = "update"    # created by a run that finished meanwhile
            missing = dependencies.unresolved(spec, record, found)
            if missing:
                blocked[record.id] = missing
                continue
            try:
                if spec.parts:
                    operations += parts.operations(spec, record, replace(base, links=links.get(record.id, {})))
                else:
                    operations.append(build_operation(spec, sync, record, links.get(record.id, {}),
                                                      action_of[record.id], base))
            except PayloadError as problem:
                blocked[record.id] = [str(problem)]
    by_id = {r.id: r for r in records}
    _block(db, by_id, blocked, result)
    adopt_existing(db, engine.reader, spec, operations)
    doubt = ledger.in_doubt(db, realm, list(by_id))
    result.in_doubt = len(doubt)
    result.recovered = reconcile_in_doubt(db, engine, operations, doubt)
    ops = {op.key: op for op in operations}
    settle = _Settler(db, spec, by_id, ops, flow_run_id, result, realm)
    engine.run(operations, on_progress=on_progress,
               before_send=lambda sent, request_id: ledger.record_sending(db, realm, sent, request_id, holder),
               on_outcomes=settle)
    if settle.stale:
        _reapply_stale(db, engine, spec, by_id, ops, settle.stale, flow_run_id, result, realm, holder)
    if spec.parts:
        # A set, not a scan of the operations per record: 20,000 weeks make 100,000 operations.
        with_operations = {_record_of(key) for key in ops}
        parts.record_outcomes(db, spec, by_id, ops, [], flow_run_id, result,
                              untouched=[r for r in records if r.id not in blocked and r.id not in with_operations])
    with db.session() as session, session.begin():
        ledger.settled(session, realm, [k for k in doubt if k not in ops])   # nothing left to write


class _Settler:
    """Records outcomes as each request settles, so a crash loses at most the requests in flight.

    A record that becomes several QBO objects is written once all its operations are back:
    marking it Synced earlier would hide the days still in flight after a crash.
    """

    def __init__(self, db, spec, records, operations, flow_run_id, result, realm, hold_stale=True):
        self.db, self.spec, self.records, self.ops = db, spec, records, operations
        self.hold_stale = hold_stale
        self.stale: list[Outcome] = []     # 5010 on a sparse update: decided after the run
        self.flow_run_id, self.result, self.realm = flow_run_id, result, realm
        self.expected: dict[int, int] = {}
        for key in operations:
            self.expected[_record_of(key)] = self.expected.get(_record_of(key), 0) + 1
        self.waiting: dict[int, list[Outcome]] = {}

    def __call__(self, outcomes: list[Outcome]) -> None:
        if not self.spec.parts:
            held = [o for o in outcomes if self.hold_stale and stale.is_stale(o, self.ops[o.key])]
            self.stale += held
            _record_outcomes(self.db, self.spec, self.records, self.ops,
                             [o for o in outcomes if o not in held], self.flow_run_id, self.result)
        else:
            complete = []
            for outcome in outcomes:
                record_id = _record_of(outcome.key)
                got = self.waiting.setdefault(record_id, [])
                got.append(outcome)
                if len(got) == self.expected[record_id]:
                    complete += self.waiting.pop(record_id)
            if not complete:
                return
            parts.record_outcomes(self.db, self.spec, self.records, self.ops, complete, self.flow_run_id,
                                  self.result, untouched=[])
            outcomes = complete
        with self.db.session() as session, session.begin():
            ledger.settled(session, self.realm, [o.key for o in outcomes])


def _reapply_stale(db, engine, spec, records, ops, refused: list[Outcome], flow_run_id, result, realm, holder):
    """The documented 5010 rule: refetch; reapply when QBO changed none of our fields, else Needs Action.

    The baseline is the object as QBO answered our last successful write of the record."""
    baselines = stale.baselines(db, [o.key for o in refused])
    again, conflicts, unreadable = [], {}, []
    for outcome in refused:
        op = ops[outcome.key]
        try:
            current = engine.reader.get(op.qbo_entity, op.body["Id"])
        except QboReadError:   # gone or unreadable: the 5010 stands as the plain failure
            unreadable.append(outcome)
            continue
        clash = stale.conflicting_fields(op.body, baselines.get(outcome.key), current)
        if clash:
            conflicts[outcome.key] = (clash, str(current.get("SyncToken")))
        else:
            again.append(stale.reapplied(op, str(current["SyncToken"])))
    _record_outcomes(db, spec, records, ops, unreadable, flow_run_id, result)
    _hold_conflicts(db, spec, records, ops, conflicts, flow_run_id, result)
    if again:
        for op in again:
            ops[op.key] = op
        settle = _Settler(db, spec, records, ops, flow_run_id, result, realm, hold_stale=False)
        engine.run(again, before_send=lambda sent, request_id: ledger.record_sending(db, realm, sent, request_id, holder),
                   on_outcomes=settle)
        result.reapplied += len(again)


def _hold_conflicts(db, spec, records, ops, conflicts: dict, flow_run_id, result) -> None:
    """QBO changed fields we also set: Needs Action under the reconcile stage, so `--accept` resolves it."""
    from qbo_sync.pipeline import reconcile

    now = datetime.now(timezone.utc)
    changes, attempts = [], []
    for key, (fields, token) in conflicts.items():
        record, op = records[key], ops[key]
        text = (f"Changed in QuickBooks since the last sync, in fields this sync also sets "
                f"({', '.join(fields)}): not overwritten. Review it; qbo-sync reconcile --accept "
                f"{record.entity}/{record.source_id} lets the source overwrite it")
        result.needs_action.append((record.source_id, text))
        changes.append(dict(b_id=record.id, status=statuses.NEEDS_ACTION,
                            reasons=statuses.replace_stage(record.reasons, reconcile.STAGE, [text]),
                            qbo_objects={**(record.qbo_objects or {}), "reconcile": {
                                "id": record.qbo_id, "state": "changed", "sync_token": token,
                                "fields": fields}}))
        attempts.append(dict(record_id=record.id, flow_run_id=flow_run_id, attempted_at=now,
                             operation=op.action, qbo_entity=op.qbo_entity, outcome="needs_action",
                             qbo_id=record.qbo_id, message=text, request=op.body, response=None))
    if changes:
        with db.session() as session, session.begin():
            staged.bulk_update(session, changes)
            session.execute(insert(SyncAttempt), attempts)


def _delete_leased(db, engine, spec, rows, flow_run_id, result, realm, holder) -> None:
    """Records deleted in the source, their QBO objects deleted by rule (Id and SyncToken only):
    a bill's one Bill, or every TimeActivity a weekly entry holds (one operation per day)."""
    with db.session() as session:
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
        expected[_record_of(key)] = expected.get(_record_of(key), 0) + 1
    waiting: dict[int, list[Outcome]] = {}

    def settle(outcomes: list[Outcome]) -> None:
        # A record is written once all its objects are back (as _Settler does for writes).
        complete = []
        for outcome in outcomes:
            got = waiting.setdefault(_record_of(outcome.key), [])
            got.append(outcome)
            if len(got) == expected[_record_of(outcome.key)]:
                complete.append(waiting.pop(_record_of(outcome.key)))
        if complete:
            _record_deletions(db, by_id, ops, complete, flow_run_id, result)
        with db.session() as session, session.begin():
            ledger.settled(session, realm, [o.key for o in outcomes])

    engine.run(list(ops.values()),
               before_send=lambda sent, request_id: ledger.record_sending(db, realm, sent, request_id, holder),
               on_outcomes=settle)


def _record_deletions(db, records, ops, per_record: list[list[Outcome]], flow_run_id, result) -> None:
    """per_record: the outcomes of all of one record's delete operations, for each record."""
    now = datetime.now(timezone.utc)
    changes, attempts = [], []
    for outcomes in per_record:
        record = records[_record_of(outcomes[0].key)]
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
            attempts.append(dict(record_id=record.id, flow_run_id=flow_run_id, attempted_at=now,
                                 operation=DELETE, qbo_entity=op.qbo_entity, part=part,
                                 outcome="deleted" if gone else "failed", qbo_id=op.body["Id"],
                                 message="" if outcome.ok else (outcome.fault.plain if outcome.fault else ""),
                                 request=op.body, response=outcome.response))
        result.deleted += len(deleted)
        if not problems:
            result.deleted_ids.append(record.source_id)
            # Not linked to a QBO object any more: should the record come back in the source, it is created again.
            changes.append(dict(b_id=record.id, status=statuses.NEEDS_SYNC, reasons=[], qbo_id=None,
                                sync_token=None, synced_hash=None, synced_at=record.synced_at,
                                qbo_objects={"deleted_in_qbo": {"id": deleted[0], "ids": deleted,
                                                                "at": now.isoformat(),
                                                                "flow_run_id": flow_run_id}}))
        else:
            result.failed.append((record.source_id, "; ".join(problems)))
            failed = _failed(record, "; ".join(problems))
            if ":" in str(outcomes[0].key):   # a record of parts keeps the days still in QBO, and only those
                still = [v["id"] for v in parts.held_parts(record).values() if v["id"] not in deleted]
                failed.update(qbo_objects=remaining, qbo_id=still[0] if still else None)
            changes.append(failed)
    _save(db, changes, attempts)


def _record_of(key) -> int:
    return int(str(key).split(":")[0])


def reconcile_in_doubt(db: StagingDb, engine: PushEngine, operations: list[Operation],
                       doubt: dict) -> int:
    """Creates whose earlier attempt may have reached QBO: adopt the object QBO already holds.

    List entities are matched by name in adopt_existing (for every create). Here: bills by
    DocNumber and vendor, time activities by their content on the day (employee, customer,
    item or class, hours, minutes, description), skipping objects another record holds.
    """
    creates = [op for op in operations if op.action == CREATE and str(op.key) in doubt and op.writer == "rest"]
    bills = [op for op in creates if op.qbo_entity == "Bill" and op.body.get("DocNumber")]
    times = [op for op in creates if op.qbo_entity == "TimeActivity"]
    adopted = 0
    for start in range(0, len(bills), 30):
        chunk = bills[start:start + 30]
        numbers = ", ".join(quote(n) for n in dict.fromkeys(op.body["DocNumber"] for op in chunk))
        found = _query_all(engine, "Bill", f"DocNumber IN ({numbers})")
        for op in chunk:
            same = [o for o in found if o.get("DocNumber") == op.body["DocNumber"]
                    and (o.get("VendorRef") or {}).get("value") == (op.body.get("VendorRef") or {}).get("value")]
            if len(same) == 1:
                _adopt(op, same[0])
                adopted += 1
    if times:
        held = _held_time_activities(db)
        for day in sorted({op.body.get("TxnDate") for op in times}):
            found = [o for o in _query_all(engine, "TimeActivity", f"TxnDate = {quote(day)}")
                     if o["Id"] not in held]
            for op in [op for op in times if op.body.get("TxnDate") == day]:
                same = [o for o in found if _fingerprint(o) == _fingerprint(op.body)]
                if same:
                    _adopt(op, same[0])
                    found.remove(same[0])
                    adopted += 1
    return adopted


def _adopt(op: Operation, obj: dict) -> None:
    op.action = "update"
    op.body = {**op.body, "Id": obj["Id"], "SyncToken": obj["SyncToken"], "sparse": True}


def _fingerprint(obj: dict) -> tuple:
    ref = lambda name: (obj.get(name) or {}).get("value")   # noqa: E731
    return (ref("EmployeeRef"), ref("VendorRef"), ref("CustomerRef"), ref("ItemRef"), ref("ClassRef"),
            int(obj.get("Hours") or 0), int(obj.get("Minutes") or 0), obj.get("Description") or "")


def _held_time_activities(db: StagingDb) -> set[str]:
    from sqlalchemy import select

    with db.session() as session:
        objects = session.scalars(select(Record.qbo_objects).where(Record.entity == "timesheets"))
        return {v["id"] for o in objects for v in (o or {}).values() if isinstance(v, dict) and v.get("id")}


def _query_all(engine: PushEngine, entity: str, where: str) -> list[dict]:
    return engine.reader.query_all(entity, where)


def _block(db: StagingDb, records: dict[int, Record], blocked: dict[int, list[str]], result: PushResult) -> None:
    """Records that cannot be pushed as things stand become Needs Action, not Failed."""
    changes = []
    for record_id, texts in blocked.items():
        record = records[record_id]
        result.needs_action.append((record.source_id, "; ".join(texts)))
        changes.append(dict(b_id=record_id, status=statuses.NEEDS_ACTION,
                            reasons=statuses.replace_stage(record.reasons, "refs", texts)))
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)


def quote(value: str) -> str:
    """A string literal of QBO's query language: only the quote is escaped, with a backslash."""
    return "'" + value.replace("'", "\\'") + "'"


def adopt_existing(db: StagingDb, reader: QboReader, spec: EntitySpec, operations: list[Operation]) -> int:
    """Turn creates into updates of QBO objects that already exist under the same name.

    An object QBO already has (made by hand since the map stage, or by a run whose answer
    was lost) is the record's object when its name and its parent match; creating it again
    would be a duplicate, or a 6240 refusal. Same name under another parent is left to QBO
    to refuse. The names are matched in the reference copy, brought up to QBO's first: one
    CDC request for what changed since the map stage's pull, where a name query per 30
    creates cost some 300 metered reads on a first push (bench/bench_reads.py).
    """
    key = spec.natural_key
    creates = [op for op in operations if op.action == CREATE and op.writer == "rest" and key and op.body.get(key)]
    if not creates:
        return 0
    entities = tuple(dict.fromkeys(op.qbo_entity for op in creates))   # cost codes: Item, Account, Class
    references.pull(db, reader, entities)
    by_name: dict[tuple, list] = {}
    with db.session() as session:
        # Active only, as a name query answers: QBO renames an inactive list object "(deleted)".
        for ref in session.execute(select(QboRef.entity, QboRef.qbo_id, QboRef.name, QboRef.parent_id,
                                          QboRef.sync_token)
                                   .where(QboRef.entity.in_(entities), QboRef.active.is_(True))):
            by_name.setdefault((ref.entity, name_key(ref.name), ref.parent_id), []).append(ref)
    adopted = 0
    for op in creates:
        parent = (op.body.get("ParentRef") or {}).get("value")
        same = by_name.get((op.qbo_entity, name_key(op.body[key]), parent), [])
        if len(same) == 1:
            op.action = "update"
            op.body = {**op.body, "Id": str(same[0].qbo_id), "SyncToken": same[0].sync_token, "sparse": True}
            op.adopted = True
            adopted += 1
    return adopted


def _record_outcomes(db, spec, records, operations, outcomes: list[Outcome], flow_run_id, result) -> None:
    now = datetime.now(timezone.utc)
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
            changes.append(dict(b_id=record.id, status=statuses.SYNCED, reasons=[],
                                qbo_id=outcome.qbo_id, sync_token=outcome.sync_token,
                                synced_hash=record.content_hash, synced_at=now,
                                qbo_objects={**objects, "target": {"entity": op.qbo_entity, "linked": False}}))
        else:
            plain = outcome.fault.plain if outcome.fault else "unknown failure"
            if outcome.fault is not None and outcome.fault.code == "6240":
                plain = _name_clash(db, outcome.fault, op, record)
            result.failed.append((record.source_id, plain))
            changes.append(_failed(record, plain))
        attempts.append(dict(record_id=record.id, flow_run_id=flow_run_id, attempted_at=now,
                             operation=op.action, qbo_entity=op.qbo_entity,
                             outcome="synced" if outcome.ok else "failed",
                             qbo_id=outcome.qbo_id or record.qbo_id,
                             message="" if outcome.ok else (outcome.fault.plain if outcome.fault else ""),
                             request=outcome.request, response=outcome.response))
    _save(db, changes, attempts, written)


def _name_clash(db: StagingDb, fault, op: Operation, record: Record) -> str:
    """A 6240 naming the object that already has the name (the REST body's or the project input's)."""
    with db.session() as session:
        return name_clash.describe(session, fault, op.body.get("DisplayName") or op.body.get("name") or record.name)


def _failed(record: Record, plain: str) -> dict:
    """The bulk-update row of a record QBO refused: Failed, QBO's reason, the rest as it was."""
    return dict(b_id=record.id, status=statuses.FAILED,
                reasons=statuses.replace_stage(record.reasons, "push", [plain]),
                qbo_id=record.qbo_id, sync_token=record.sync_token,
                synced_hash=record.synced_hash, synced_at=record.synced_at,
                qbo_objects=record.qbo_objects or {})


def _save(db: StagingDb, changes: list[dict], attempts: list[dict],
          written: list[tuple[str, dict]] = ()) -> None:
    """Outcomes and their sync attempts, in one transaction: a record never shows an
    outcome without the attempt that explains it. `written`: the objects QBO returned."""
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)
        if attempts:
            session.execute(insert(SyncAttempt), attempts)
        references.remember(session, list(written))
