"""The run report: counts per status, what was pushed, and every problem with its fix."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from qbo_sync import statuses

if TYPE_CHECKING:   # to_markdown() serves `qbo-sync report`, which does not import SQLAlchemy
    from qbo_sync.db.engine import StagingDb
    from qbo_sync.entities.base import EntitySpec

NO_PROJECT = "(no project)"


def build_report(db: StagingDb, specs: list[EntitySpec], *, imports=(), pushes=(),
                 preview_counts: dict | None = None, approved: bool | None = None,
                 flow_run_id: str | None = None, note: str = "") -> dict:
    from sqlalchemy import func, select

    from qbo_sync.db.models import Record
    from qbo_sync.pipeline import documents, payments

    names = [s.name for s in specs]
    with db.session() as session:
        counts: dict[str, dict[str, int]] = {n: {code: 0 for code in statuses.LABELS} for n in names}
        for entity, status, n in session.execute(
                select(Record.entity, Record.status, func.count())
                .where(Record.entity.in_(names), Record.deleted_in_source.is_(False))
                .group_by(Record.entity, Record.status)):
            counts[entity][status] = n
        problems = [
            {"entity": r.entity, "source_id": r.source_id, "name": r.name,
             "status": statuses.label(r.status), "reasons": statuses.reason_texts(r.reasons)}
            for r in session.scalars(select(Record).where(
                Record.entity.in_(names),
                Record.status.in_((statuses.FAILED, statuses.NEEDS_ACTION)),
                Record.deleted_in_source.is_(False)).order_by(Record.entity, Record.status, Record.id))
        ]
    return {
        "flow_run_id": flow_run_id,
        "approved": approved,
        "note": note,
        "imports": [i.summary() if hasattr(i, "summary") else i for i in imports],
        "preview": preview_counts or {},
        "pushed": [{"entity": p.entity, "created": p.created, "updated": p.updated, "failed": len(p.failed),
                    **({"linked": p.linked} if getattr(p, "linked", 0) else {}),
                    **({"deleted": p.deleted} if getattr(p, "deleted", 0) else {})} for p in pushes],
        "counts": {e: {statuses.label(k): v for k, v in c.items()} for e, c in counts.items()},
        "problems": problems,
        "bills": balances(db, balanced) if (balanced := next((s for s in specs if s.reads_balance), None)) else {},
        "payments": payments.per_payee(db, specs),
        "documents": documents.per_entity(db, specs),
        "deleted_in_source": deleted_in_source(db, specs, pushes),
    }


def records_written(db: StagingDb, flow_run_id: str | None) -> int:
    """Records this run wrote to QBO (synced or deleted there), from their sync attempts."""
    from sqlalchemy import func, select

    from qbo_sync.db.models import SyncAttempt

    if not flow_run_id:
        return 0
    with db.session() as session:
        return session.scalar(select(func.count(func.distinct(SyncAttempt.record_id))).where(
            SyncAttempt.flow_run_id == flow_run_id, SyncAttempt.outcome.in_(("synced", "deleted")))) or 0


def deleted_in_source(db: StagingDb, specs: list[EntitySpec], pushes=()) -> list[dict]:
    """Records deleted in the source whose objects this run deleted in QBO, or that QBO still
    holds (kept by rule, to be deleted, or a delete that failed), with what they held."""
    from sqlalchemy import select

    from qbo_sync import source_deletions
    from qbo_sync.db.models import Record

    deleted_now = {(p.entity, s) for p in pushes for s in getattr(p, "deleted_ids", [])}
    by_name = {spec.name: spec for spec in specs}
    rows = []
    with db.session() as session:
        for r in session.scalars(select(Record).where(Record.entity.in_(list(by_name)),
                                                      Record.deleted_in_source.is_(True)).order_by(Record.id)):
            now = (r.entity, r.source_id) in deleted_now
            found = source_deletions.describe(by_name[r.entity], {
                "status": r.status, "reasons": r.reasons, "qbo_id": r.qbo_id, "qbo_objects": r.qbo_objects,
                "data": r.data}, deleted_now=now)
            if not (now or found["in_qbo"]):
                continue              # never synced, or deleted in QBO by an earlier run
            rows.append({"entity": r.entity, "source_id": r.source_id, "name": r.name,
                         "qbo_id": ", ".join(found["qbo_ids"]), **found})
    return rows


def balances(db: StagingDb, spec: EntitySpec) -> dict:
    """Paid and open objects (an entity whose QBO objects keep a balance) per job, from the
    balances the last pull/reconcile stored."""
    from sqlalchemy import select

    from qbo_sync import entities as registry
    from qbo_sync.db.models import Record

    with db.session() as session:
        held = [(r.data, (r.qbo_objects or {}).get("balance")) for r in session.scalars(select(Record).where(
            Record.entity == spec.name, Record.qbo_id.is_not(None), Record.deleted_in_source.is_(False)))]
        names = dict(session.execute(select(Record.source_id, Record.name)
                                     .where(Record.entity == registry.JOB)).all())
    return {**balances_per_project(held, names), "label": spec.label}


def balances_per_project(bills: list[tuple[dict, dict | None]], project_names: dict[str, str]) -> dict:
    """{"as_of", "not_checked", "per_job": [...]}: each bill counts under every project its lines
    charge, with its total and open balance shared out by those lines' amounts."""
    per: dict[str, dict] = {}
    checked = [b for _, b in bills if b]
    for data, balance in bills:
        if not balance:
            continue
        state = "paid" if balance["balance"] == 0 else "open"
        for project, share in _project_shares(data).items():
            row = per.setdefault(project, {"project": project, "name": project_names.get(project, ""),
                                           "paid_bills": 0, "paid_amount": 0.0,
                                           "open_bills": 0, "open_balance": 0.0})
            row[f"{state}_bills"] += 1
            if state == "paid":
                row["paid_amount"] += balance["total"] * share
            else:
                row["open_balance"] += balance["balance"] * share
    rows = [{**r, "paid_amount": round(r["paid_amount"], 2), "open_balance": round(r["open_balance"], 2)}
            for _, r in sorted(per.items())]
    return {"as_of": max((b["checked_at"] for b in checked), default=None),
            "not_checked": len(bills) - len(checked), "per_job": rows}


