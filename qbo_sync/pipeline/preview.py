"""Preview: what a push would create, update, link, delete and skip, before anything is written.

"link" is an update of an object QBO already held before this record was synced: adopted in
the map stage (pipeline/adoption.py), so the preview's counts are the push's. A record that
becomes several QBO objects (a timesheet week) also counts the objects it writes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import func, select

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record
from qbo_sync.entities.base import EntitySpec, PayloadContext
from qbo_sync.pipeline import adoption
from qbo_sync.pipeline import records as staged
from qbo_sync.source_deletions import KEPT_BY_RULE, TO_DELETE

CREATE, UPDATE, LINK, DELETE, SKIP = "create", "update", "link", "delete", "skip"
NOT_SYNCED = (statuses.NEEDS_SYNC, statuses.NEEDS_ACTION, statuses.FAILED)
PREVIEW_COLUMNS = ("source_id", "name", "status", "reasons", "qbo_id", "synced_hash", "content_hash",
                   "qbo_objects")
WRITES = (CREATE, UPDATE, LINK, DELETE)


@dataclass
class PreviewRow:
    entity: str
    record_id: int
    source_id: str
    name: str
    action: str          # create | update | link | delete | skip
    qbo_id: str | None
    reason: str          # why skipped, or the existing object it links to, in plain words
    objects: dict[str, int] | None = None   # a record of parts: QBO objects to create/update/delete


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)   # Synced records with no edit
    # Entities whose records are several QBO objects: the objects' writes, {"create": n, ...}.
    objects: dict[str, dict[str, int]] = field(default_factory=dict)
    # Documents to attach in QBO (pipeline/documents.py), per entity: uploads the push makes.
    attachments: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for row in self.rows:
            table.setdefault(row.entity, _zero())[row.action] += 1
        for entity, n in self.unchanged.items():
            table.setdefault(entity, _zero())["unchanged"] = n
        return table

    def writes(self) -> int:
        """How many writes the push would make: creates, updates, links, deletes and documents."""
        return sum(1 for r in self.rows if r.action in WRITES) + sum(self.attachments.values())

    def to_push(self, entity: str) -> list[PreviewRow]:
        return [r for r in self.rows if r.entity == entity and r.action in WRITES]

    def table_rows(self) -> list[dict]:
        return [{k: v for k, v in asdict(r).items() if k != "objects"} for r in self.rows]

    def to_text(self, limit: int = 200) -> str:
        """The rows as a terminal table, writes first, for a person about to approve."""
        from qbo_sync.tables import render_table

        order = {CREATE: 0, UPDATE: 1, LINK: 2, DELETE: 3, SKIP: 4}
        rows = sorted(self.table_rows(), key=lambda r: (order[r["action"]], r["entity"], r["record_id"]))
        text = render_table(rows[:limit], [("action", "Action"), ("entity", "Entity"), ("source_id", "Id"),
                                           ("name", "Name"), ("qbo_id", "QBO id"), ("reason", "Why")])
        if len(rows) > limit:
            text += f"\n… and {len(rows) - limit} more (qbo-sync status lists them all)"
        return text


def _zero() -> dict[str, int]:
    return {CREATE: 0, UPDATE: 0, LINK: 0, DELETE: 0, SKIP: 0}


def build_preview(db: StagingDb, specs: list[EntitySpec],
                  source_ids: dict[str, list[str]] | None = None,
                  delete_in_qbo: frozenset[str] | set[str] = frozenset(),
                  context: PayloadContext | None = None) -> Preview:
    """The plan for `specs`, narrowed to `source_ids[entity]` where given.

    `context` (sync settings and mappings) lets the records of parts count the QBO objects
    they write; without it they are counted as records only.

    Synced records deleted in the source are listed: action delete for the entities in
    `delete_in_qbo` (the mappings rule), else skip, "kept in QBO by rule".
    """
    preview = Preview()
    with db.session() as session, session.begin():
        for spec in specs:
            wanted = (source_ids or {}).get(spec.name)
            # Synced records are only counted: on a nightly run they are nearly all of them.
            unchanged = _count_synced(session, spec.name, wanted)
            records = staged.rows(session, spec.name, PREVIEW_COLUMNS, NOT_SYNCED, source_ids=wanted)
            back_in_step = []
            for record in records:
                if record.status == statuses.NEEDS_SYNC and record.qbo_id and record.synced_hash == record.content_hash:
                    # Back to how QBO has it (an edit undone, a duplicate removed): no write.
                    back_in_step.append({"b_id": record.id, "status": statuses.SYNCED, "reasons": []})
                    unchanged += 1
                    continue
                adopted = adoption.adopted_of(record.qbo_objects)
                if record.status == statuses.NEEDS_SYNC and record.qbo_id and adopted:
                    action, reason = LINK, adoption.describe(adopted, _label(adopted["entity"]))
                elif record.status == statuses.NEEDS_SYNC:
                    action, reason = (UPDATE if record.qbo_id else CREATE), ""
                    if record.qbo_id and not record.synced_hash:
                        # Linked at map time to an object QBO already had (pipeline/project_links.py).
                        reason = ((record.qbo_objects or {}).get("existing") or {}).get("note", "")
                elif record.status == statuses.FAILED:
                    action = SKIP
                    reason = "Failed before: " + "; ".join(statuses.reason_texts(record.reasons)) + \
                             " (fix it in the source, then qbo-sync retry)"
                else:
                    action, reason = SKIP, "; ".join(statuses.reason_texts(record.reasons))
                preview.rows.append(PreviewRow(spec.name, record.id, record.source_id, record.name,
                                               action, record.qbo_id, reason))
            staged.bulk_update(session, back_in_step)
            if spec.parts and context is not None:
                _count_objects(session, spec, context, preview)
            preview.unchanged[spec.name] = unchanged
            if spec.delete_rule:   # source deletions the mappings may delete in QBO too
                preview.rows += _deleted_in_source(session, spec, wanted, spec.name in delete_in_qbo)
    return preview


def _label(qbo_entity: str) -> str:
    """"TimeActivity" -> "time activity": QBO's entity name as words."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", qbo_entity).lower()


