"""Read-only views of the staging database: status lists, history, payloads, reports.

Shared by the CLI and the console. They import neither Prefect nor Great Expectations.
"""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import FieldChange, Record, RecordLink, Run, SyncAttempt
from qbo_sync.pipeline import records as staged


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def status_rows(db: StagingDb, entity: str | None = None, status: str | None = None) -> list[dict]:
    query = select(Record).where(Record.deleted_in_source.is_(False)).order_by(Record.id)
    if entity:
        query = query.where(Record.entity == entity)
    if status:
        query = query.where(Record.status == status)
    with db.session() as session:
        records = list(session.scalars(query))
        links = {(link.record_id, link.role): link for link in session.scalars(select(RecordLink))}
    rows = []
    for r in records:
        customer = links.get((r.id, "customer"))
        rows.append({
            "record": r.id, "entity": r.entity, "source_id": r.source_id, "name": r.name,
            "status": statuses.label(r.status), "reasons": statuses.reason_texts(r.reasons),
            "qbo_id": r.qbo_id, "qbo_ids": {k: v.get("id") for k, v in (r.qbo_objects or {}).items()},
            "synced_at": _iso(r.synced_at),
            "synced": r.synced_at.strftime("%Y-%m-%d %H:%M") if r.synced_at else "Not Synced",
            "qbo_customer": ({"qbo_id": customer.qbo_id, "name": customer.qbo_name} if customer else None),
            "suggested_customer": (r.suggestions or {}).get("customer"),
        })
    return rows


def history(db: StagingDb, record_text: str) -> dict:
    with db.session() as session:
        record = staged.find(session, record_text)
        changes = session.scalars(select(FieldChange).where(FieldChange.record_id == record.id)
                                  .order_by(FieldChange.id))
        attempts = session.scalars(select(SyncAttempt).where(SyncAttempt.record_id == record.id)
                                   .order_by(SyncAttempt.id))
        return {
            "record": record.id, "entity": record.entity, "source_id": record.source_id,
            "name": record.name, "status": statuses.label(record.status),
            "changes": [{"when": _iso(c.changed_at), "import": c.import_id, "field": c.field,
                         "old": c.old, "new": c.new} for c in changes],
            "sync_activity": [{"when": _iso(a.attempted_at), "flow_run": a.flow_run_id,
                               "operation": a.operation, "outcome": a.outcome, "qbo_id": a.qbo_id,
                               "message": a.message} for a in attempts],
        }


def payload(db: StagingDb, record_text: str) -> dict:
    """Every QBO object the record wrote, each with the JSON last sent for it and QBO's answer.

    A record can write several objects (a weekly timesheet: one TimeActivity per day), so
    "objects" lists each, by the part it is of the record ("mon"...; null for the record's one
    object), with whether QBO holds it now. "request", "response" and "sent_at" are those of
    the latest of them, as before. "wrote_nothing" is true for a record that is Synced with
    nothing written, such as a week with no hours.
    """
    with db.session() as session:
        record = staged.find(session, record_text)
        attempts = list(session.scalars(select(SyncAttempt).where(SyncAttempt.record_id == record.id,
                                                                  SyncAttempt.request.is_not(None))
                                        .order_by(SyncAttempt.id)))
        held = _held_objects(record)
        last_of: dict = {}
        for attempt in attempts:   # in order: the last one of each object wins
            last_of[attempt.part] = attempt
        objects = [{"part": part, "qbo_entity": a.qbo_entity, "qbo_id": a.qbo_id,
                    "in_qbo_now": part in held and held[part] == a.qbo_id,
                    "operation": a.operation, "outcome": a.outcome, "sent_at": _iso(a.attempted_at),
                    "request": a.request, "response": a.response}
                   for part, a in sorted(last_of.items(), key=lambda item: item[1].id)]
        last = attempts[-1] if attempts else None
        return {"record": record.id, "entity": record.entity, "source_id": record.source_id,
                "name": record.name, "status": statuses.label(record.status),
                "wrote_nothing": not attempts and record.status == statuses.SYNCED and not held,
                "objects": objects,
                "sent_at": _iso(last.attempted_at) if last else None,
                "request": last.request if last else None,
                "response": last.response if last else None}


def _held_objects(record: Record) -> dict:
    """{part: QBO id} of the objects QBO holds for the record now (part None: its one object)."""
    held = {part: obj["id"] for part, obj in (record.qbo_objects or {}).items()
            if isinstance(obj, dict) and "hash" in obj and obj.get("id")}
    if record.qbo_id and not held:
        held[None] = record.qbo_id
    return held


def runs(db: StagingDb, limit: int = 20) -> list[Run]:
    with db.session() as session:
        return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))


def run_report(db: StagingDb, run: str | None = None) -> dict | None:
    with db.session() as session:
        query = select(Run).order_by(Run.id.desc()).limit(1)
        if run:
            query = (select(Run).where(Run.id == int(run)) if run.isdigit()
                     else select(Run).where(Run.flow_run_id == run))
        found = session.scalar(query)
        return found.report if found else None
