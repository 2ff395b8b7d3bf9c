"""Push: turn the preview's creates and updates into QBO writes and record the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import insert

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record, SyncAttempt
from qbo_sync import entities as registry
from qbo_sync.entities.base import EntitySpec, PayloadContext, PayloadError
from qbo_sync.mappings import Mappings
from qbo_sync.pipeline import dependencies, parts
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.mapping import links_of
from qbo_sync.pipeline.preview import CREATE, PreviewRow
from qbo_sync.qbo.connection import QboConnection
from qbo_sync.qbo.engine import Operation, Outcome, PushEngine
from qbo_sync.settings import SyncSettings


class ProjectsNotEnabled(Exception):
    pass


@dataclass
class PushResult:
    entity: str
    created: int = 0
    updated: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)   # (source id, plain reason)
    needs_action: list[tuple[str, str]] = field(default_factory=list)  # held back at push time
    deleted: int = 0                                                 # QBO objects deleted

    @property
    def synced(self) -> int:
        return self.created + self.updated


def projects_enabled(connection: QboConnection) -> bool:
    """Whether the company has QBO Projects turned on (Preferences.OtherPrefs)."""
    client = connection.client()
    url = f"{client.api_url}/company/{client.company_id}/preferences"
    prefs = client.get(url).get("Preferences", {})
    for pair in (prefs.get("OtherPrefs") or {}).get("NameValue", []):
        if pair.get("Name") == "ProjectsEnabled":
            return str(pair.get("Value")).lower() == "true"
    return False


def check_mode(connection: QboConnection, sync: SyncSettings) -> None:
    """Fail early, before any write, when the project mode cannot work for this company."""
    if sync.project_mode == "project" and not projects_enabled(connection):
        raise ProjectsNotEnabled(
            "sync.project_mode is \"project\", but this QuickBooks company does not have Projects "
            "turned on (QuickBooks: Settings > Account and settings > Advanced > Projects). "
            "Turn Projects on, or set sync.project_mode to sub-customer or customer. Nothing was pushed.")


def build_operation(spec: EntitySpec, sync: SyncSettings, record: Record, links, action: str,
                    ctx: PayloadContext | None = None) -> Operation:
    ctx = ctx or PayloadContext(sync=sync, links=links, mappings=Mappings())
    if ctx.links is not links:
        ctx = replace(ctx, links=links)
    body = spec.payload(record.data, ctx)
    writer = spec.writer(sync)
    if action != CREATE:
        if writer == "project":
            body = {"id": record.qbo_id, **{k: v for k, v in body.items() if k in ("name", "description", "dueDate")}}
        else:
            # Sparse: QBO keeps every field we do not send (a full update would blank them).
            body = {**body, "Id": record.qbo_id, "SyncToken": record.sync_token, "sparse": True}
    return Operation(key=record.id, qbo_entity=spec.target(record.data, ctx.mappings), action=action,
                     body=body, writer=writer, version=record.content_hash)


def push_entity(db: StagingDb, engine: PushEngine, spec: EntitySpec, sync: SyncSettings,
                rows: list[PreviewRow], flow_run_id: str | None = None,
                on_progress: Callable[[int, int], None] | None = None, mappings=None) -> PushResult:
    result = PushResult(spec.name)
    if not rows:
        return result
    mappings = mappings or Mappings()
    action_of = {r.record_id: r.action for r in rows}
    blocked: dict[int, list[str]] = {}
    operations: list[Operation] = []
    with db.session() as session:
        records = staged.load(session, spec.name, record_ids=list(action_of))
        links = links_of(session, [r.id for r in records])
        found = dependencies.targets(session, registry.ENTITIES,
                                     {ref for r in records for ref in spec.refs(r.data)}, mappings)
        base = PayloadContext(sync=sync, mappings=mappings, refs=found,
                              accounts=dependencies.account_ids(session))
        for record in records:
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
    adopt_existing(engine.connection, spec, operations)
    outcomes = engine.run(operations, on_progress=on_progress)
    ops = {op.key: op for op in operations}
    if spec.parts:
        parts.record_outcomes(db, spec, by_id, ops, outcomes, flow_run_id, result,
                              untouched=[r for r in records if r.id not in blocked
                                         and not any(op.key.startswith(f"{r.id}:") for op in operations)])
    else:
        _record_outcomes(db, spec, by_id, ops, outcomes, flow_run_id, result)
    return result


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


def adopt_existing(connection: QboConnection, spec: EntitySpec, operations: list[Operation]) -> int:
    """Turn creates into updates of QBO objects that already exist under the same name.

    An object QBO already has (made by hand, or by a run whose answer was lost) is the
    record's object when its name and its parent match; creating it again would be a
    duplicate, or a 6240 refusal. Same name under another parent is left to QBO to refuse.
    """
    key = spec.natural_key
    creates = [op for op in operations if op.action == CREATE and op.writer == "rest" and key and op.body.get(key)]
    adopted = 0
    chunks = []
    for entity in dict.fromkeys(op.qbo_entity for op in creates):   # cost codes: Item, Account, Class
        same = [op for op in creates if op.qbo_entity == entity]
        chunks += [(entity, same[start:start + 30]) for start in range(0, len(same), 30)]
    for entity, chunk in chunks:
        names = ", ".join(quote(op.body[key]) for op in chunk)
        found = connection.client().query(
            f"SELECT * FROM {entity} WHERE {key} IN ({names}) MAXRESULTS 1000"
        ).get("QueryResponse", {}).get(entity, [])
        by_name = {}
        for obj in found:
            by_name.setdefault(obj.get(key, "").casefold(), []).append(obj)
        for op in chunk:
            parent = (op.body.get("ParentRef") or {}).get("value")
            same = [o for o in by_name.get(op.body[key].casefold(), [])
                    if (o.get("ParentRef") or {}).get("value") == parent]
            if len(same) == 1:
                op.action = "update"
                op.body = {**op.body, "Id": same[0]["Id"], "SyncToken": same[0]["SyncToken"], "sparse": True}
                adopted += 1
    return adopted


def _record_outcomes(db, spec, records, operations, outcomes: list[Outcome], flow_run_id, result) -> None:
    now = datetime.now(timezone.utc)
    changes, attempts = [], []
    for outcome in outcomes:
        record, op = records[outcome.key], operations[outcome.key]
        if outcome.ok:
            if op.action == CREATE:
                result.created += 1
            else:
                result.updated += 1
            changes.append(dict(b_id=record.id, status=statuses.SYNCED, reasons=[],
                                qbo_id=outcome.qbo_id, sync_token=outcome.sync_token,
                                synced_hash=record.content_hash, synced_at=now,
                                qbo_objects={**(record.qbo_objects or {}),
                                             "target": {"entity": op.qbo_entity, "linked": False}}))
        else:
            plain = outcome.fault.plain if outcome.fault else "unknown failure"
            result.failed.append((record.source_id, plain))
            changes.append(dict(b_id=record.id, status=statuses.FAILED,
                                reasons=statuses.replace_stage(record.reasons, "push", [plain]),
                                qbo_id=record.qbo_id, sync_token=record.sync_token,
                                synced_hash=record.synced_hash, synced_at=record.synced_at,
                                qbo_objects=record.qbo_objects or {}))
        attempts.append(dict(record_id=record.id, flow_run_id=flow_run_id, attempted_at=now,
                             operation=op.action, qbo_entity=op.qbo_entity,
                             outcome="synced" if outcome.ok else "failed",
                             qbo_id=outcome.qbo_id or record.qbo_id,
                             message="" if outcome.ok else (outcome.fault.plain if outcome.fault else ""),
                             request=outcome.request, response=outcome.response))
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)
        if attempts:
            session.execute(insert(SyncAttempt), attempts)
