"""The run report: counts per status, what was pushed, and every problem with its fix."""

from __future__ import annotations

from sqlalchemy import func, select

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record
from qbo_sync.entities.base import EntitySpec


def build_report(db: StagingDb, specs: list[EntitySpec], *, imports=(), pushes=(),
                 preview_counts: dict | None = None, approved: bool | None = None,
                 flow_run_id: str | None = None, note: str = "") -> dict:
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
        "pushed": [{"entity": p.entity, "created": p.created, "updated": p.updated,
                    "failed": len(p.failed)} for p in pushes],
        "counts": {e: {statuses.label(k): v for k, v in c.items()} for e, c in counts.items()},
        "problems": problems,
    }


def to_markdown(report: dict) -> str:
    lines = ["# qbo-sync run report", ""]
    if report.get("flow_run_id"):
        lines += [f"Flow run: `{report['flow_run_id']}`", ""]
    if report.get("note"):
        lines += [report["note"], ""]
    if report.get("imports"):
        lines += ["## Imported", ""] + [f"- {text}" for text in report["imports"]] + [""]
    if report.get("preview"):
        lines += ["## Preview", "", "| Entity | Create | Update | Skip | Unchanged |", "|---|---|---|---|---|"]
        for entity, c in report["preview"].items():
            lines.append(f"| {entity} | {c.get('create', 0)} | {c.get('update', 0)} | {c.get('skip', 0)} "
                         f"| {c.get('unchanged', 0)} |")
        lines.append("")
    if report.get("approved") is False:
        lines += ["**Not approved: nothing was pushed.**", ""]
    if report.get("pushed"):
        lines += ["## Pushed to QuickBooks", "", "| Entity | Created | Updated | Failed |", "|---|---|---|---|"]
        for p in report["pushed"]:
            lines.append(f"| {p['entity']} | {p['created']} | {p['updated']} | {p['failed']} |")
        lines.append("")
    if report.get("totals"):
        lines += ["## Hours and bill amounts pushed per project", "", "| Project | Hours | Bill amount |",
                  "|---|---|---|"]
        for t in report["totals"]:
            lines.append(f"| {_cell(t['project'])} | {t['hours']:.2f} | {t['amount']:,.2f} |")
        lines.append("")
    lines += ["## Status", "", "| Entity | " + " | ".join(statuses.LABELS.values()) + " |",
              "|---|" + "---|" * len(statuses.LABELS)]
    for entity, c in report["counts"].items():
        lines.append(f"| {entity} | " + " | ".join(str(c[label]) for label in statuses.LABELS.values()) + " |")
    lines.append("")
    if report["problems"]:
        lines += ["## Needs your attention", "", "| Entity | Id | Name | Status | What to fix |",
                  "|---|---|---|---|---|"]
        for p in report["problems"]:
            lines.append(f"| {p['entity']} | {_cell(p['source_id'])} | {_cell(p['name'])} | {p['status']} "
                         f"| {_cell('; '.join(p['reasons']))} |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Source values are untrusted: keep them as text inside a markdown table cell."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\n", " ").replace("\r", " "))
