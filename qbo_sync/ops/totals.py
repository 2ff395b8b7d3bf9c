"""Hours, labour cost and bill amounts a run pushed, per project: the job cost finance
reconciles against QBO and a project manager compares with the budget.

Labour cost is each TimeActivity's hours times the CostRate it carried (the employee's
hourly cost). Read from what was actually sent (each successful sync attempt's request body), so the
figures match QuickBooks whatever shape a record's source row had.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record, SyncAttempt


def _hours(body: dict) -> float:
    return float(body.get("Hours") or 0) + float(body.get("Minutes") or 0) / 60


def _charged(body: dict) -> list[tuple[str | None, float]]:
    """(QBO customer id, amount) of each bill line: a line counts for the project it charges."""
    found = []
    for line in body.get("Line") or []:
        detail = line.get(line.get("DetailType") or "") or {}
        found.append(((detail.get("CustomerRef") or {}).get("value"), float(line.get("Amount") or 0)))
    return found


def pushed_totals(db: StagingDb, flow_run_id: str | None) -> list[dict]:
    """[{project, name, hours, labour_cost, amount, job_cost}] for the TimeActivity and Bill
    writes of one flow run. Hours written without a CostRate add no labour cost."""
    if not flow_run_id:
        return []
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"hours": 0.0, "labour_cost": 0.0, "amount": 0.0})
    bill_lines: list[tuple[str | None, float, str]] = []
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
                totals[project]["labour_cost"] += _hours(body) * float(body.get("CostRate") or 0)
            else:
                bill_lines += [(customer, amount, project) for customer, amount in _charged(body)]
        customers = {c for c, _, _ in bill_lines if c}
        projects = dict(session.execute(select(Record.qbo_id, Record.source_id).where(
            Record.entity == "projects", Record.qbo_id.in_(list(customers)))).all()) if customers else {}
        for customer, amount, bill_project in bill_lines:
            totals[projects.get(customer, bill_project)]["amount"] += amount
        names = dict(session.execute(select(Record.source_id, Record.name).where(
            Record.entity == "projects", Record.source_id.in_(list(totals)))).all()) if totals else {}
    return [{"project": p, "name": names.get(p, ""), "hours": round(t["hours"], 2),
             "labour_cost": round(t["labour_cost"], 2), "amount": round(t["amount"], 2),
             "job_cost": round(t["labour_cost"] + t["amount"], 2)}
            for p, t in sorted(totals.items())]
