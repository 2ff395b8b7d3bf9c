"""The run report as one model: sections of rows with their totals, and the charts drawn from them.

The markdown artifact (pipeline/report.py), the HTML page and the CSV (ops/report_files.py)
are each one renderer of `sections(report)`, so they carry the same sections, rows and
totals and cannot drift. `report` is the dict a run stores (runs.report). Pure: no
SQLAlchemy, so `qbo-sync report` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qbo_sync import statuses

TEXT, COUNT, HOURS, MONEY = "text", "count", "hours", "money"
TOTAL = "Total"


@dataclass(frozen=True)
class Column:
    label: str            # the heading finance reads
    key: str              # CSV: the field a text cell fills, or the `measure` of a figure
    kind: str = TEXT      # text | count | hours | money
    csv_field: str = "measure"   # figures: the CSV field the key goes in ("status" for status counts)

    @property
    def figure(self) -> bool:
        return self.kind != TEXT


@dataclass(frozen=True)
class Chart:
    title: str
    labels: list[str]                        # one bar per label
    series: list[tuple[str, list[float]]]    # (name, a value per label); several: stacked
    kind: str = COUNT


@dataclass
class Section:
    key: str                  # the CSV's `section`
    title: str
    columns: list[Column]
    rows: list[list]
    totals: list | None = None            # the totals row, or None
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def fmt(value, kind: str) -> str:
    """A figure as finance reads it: thousands separators, money and hours to two decimals."""
    if kind == TEXT or value is None or value == "":
        return "" if value is None else str(value)
    if kind == COUNT:
        return f"{int(value):,}"
    return f"{float(value):,.2f}"


def job_noun() -> str:
    """What costs are counted per, as a heading says it ("Project")."""
    from qbo_sync import entities as registry

    return registry.get(registry.JOB).noun


def entity_label(name: str) -> str:
    from qbo_sync import entities as registry

    spec = registry.ENTITIES.get(name)
    return spec.label if spec else name


def header(report: dict) -> list[str]:
    """Lines above the sections (plain text: each renderer escapes them)."""
    lines = []
    if report.get("rehearsal"):
        lines += rehearsal_lines(report["rehearsal"])
    if report.get("flow_run_id"):
        lines.append(f"Flow run: {report['flow_run_id']}")
    if report.get("note"):
        lines.append(report["note"])
    if report.get("qbo_calls"):
        from qbo_sync.qbo.metering import summary_line   # pure: no database, no client

        lines.append(summary_line(report["qbo_calls"]))
    if (report.get("connection") or {}).get("warn"):
        lines.append(expiry_line(report["connection"]))
    return lines


def rehearsal_lines(rehearsal: dict) -> list[str]:
    refused = rehearsal.get("refused", 0)
    return [f"Rehearsal on a copy of {rehearsal['company']}: QuickBooks and your staging database were not changed.",
            f"{refused:,} record(s) would be refused by QuickBooks." if refused
            else "QuickBooks would refuse nothing.",
            rehearsal["copy"]]


def expiry_line(health: dict) -> str:
    return (f"The QuickBooks connection expires on {health['expires_on']} (in {health['days_left']} days): "
            "reconnect to QuickBooks before then, or runs will stop.")


def held_back(report: dict) -> str:
    """Why a run pushed nothing though it had changes: Rejected, Dry run or Not approved."""
    return {"rejected": "Rejected", "dry run": "Dry run"}.get(report.get("outcome"), "Not approved")


def sections(report: dict) -> list[Section]:
    found = [_rehearsed(report), _imported(report), _preview(report), _pushed(report), _deleted(report),
             _per_project(report), _bills(report), *_payments(report), _documents(report), _status(report),
             _problems(report)]
    return [s for s in found if s is not None]


def _totals(columns: list[Column], rows: list[list]) -> list:
    """The totals row: TOTAL in the first column, the sum of each figure column."""
    out = []
    for i, column in enumerate(columns):
        if i == 0:
            out.append(TOTAL)
        elif column.figure:
            total = sum(float(r[i] or 0) for r in rows)
            out.append(int(total) if column.kind == COUNT else round(total, 2))
        else:
            out.append("")
    return out


def _table(key, title, columns, rows, totals=True, **more) -> Section:
    return Section(key, title, columns, rows, _totals(columns, rows) if totals and rows else None, **more)


def _imported(report):
    if not report.get("imports"):
        return None
    return _table("imported", "Imported", [Column("What was read", "detail")],
                  [[text] for text in report["imports"]], totals=False)


def _rehearsed(report):
    records = (report.get("rehearsal") or {}).get("records")
    if records is None:
        return None
    columns = [Column("Entity", "entity"), Column("Name", "name"), Column("Id", "source_id"),
               Column("What QuickBooks did", "outcome"), Column("Why", "reason")]
    return _table("rehearsal", "What QuickBooks did with each record (rehearsal)", columns, [
        [entity_label(r["entity"]), r["name"], r["source_id"], r["outcome"], r["reason"]] for r in records],
        totals=False, notes=[] if records else ["The rehearsal wrote nothing: nothing was due for QuickBooks."])


def _preview(report):
    if not report.get("preview"):
        return None
    actions = ("create", "update", "link", "delete", "skip", "unchanged")   # link: an existing QBO object
    columns = [Column("Entity", "entity")] + [Column(a.capitalize(), a, COUNT) for a in actions]
    return _table("preview", "Preview", columns, [
        [entity_label(e), *(c.get(a, 0) for a in actions)] for e, c in report["preview"].items()])


def _pushed(report):
    if not report.get("pushed"):
        return None
    measures = ("created", "updated", "linked", "deleted", "failed")
    columns = [Column("Entity", "entity")] + [Column(m.capitalize(), m, COUNT) for m in measures]
    return _table("pushed", "Pushed to QuickBooks", columns, [
        [entity_label(p["entity"]), *(p.get(m, 0) for m in measures)] for p in report["pushed"]])


def _deleted(report):
    if not report.get("deleted_in_source"):
        return None
    columns = [Column("Entity", "entity"), Column("Name", "name"), Column("Id", "source_id"),
               Column("QBO ids", "qbo_ids"), Column("What happened", "detail"),
               Column("QBO objects", "objects", COUNT), Column("Hours", "hours", HOURS),
               Column("Amount", "amount", MONEY)]
    return _table("deleted in the source", "Deleted in the source", columns, [
        [entity_label(d["entity"]), d["name"], d["source_id"], d.get("qbo_id") or "", d["what"],
         d.get("objects", 0), d.get("hours", 0), d.get("amount", 0)] for d in report["deleted_in_source"]],
        notes=["Records no longer in the source, and what became of their objects in QuickBooks. "
               "Kept objects still count in QuickBooks' hours and amounts."])


def _per_project(report):
    """The job cost a project manager compares with the budget: labour (hours × the
    TimeActivities' CostRate) and bill amounts, per project."""
    totals = report.get("totals") or []
    if not totals:
        return None
    names = [t.get("name") or t["project"] for t in totals]
    hours = [float(t.get("hours") or 0) for t in totals]
    amounts = [float(t.get("amount") or 0) for t in totals]
    labour = [float(t.get("labour_cost") or 0) for t in totals]
    from qbo_sync.entities import JOB_AMOUNT   # not ops/totals: `qbo-sync report` loads no SQLAlchemy

    job = job_noun()
    columns = [Column(job, "name"), Column("Id", "project"), Column("Hours", "hours", HOURS),
               Column("Labour cost", "labour_cost", MONEY), Column(JOB_AMOUNT, "amount", MONEY),
               Column("Job cost", "job_cost", MONEY)]
    return _table(f"pushed per {job.lower()}", f"Job cost pushed per {job.lower()}", columns, [
        [t.get("name") or "", t["project"], h, c, a, round(c + a, 2)]
        for t, h, c, a in zip(totals, hours, labour, amounts)],
        charts=[Chart(f"Hours per {job.lower()}", names, [("Hours", hours)], HOURS),
                Chart(f"{JOB_AMOUNT} per {job.lower()}", names, [(JOB_AMOUNT, amounts)], MONEY)])


def _bills(report):
    bills = report.get("bills") or {}
    # No bill has a balance yet (just created: balances are read by `qbo-sync pull`): no section.
    if not bills.get("per_job"):
        return None
    notes = []
    if bills.get("as_of"):
        notes.append(f"Balances as QuickBooks had them at {bills['as_of']}; the next pull of "
                     "balances from QuickBooks refreshes them.")
    if bills.get("not_checked"):
        notes.append(f"{bills['not_checked']} synced bills have no balance yet: QuickBooks' balances "
                     "show after the next pull of balances from QuickBooks.")
    job, label = job_noun(), bills.get("label", "")
    columns = [Column(job, "name"), Column("Id", "project"), Column("Paid bills", "paid_bills", COUNT),
               Column("Paid amount", "paid_amount", MONEY), Column("Open bills", "open_bills", COUNT),
               Column("Open balance", "open_balance", MONEY)]
    return _table(f"{label.lower()} per {job.lower()}", f"{label} paid and open, per {job.lower()}", columns, [
        [b["name"], b["project"], b["paid_bills"], b["paid_amount"], b["open_bills"], b["open_balance"]]
        for b in bills["per_job"]], notes=notes)


def _payments(report):
    """Paid and open per payee (per vendor for bills), as the last pull of payments found them."""
    for found in report.get("payments") or []:
        label, payee = entity_label(found["entity"]), entity_label(found["payee_entity"]).rstrip("s")
        columns = [Column(payee, "name"), Column("Id", "source_id"),
                   Column("Paid", "paid", COUNT), Column("Partially paid", "partly_paid", COUNT),
                   Column("Open", "open", COUNT), Column("Amount paid", "paid_amount", MONEY),
                   Column("Open balance", "open_balance", MONEY)]
        yield _table(f"{label.lower()} per {payee.lower()}", f"{label} paid and open, per {payee.lower()}",
                     columns, [[r["name"], r["payee"], r["paid"], r["partly_paid"], r["open"], r["paid_amount"],
                                r["open_balance"]] for r in found["rows"]],
                     notes=["Payments as QuickBooks had them at the last pull; a partially paid bill counts "
                            "its paid part under Amount paid and the rest under Open balance."])


def _documents(report):
    if not report.get("documents"):
        return None
    columns = [Column("Entity", "entity"), Column("Attached in QuickBooks", "attached", COUNT),
               Column("Waiting for their file", "waiting", COUNT)]
    return _table("documents", "Documents attached in QuickBooks", columns, [
        [entity_label(d["entity"]), d["attached"], d["waiting"]] for d in report["documents"]],
        notes=["Each named file is attached once; a changed file replaces it. A file that is missing "
               "or that QuickBooks refuses is listed under Needs your attention."])


def _status(report):
    counts = report.get("counts") or {}
    labels = list(statuses.LABELS.values())
    columns = [Column("Entity", "entity")] + [Column(label, label, COUNT, csv_field="status") for label in labels]
    rows = [[entity_label(e), *(c.get(label, 0) for label in labels)] for e, c in counts.items()]
    chart = Chart("Records per entity, by status", [r[0] for r in rows],
                  [(label, [float(r[i + 1]) for r in rows]) for i, label in enumerate(labels)], COUNT)
    return _table("status", "Status", columns, rows, charts=[chart] if rows else [])


def _problems(report):
    if not report.get("problems"):
        return None
    columns = [Column("Entity", "entity"), Column("Name", "name"), Column("Id", "source_id"),
               Column("Status", "status"), Column("What to fix", "what_to_fix")]
    return _table("needs attention", "Needs your attention", columns, [
        [entity_label(p["entity"]), p["name"], p["source_id"], p["status"], "; ".join(p["reasons"])]
        for p in report["problems"]], totals=False,
        notes=[f"{len(report['problems']):,} records need attention."])
