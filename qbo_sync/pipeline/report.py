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
                    **({"deleted": p.deleted} if getattr(p, "deleted", 0) else {})} for p in pushes],
        "counts": {e: {statuses.label(k): v for k, v in c.items()} for e, c in counts.items()},
        "problems": problems,
        "bills": bill_balances(db) if "vendor_bills" in names else {},
        "deleted_in_source": deleted_in_source(db, pushes) if "vendor_bills" in names else [],
    }


def expiry_line(health: dict) -> str:
    return (f"**The QuickBooks connection expires on {health['expires_on']} (in {health['days_left']} days)**: "
            "reconnect to QuickBooks before then, or runs will stop.")


def records_written(db: StagingDb, flow_run_id: str | None) -> int:
    """Records this run wrote to QBO (synced or deleted there), from their sync attempts."""
    from sqlalchemy import func, select

    from qbo_sync.db.models import SyncAttempt

    if not flow_run_id:
        return 0
    with db.session() as session:
        return session.scalar(select(func.count(func.distinct(SyncAttempt.record_id))).where(
            SyncAttempt.flow_run_id == flow_run_id, SyncAttempt.outcome.in_(("synced", "deleted")))) or 0


def deleted_in_source(db: StagingDb, pushes=()) -> list[dict]:
    """Bills deleted in the source: deleted in QBO by this run, or still in QBO (kept by rule, or failed)."""
    from sqlalchemy import select

    from qbo_sync.db.models import Record
    from qbo_sync.pipeline.preview import KEPT_BY_RULE, TO_DELETE

    deleted_now = {(p.entity, s) for p in pushes for s in getattr(p, "deleted_ids", [])}
    rows = []
    with db.session() as session:
        for r in session.scalars(select(Record).where(Record.entity == "vendor_bills",
                                                      Record.deleted_in_source.is_(True)).order_by(Record.id)):
            objects = r.qbo_objects or {}
            if (r.entity, r.source_id) in deleted_now:
                what = "deleted in the source; deleted in QBO"
                qbo_id = objects.get("deleted_in_qbo", {}).get("id")
            elif r.qbo_id is None:
                continue              # never synced, or deleted in QBO by an earlier run
            elif r.status == statuses.FAILED:
                what = "deleted in the source; not deleted in QBO: " + "; ".join(statuses.reason_texts(r.reasons))
                qbo_id = r.qbo_id
            else:
                what = KEPT_BY_RULE if objects.get("deleted_in_source") == "kept" else (
                    TO_DELETE + " (not pushed yet)" if objects.get("deleted_in_source") == "delete"
                    else "deleted in the source; still in QBO")
                qbo_id = r.qbo_id
            rows.append({"entity": r.entity, "source_id": r.source_id, "name": r.name,
                         "qbo_id": qbo_id, "what": what})
    return rows


def bill_balances(db: StagingDb) -> dict:
    """Paid and open vendor bills per project, from the balances the last pull/reconcile stored."""
    from sqlalchemy import select

    from qbo_sync.db.models import Record

    with db.session() as session:
        bills = [(r.data, (r.qbo_objects or {}).get("balance")) for r in session.scalars(select(Record).where(
            Record.entity == "vendor_bills", Record.qbo_id.is_not(None), Record.deleted_in_source.is_(False)))]
        names = dict(session.execute(select(Record.source_id, Record.name).where(Record.entity == "projects")).all())
    return balances_per_project(bills, names)


