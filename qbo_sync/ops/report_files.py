"""The run report as files for finance: a standalone HTML page and a CSV of the same rows.

Source values (names, ids, reasons) are untrusted. The HTML escapes every value; the CSV
neutralises cells a spreadsheet would run as a formula (leading =, +, -, @, and the tab or
carriage return some spreadsheets also honour) by prefixing a single quote.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from qbo_sync import statuses
from qbo_sync.pipeline.report import held_back

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("section", "entity", "project", "source_id", "name", "status", "measure", "value", "what_to_fix")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_rows(report: dict) -> list[dict]:
    """Every fact of the report as flat rows: the CSV, and the table artifacts, are these."""
    rows: list[dict] = []
    for entity, counts in report.get("counts", {}).items():
        for status, n in counts.items():
            rows.append({"section": "status", "entity": entity, "status": status, "measure": "records", "value": n})
    for entity, c in report.get("preview", {}).items():
        for action in ("create", "update", "link", "skip", "unchanged"):
            rows.append({"section": "preview", "entity": entity, "measure": action, "value": c.get(action, 0)})
    for p in report.get("pushed", []):
        for measure in ("created", "updated", "linked", "failed"):
            rows.append({"section": "pushed", "entity": p["entity"], "measure": measure, "value": p.get(measure, 0)})
    for t in report.get("totals", []):
        for measure in ("hours", "amount"):
            if t.get(measure):
                rows.append({"section": "pushed per project", "project": t["project"], "measure": measure,
                             "value": t[measure]})
    for b in (report.get("bills") or {}).get("projects", []):
        for measure in ("paid_bills", "paid_amount", "open_bills", "open_balance"):
            rows.append({"section": "vendor bills per project", "entity": "vendor_bills", "project": b["project"],
                         "name": b["name"], "measure": measure, "value": b[measure]})
    for p in report.get("problems", []):
        rows.append({"section": "needs attention", "entity": p["entity"], "source_id": p["source_id"],
                     "name": p["name"], "status": p["status"], "what_to_fix": "; ".join(p["reasons"])})
    return rows


def to_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report_rows(report):
        writer.writerow({c: safe_cell(row.get(c, "")) for c in CSV_COLUMNS})
    return out.getvalue()


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:0 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f3f3f3}td.n{text-align:right}.bad{color:#a00}"""


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{html.escape(str(v))}</td>'
                         for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: dict, title: str = "qbo-sync run report", data_docs: str | None = None) -> str:
    """The report as a page; data_docs: the Data Docs index, relative to the page (reports_dir)."""
    e = html.escape
    parts = [f"<!doctype html><html><head><meta charset=utf-8><title>{e(title)}</title>"
             f"<style>{_STYLE}</style></head><body><h1>{e(title)}</h1>"]
    if report.get("flow_run_id"):
        parts.append(f"<p>Flow run: <code>{e(report['flow_run_id'])}</code></p>")
    if report.get("note"):
        parts.append(f"<p>{e(report['note'])}</p>")
    if data_docs is not None:
        parts.append(f'<p>Validation details for data engineers: <a href="{e(data_docs)}">'
                     "Great Expectations Data Docs</a></p>")
    if report.get("approved") is False:
        parts.append(f'<p class=bad><strong>{held_back(report)}: nothing was pushed.</strong></p>')
    if report.get("preview"):
        parts.append("<h2>Preview</h2>" + _table(
            ["Entity", "Create", "Update", "Link", "Skip", "Unchanged"],
            [[ent, c.get("create", 0), c.get("update", 0), c.get("link", 0), c.get("skip", 0), c.get("unchanged", 0)]
             for ent, c in report["preview"].items()], numeric={1, 2, 3, 4, 5}))
    if report.get("pushed"):
        parts.append("<h2>Pushed to QuickBooks</h2>" + _table(
            ["Entity", "Created", "Updated", "Linked", "Failed"],
            [[p["entity"], p["created"], p["updated"], p.get("linked", 0), p["failed"]] for p in report["pushed"]],
            numeric={1, 2, 3, 4}))
    if report.get("totals"):
        parts.append("<h2>Hours and amounts pushed per project</h2>" + _table(
            ["Project", "Hours", "Amount"],
            [[t["project"], t.get("hours", 0), f"{t.get('amount', 0):.2f}"] for t in report["totals"]],
            numeric={1, 2}))
    bills = report.get("bills") or {}
    if bills.get("projects"):
        as_of = f"<p>Balances as QuickBooks had them at {e(str(bills['as_of']))}.</p>" if bills.get("as_of") else ""
        parts.append("<h2>Vendor bills paid and open, per project</h2>" + as_of + _table(
            ["Project", "Name", "Paid bills", "Paid amount", "Open bills", "Open balance"],
            [[b["project"], b["name"], b["paid_bills"], f"{b['paid_amount']:.2f}", b["open_bills"],
              f"{b['open_balance']:.2f}"] for b in bills["projects"]], numeric={2, 3, 4, 5}))
    labels = list(statuses.LABELS.values())
    parts.append("<h2>Status</h2>" + _table(
        ["Entity"] + labels, [[ent] + [c.get(label, 0) for label in labels] for ent, c in report.get("counts", {}).items()],
        numeric=set(range(1, len(labels) + 1))))
    if report.get("problems"):
        parts.append("<h2>Needs your attention</h2>" + _table(
            ["Entity", "Id", "Name", "Status", "What to fix"],
            [[p["entity"], p["source_id"], p["name"], p["status"], "; ".join(p["reasons"])]
             for p in report["problems"]]))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report_files(report: dict, reports_dir: Path, name: str) -> dict[str, Path]:
    """Write NAME.html and NAME.csv into reports_dir; returns their paths by kind."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    paths = {"html": reports_dir / f"{name}.html", "csv": reports_dir / f"{name}.csv"}
    from qbo_sync.ops.data_docs import index_for_report

    # A relative link: it opens from the file and from the console (/reports/) alike.
    docs = index_for_report(reports_dir, report)
    link = docs.relative_to(reports_dir.resolve()).as_posix() if docs else None
    paths["html"].write_text(to_html(report, data_docs=link), encoding="utf-8")
    # utf-8-sig: Excel opens it with the right encoding.
    paths["csv"].write_text(to_csv(report), encoding="utf-8-sig")
    return {k: p.resolve() for k, p in paths.items()}


def report_name(run_number: int | None, flow_run_id: str | None) -> str:
    return f"run-{run_number:05d}" if run_number else f"run-{(flow_run_id or 'local')[:8]}"