def _project_shares(data: dict) -> dict[str, float]:
    """The share of a bill's amount charged to each project (a line without one: the bill's)."""
    amounts: dict[str, float] = {}
    for line in json.loads(data.get("lines") or "[]"):
        project = line.get("project_id") or data.get("project_id") or NO_PROJECT
        amounts[project] = amounts.get(project, 0.0) + abs(float(line.get("amount") or 0))
    whole = sum(amounts.values())
    if not whole:
        return {data.get("project_id") or NO_PROJECT: 1.0}
    return {p: a / whole for p, a in amounts.items()}


def to_text(report: dict) -> str:
    """The report for a terminal: the markdown without HTML entities ("Maple & Main")."""
    return to_markdown(report, html=False)


def to_markdown(report: dict, html: bool = True) -> str:
    """The report's sections (pipeline/report_model.py) as markdown tables with totals rows.

    html: source values escaped for a page that renders the markdown as HTML (Prefect's
    artifacts); False for a terminal, where "&amp;" would be printed as it is."""
    from qbo_sync.pipeline import report_model as model

    _cell = _html_cell if html else _text_cell
    lines = ["# qbo-sync run report", ""]
    for text in model.header(report):
        lines += [_cell(text), ""]
    if report.get("approved") is False:
        lines += [f"**{held_back(report)}: nothing was pushed.**", ""]
    for section in model.sections(report):
        lines += [f"## {section.title}", ""]
        lines += [_cell(note) for note in section.notes] + ([""] if section.notes else [])
        rows = [[_cell(model.fmt(v, c.kind)) for v, c in zip(row, section.columns)] for row in section.rows]
        if section.totals:
            rows.append([f"**{model.fmt(v, c.kind)}**" if v != "" else "" for v, c in
                         zip(section.totals, section.columns)])
        lines += _table([c.label for c in section.columns], rows) + [""]
    return "\n".join(lines)


def held_back(report: dict) -> str:
    from qbo_sync.pipeline.report_model import held_back as why

    return why(report)


def _table(headers: list[str], rows: list[list]) -> list[str]:
    """A markdown table; cells are written as given (source text goes through _cell first)."""
    return ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers),
            *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)]


def _html_cell(text: str) -> str:
    """Source values are untrusted: keep them as text inside a markdown table cell."""
    return _text_cell(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _text_cell(text: str) -> str:
    """A source value inside a markdown table cell printed to a terminal: its own text, with
    control characters (line breaks, escape sequences) as spaces and '|' kept from ending the cell."""
    return _CONTROLS.sub(" ", str(text)).replace("|", "\\|")


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
