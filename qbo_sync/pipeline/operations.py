"""Operations: what a push sends, built from the staged records and their declarations."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboRef, Record
from qbo_sync.entities.base import EntitySpec, PayloadContext, PayloadError
from qbo_sync.entities.names import name_key
from qbo_sync.mappings import Mappings
from qbo_sync.pipeline import dependencies, parts, project_links
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.mapping import links_of
from qbo_sync.pipeline.preview import CREATE, LINK, PreviewRow
from qbo_sync.pipeline.push_run import PushRun
from qbo_sync.qbo import references
from qbo_sync.qbo.reader import QboReader
from qbo_sync.qbo.engine import Operation
from qbo_sync.settings import SyncSettings


@dataclass
class Planned:
    """The records a push writes, the operations it sends, and those held back (with why)."""

    records: dict[int, Record] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)
    blocked: dict[int, list[str]] = field(default_factory=dict)


def plan(run: PushRun, rows: list[PreviewRow]) -> Planned:
    """The operations for the preview's creates and updates, as the records stand now."""
    spec, planned = run.spec, Planned()
    action_of = {r.record_id: r.action for r in rows}
    with run.db.session() as session:
        records = staged.load(session, spec.name, record_ids=list(action_of))
        # Another run may have pushed them while this one waited for the lease.
        records = [r for r in records
                   if not (r.status == statuses.SYNCED and r.synced_hash == r.content_hash)]
        links = links_of(session, [r.id for r in records])
        found = dependencies.targets(session, registry.ENTITIES,
                                     {ref for r in records for ref in spec.refs(r.data)}, run.mappings)
        base = PayloadContext(sync=run.sync, mappings=run.mappings, refs=found,
                              accounts=dependencies.account_ids(session))
        for record in records:
            if record.qbo_id and action_of[record.id] == CREATE and not spec.parts:
                action_of[record.id] = "update"    # created by a run that finished meanwhile
            missing = dependencies.unresolved(spec, record, found)
            if missing:
                planned.blocked[record.id] = missing
                continue
            try:
                if spec.parts:
                    planned.operations += parts.operations(spec, record, replace(base, links=links.get(record.id, {})))
                else:
                    planned.operations.append(build_operation(spec, run.sync, record, links.get(record.id, {}),
                                                              action_of[record.id], base))
            except PayloadError as problem:
                planned.blocked[record.id] = [str(problem)]
    planned.records = {r.id: r for r in records}
    return planned


def build_operation(spec: EntitySpec, sync: SyncSettings, record: Record, links, action: str,
                    ctx: PayloadContext | None = None) -> Operation:
    ctx = ctx or PayloadContext(sync=sync, links=links, mappings=Mappings())
    if ctx.links is not links:
        ctx = replace(ctx, links=links)
    body = spec.payload(record.data, ctx)
    writer = spec.writer(sync)
    if spec.rest_fields and writer != "rest" and action != CREATE and project_links.is_sub_customer(record.qbo_objects):
        # Linked to an existing sub-customer (the same job): it stays a customer, written by REST.
        writer, body = "rest", spec.rest_fields(body)
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
    entities = tuple(dict.fromkeys(op.qbo_entity for op in creates))   # one declaration may write several lists
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
