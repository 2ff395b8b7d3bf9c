"""Hours and amounts a run pushed, per project: what finance reconciles against QBO.

Read from what was actually sent (each successful sync attempt's request body), so the
figures match QuickBooks whatever shape a record's source row had.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record, SyncAttempt


def _hours(body: dict) -> float:
    return float(body.get("Hours") or 0) + float(body.get("Minutes") or 0) / 60


def _amount(body: dict) -> float:
    return sum(float(line.get("Amount") or 0) for line in body.get("Line") or [])


def pushed_totals(db: StagingDb, flow_run_id: str | None) -> list[dict]:
    """[{project, name, hours, amount}] for the TimeActivity and Bill writes of one flow run."""
    if not flow_run_id:
        return []
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"hours": 0.0, "amount": 0.0})
    with db.session() as session:
        attempts = session.execute(
            select(SyncAttempt.qbo_entity, SyncAttempt.request, Record.data)
            .join(Record, Record.id == SyncAttempt.record_id)
            .where(SyncAttempt.flow_run_id == flow_run_id, SyncAttempt.outcome == "synced",
                   SyncAttempt.qbo_entity.in_(("TimeActivity", "Bill")),
                   SyncAttempt.operation.in_(("create", "update"))))
        for qbo_entity, request, data in attempts:
            body = (request or {}).get(qbo_entity, request or {})
            project = (data or {}).get("project_id") or "(no project)"
            if qbo_entity == "TimeActivity":
                totals[project]["hours"] += _hours(body)
            else:
                totals[project]["amount"] += _amount(body)
        # Names next to ids in the report: the project's staged name.
        names = dict(session.execute(select(Record.source_id, Record.name).where(
            Record.entity == "projects", Record.source_id.in_(list(totals)))).all()) if totals else {}
    return [{"project": p, "name": names.get(p, ""), "hours": round(t["hours"], 2), "amount": round(t["amount"], 2)}
            for p, t in sorted(totals.items())]