def balances_per_project(bills: list[tuple[dict, dict | None]], project_names: dict[str, str]) -> dict:
    """{"as_of", "not_checked", "projects": [...]}: each bill counts under every project its lines
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
            "not_checked": len(bills) - len(checked), "projects": rows}


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
    """html: source values escaped for a page that renders the markdown as HTML (Prefect's
    artifacts); False for a terminal, where "&amp;" would be printed as it is."""
    _cell = _html_cell if html else _text_cell
    lines = ["# qbo-sync run report", ""]
    if report.get("flow_run_id"):
        lines += [f"Flow run: `{report['flow_run_id']}`", ""]
    if report.get("note"):
        lines += [report["note"], ""]
    if report.get("imports"):
        lines += ["## Imported", ""] + [f"- {text}" for text in report["imports"]] + [""]
    if report.get("preview"):
        lines += _section("Preview", ["Entity", "Create", "Update", "Delete", "Skip", "Unchanged"], [
            [entity, *(c.get(k, 0) for k in ("create", "update", "delete", "skip", "unchanged"))]
            for entity, c in report["preview"].items()])
    if report.get("approved") is False:
        lines += [f"**{held_back(report)}: nothing was pushed.**", ""]
    if report.get("pushed"):
        lines += _section("Pushed to QuickBooks", ["Entity", "Created", "Updated", "Deleted", "Failed"], [
            [p["entity"], p["created"], p["updated"], p.get("deleted", 0), p["failed"]]
            for p in report["pushed"]])
    if report.get("qbo_calls"):
        from qbo_sync.qbo.metering import summary_line

        lines += [summary_line(report["qbo_calls"]), ""]
    if (report.get("connection") or {}).get("warn"):
        lines += [expiry_line(report["connection"]), ""]
    if report.get("deleted_in_source"):
        lines += _section("Deleted in the source", ["Entity", "Id", "Name", "QBO id", "What happened"], [
            [d["entity"], _cell(d["source_id"]), _cell(d["name"]), _cell(d["qbo_id"] or ""), _cell(d["what"])]
            for d in report["deleted_in_source"]])
    if report.get("totals"):
        lines += _section("Hours and bill amounts pushed per project", ["Project", "Hours", "Bill amount"], [
            [_cell(t["project"]), f"{t['hours']:.2f}", f"{t['amount']:,.2f}"] for t in report["totals"]])
    lines += _bills_markdown(report.get("bills") or {}, _cell)
    lines += _section("Status", ["Entity", *statuses.LABELS.values()], [
        [entity, *(c[label] for label in statuses.LABELS.values())] for entity, c in report["counts"].items()])
    if report["problems"]:
        lines += _section("Needs your attention", ["Entity", "Id", "Name", "Status", "What to fix"], [
            [p["entity"], _cell(p["source_id"]), _cell(p["name"]), p["status"], _cell("; ".join(p["reasons"]))]
            for p in report["problems"]])
    return "\n".join(lines)


def held_back(report: dict) -> str:
    """Why a run pushed nothing though it had changes: Rejected, Dry run or Not approved."""
    return {"rejected": "Rejected", "dry run": "Dry run"}.get(report.get("outcome"), "Not approved")


def _bills_markdown(bills: dict, _cell) -> list[str]:
    # No bill has a balance yet (just created: QBO is read for balances by `qbo-sync pull`):
    # nothing to show, so no section.
    if not bills.get("projects"):
        return []
    lines = ["## Vendor bills paid and open, per project", ""]
    if bills.get("as_of"):
        lines += [f"Balances as QuickBooks had them at {bills['as_of']} (`qbo-sync pull` refreshes them).", ""]
    if bills.get("projects"):
        lines += _table(["Project", "Name", "Paid bills", "Paid amount", "Open bills", "Open balance"], [
            [_cell(r["project"]), _cell(r["name"]), r["paid_bills"], f"{r['paid_amount']:,.2f}",
             r["open_bills"], f"{r['open_balance']:,.2f}"] for r in bills["projects"]])
    if bills.get("not_checked"):
        lines += ["", f"{bills['not_checked']} synced bills have no balance yet: run `qbo-sync pull`."]
    return lines + [""]


def _section(title: str, headers: list[str], rows: list[list]) -> list[str]:
    """A "## title" section holding one table, and the blank line after it."""
    return [f"## {title}", "", *_table(headers, rows), ""]


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
