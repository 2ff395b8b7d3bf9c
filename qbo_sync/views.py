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
    """The exact JSON last sent to QBO for a record, and QBO's answer."""
    with db.session() as session:
        record = staged.find(session, record_text)
        last = session.scalar(select(SyncAttempt).where(SyncAttempt.record_id == record.id,
                                                        SyncAttempt.request.is_not(None))
                              .order_by(SyncAttempt.id.desc()).limit(1))
        return {"record": record.id, "entity": record.entity, "source_id": record.source_id,
                "sent_at": _iso(last.attempted_at) if last else None,
                "request": last.request if last else None,
                "response": last.response if last else None}


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