def _count_objects(session, spec: EntitySpec, context: PayloadContext, preview: Preview) -> None:
    """The QBO objects each record of parts writes, as the push will build them; a record
    whose objects cannot be built yet is skipped with the reason the push would give."""
    from qbo_sync import entities as registry
    from qbo_sync.entities.base import PayloadError
    from qbo_sync.pipeline import dependencies, parts

    rows = [r for r in preview.rows if r.entity == spec.name and r.action in (CREATE, UPDATE, LINK)]
    records = {r.id: r for r in staged.load(session, spec.name, record_ids=[r.record_id for r in rows])}
    found = dependencies.targets(session, registry.ENTITIES,
                                 {ref for r in records.values() for ref in spec.refs(r.data)}, context.mappings)
    ctx = replace(context, refs=found, accounts=dependencies.account_ids(session))
    totals = {CREATE: 0, UPDATE: 0, DELETE: 0}
    for row in rows:
        try:
            operations = parts.operations(spec, records[row.record_id], ctx)
        except PayloadError as problem:
            row.action, row.reason = SKIP, str(problem)
            continue
        row.objects = {action: sum(1 for op in operations if op.action == action) for action in totals}
        for action, n in row.objects.items():
            totals[action] += n
        label = _label(spec.qbo_entity)
        written = ", ".join(f"{n} to {action}" for action, n in row.objects.items() if n) or "nothing to write"
        row.reason = "; ".join(t for t in (row.reason, f"{label} entries in QuickBooks: {written}") if t)
    preview.objects[spec.name] = totals


def _count_synced(session, entity: str, wanted: list[str] | None) -> int:
    if wanted is not None:
        return len(staged.rows(session, entity, ("status",), (statuses.SYNCED,), source_ids=wanted))
    return session.scalar(select(func.count()).select_from(Record).where(
        Record.entity == entity, Record.status == statuses.SYNCED, Record.deleted_in_source.is_(False)))


def _deleted_in_source(session, spec: EntitySpec, wanted: list[str] | None, delete: bool) -> list[PreviewRow]:
    query = select(Record).where(Record.entity == spec.name, Record.deleted_in_source.is_(True),
                                 Record.qbo_id.is_not(None)).order_by(Record.id)
    gone = [r for r in session.scalars(query) if wanted is None or r.source_id in wanted]
    for record in gone:   # the decision, for the run report
        record.qbo_objects = {**(record.qbo_objects or {}), "deleted_in_source": DELETE if delete else "kept"}
    return [PreviewRow(spec.name, r.id, r.source_id, r.name, DELETE if delete else SKIP, r.qbo_id,
                       TO_DELETE if delete else KEPT_BY_RULE) for r in gone]
