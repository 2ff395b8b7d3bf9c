"""Preview: what a push would create, update and skip, before anything is written."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.entities.base import EntitySpec
from qbo_sync.pipeline import records as staged

CREATE, UPDATE, SKIP = "create", "update", "skip"


@dataclass
class PreviewRow:
    entity: str
    record_id: int
    source_id: str
    name: str
    action: str          # create | update | skip
    qbo_id: str | None
    reason: str          # why skipped, in plain words


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)   # Synced records with no edit

    def counts(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for row in self.rows:
            table.setdefault(row.entity, {CREATE: 0, UPDATE: 0, SKIP: 0})[row.action] += 1
        for entity, n in self.unchanged.items():
            table.setdefault(entity, {CREATE: 0, UPDATE: 0, SKIP: 0})["unchanged"] = n
        return table

    def to_push(self, entity: str) -> list[PreviewRow]:
        return [r for r in self.rows if r.entity == entity and r.action in (CREATE, UPDATE)]

    def table_rows(self) -> list[dict]:
        return [asdict(r) for r in self.rows]

    def to_text(self, limit: int = 200) -> str:
        """The rows as a terminal table, writes first, for a person about to approve."""
        from qbo_sync.tables import render_table

        order = {CREATE: 0, UPDATE: 1, SKIP: 2}
        rows = sorted(self.table_rows(), key=lambda r: (order[r["action"]], r["entity"], r["record_id"]))
        text = render_table(rows[:limit], [("action", "Action"), ("entity", "Entity"), ("source_id", "Id"),
                                           ("name", "Name"), ("qbo_id", "QBO id"), ("reason", "Why skipped")])
        if len(rows) > limit:
            text += f"\n… and {len(rows) - limit} more (qbo-sync status lists them all)"
        return text


def build_preview(db: StagingDb, specs: list[EntitySpec],
                  source_ids: dict[str, list[str]] | None = None) -> Preview:
    """The plan for `specs`, narrowed to `source_ids[entity]` where given."""
    preview = Preview()
    with db.session() as session, session.begin():
        for spec in specs:
            wanted = (source_ids or {}).get(spec.name)
            records = staged.load(session, spec.name, source_ids=wanted)
            unchanged = 0
            for record in records:
                if record.status == statuses.SYNCED:
                    unchanged += 1
                    continue
                if record.status == statuses.NEEDS_SYNC and record.qbo_id and record.synced_hash == record.content_hash:
                    # Back to how QBO has it (an edit undone, a duplicate removed): no write.
                    record.status, record.reasons = statuses.SYNCED, []
                    unchanged += 1
                    continue
                if record.status == statuses.NEEDS_SYNC:
                    action, reason = (UPDATE if record.qbo_id else CREATE), ""
                elif record.status == statuses.FAILED:
                    action = SKIP
                    reason = "Failed before: " + "; ".join(statuses.reason_texts(record.reasons)) + \
                             " (fix it in the source, then qbo-sync retry)"
                else:
                    action, reason = SKIP, "; ".join(statuses.reason_texts(record.reasons))
                preview.rows.append(PreviewRow(spec.name, record.id, record.source_id, record.name,
                                               action, record.qbo_id, reason))
            preview.unchanged[spec.name] = unchanged
    return preview
