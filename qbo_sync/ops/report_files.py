"""The run report as files for finance: a standalone HTML page and a CSV of the same rows,
both rendered from the one report model (pipeline/report_model.py), as the markdown is.

Source values (names, ids, reasons) are untrusted. The HTML escapes every value; the CSV
neutralises cells a spreadsheet would run as a formula (leading =, +, -, @, and the tab or
carriage return some spreadsheets also honour) by prefixing a single quote.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from qbo_sync.pipeline import report_model as model

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("section", "entity", "project", "name", "source_id", "qbo_ids", "status", "measure", "value",
               "detail", "what_to_fix")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_rows(report: dict) -> list[dict]:
    """Every fact of the report as flat rows, section by section, totals rows included (first
    cell "Total"): the CSV, and the table artifacts, are these. Figures stay numbers."""
    rows: list[dict] = []
    for section in model.sections(report):
        every = section.rows + ([section.totals] if section.totals else [])
        for values in every:
            text = {c.key: v for c, v in zip(section.columns, values) if not c.figure and c.key in CSV_COLUMNS}
            figures = [(c, v) for c, v in zip(section.columns, values) if c.figure]
            if not figures:
                rows.append({"section": section.key, **text})
            for column, value in figures:
                where = {"status": column.key, "measure": "records"} if column.csv_field == "status" \
                    else {"measure": column.key}
                rows.append({"section": section.key, **text, **where, "value": value})
    return rows


def to_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report_rows(report):
        writer.writerow({c: safe_cell(row.get(c, "")) for c in CSV_COLUMNS})
    return out.getvalue()


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:0 0 1em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f3f3f3}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#a00}
tfoot td{font-weight:bold;background:#fafafa;border-top:2px solid #888}.note{color:#555}
.charts{display:flex;flex-wrap:wrap;gap:1.5em;margin:0 0 1.5em}figure{margin:0}figcaption{font-weight:600;margin:.3em 0}
svg text{font:12px system-ui,sans-serif;fill:#333}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;max-width:none;font-size:10pt}a{color:inherit;text-decoration:none}
section{break-inside:avoid-page}h2{break-after:avoid}thead{display:table-header-group}tr{break-inside:avoid}
.charts{break-inside:avoid}}"""
# Status colours match the console's; bars of a one-series chart are the first.
_COLOURS = {"Needs Sync": "#3b6fd8", "Needs Action": "#d98a00", "Synced": "#2e8b57", "Failed": "#c0392b"}
_PALETTE = ("#3b6fd8", "#2e8b57", "#d98a00", "#c0392b", "#7d5ba6")


def _section_html(section: model.Section) -> str:
    e = html.escape
    numeric = [c.figure for c in section.columns]
    head = "".join(f'<th{" class=n" if n else ""}>{e(c.label)}</th>' for c, n in zip(section.columns, numeric))

    def row(values) -> str:
        return "<tr>" + "".join(f'<td{" class=n" if c.figure else ""}>{e(model.fmt(v, c.kind))}</td>'
                                for c, v in zip(section.columns, values)) + "</tr>"

    foot = f"<tfoot>{row(section.totals)}</tfoot>" if section.totals else ""
    notes = "".join(f"<p class=note>{e(n)}</p>" for n in section.notes)
    charts = "".join(_chart_svg(c) for c in section.charts)
    return (f"<section><h2>{e(section.title)}</h2>{notes}"
            + (f"<div class=charts>{charts}</div>" if charts else "")
            + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(row(r) for r in section.rows)}</tbody>"
            + f"{foot}</table></section>")


def _chart_svg(chart: model.Chart, width: int = 600) -> str:
    """Horizontal bars, one per label, stacked when there are several series; inline SVG (no
    script, no library, nothing fetched), so it shows offline and prints."""
    e = html.escape
    label_w, bar_h, gap, top = 220, 18, 6, 4
    totals = [sum(values[i] for _, values in chart.series) for i in range(len(chart.labels))]
    most = max(totals, default=0) or 1
    plot_w = width - label_w - 90
    legend = len(chart.series) > 1
    height = top + len(chart.labels) * (bar_h + gap) + (24 if legend else 0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{e(chart.title)}">']
    for i, label in enumerate(chart.labels):
        y = top + i * (bar_h + gap)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end"><title>{e(label)}</title>'
                     f"{e(short)}</text>")
        x = label_w
        for k, (name, values) in enumerate(chart.series):
            w = plot_w * values[i] / most
            if w > 0:
                colour = _COLOURS.get(name, _PALETTE[k % len(_PALETTE)])
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                             f"<title>{e(label)}: {e(name)} {e(model.fmt(values[i], chart.kind))}</title></rect>")
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 5}">{e(model.fmt(totals[i], chart.kind))}</text>')
    if legend:
        x, y = label_w, height - 8
        for k, (name, _) in enumerate(chart.series):
            colour = _COLOURS.get(name, _PALETTE[k % len(_PALETTE)])
            parts.append(f'<rect x="{x}" y="{y - 10}" width="10" height="10" fill="{colour}"/>'
                         f'<text x="{x + 14}" y="{y}">{e(name)}</text>')
            x += 24 + 7 * len(name)
    parts.append("</svg>")
    return f"<figure><figcaption>{e(chart.title)}</figcaption>{''.join(parts)}</figure>"


def to_html(report: dict, title: str = "qbo-sync run report", data_docs: str | None = None) -> str:
    """The report as a standalone, printable page; data_docs: the Data Docs index, relative to
    the page (reports_dir)."""
    e = html.escape
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>"
             f"<style>{_STYLE}</style></head><body><h1>{e(title)}</h1>"]
    parts += [f"<p>{e(text)}</p>" for text in model.header(report)]
    if data_docs is not None:
        parts.append(f'<p>Validation details for data engineers: <a href="{e(data_docs)}">'
                     "Great Expectations Data Docs</a></p>")
    if report.get("approved") is False:
        parts.append(f'<p class=bad><strong>{model.held_back(report)}: nothing was pushed.</strong></p>')
    parts += [_section_html(section) for section in model.sections(report)]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report_files(report: dict, reports_dir: Path, name: str,
                       title: str = "qbo-sync run report") -> dict[str, Path]:
    """Write NAME.html and NAME.csv into reports_dir; returns their paths by kind."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    paths = {"html": reports_dir / f"{name}.html", "csv": reports_dir / f"{name}.csv"}
    from qbo_sync.ops.data_docs import index_for_report

    # A relative link: it opens from the file and from the console (/reports/) alike.
    docs = index_for_report(reports_dir, report)
    link = docs.relative_to(reports_dir.resolve()).as_posix() if docs else None
    paths["html"].write_text(to_html(report, title=title, data_docs=link), encoding="utf-8")
    # utf-8-sig: Excel opens it with the right encoding.
    paths["csv"].write_text(to_csv(report), encoding="utf-8-sig")
    return {k: p.resolve() for k, p in paths.items()}


def report_name(run_number: int | None, flow_run_id: str | None) -> str:
    return f"run-{run_number:05d}" if run_number else f"run-{(flow_run_id or 'local')[:8]}"
