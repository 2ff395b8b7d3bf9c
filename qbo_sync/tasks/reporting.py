from __future__ import annotations

from datetime import datetime, timezone

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from sqlalchemy.orm.attributes import flag_modified

from qbo_sync import entities as registry
from qbo_sync.db.models import Run
from qbo_sync.ops.report_files import report_name, report_rows, write_report_files
from qbo_sync.ops.report_links import report_url
from qbo_sync.ops.totals import pushed_totals
from qbo_sync.pipeline.report import build_report, to_markdown
from qbo_sync.tasks.common import RETRY, flow_run_id, resources


@task(name="report", task_run_name="report", **RETRY)
def report_stage(config: str | None, entities: list[str] | None, kind: str, started_at: datetime,
                 imports: list[str], preview_counts: dict, approved: bool | None, pushes: list,
                 note: str = "", outcome: str = "not approved") -> dict:
    """outcome: what the approval came to when nothing was pushed (ops.approval: rejected, dry run...)."""
    res = resources(config)
    run_id = flow_run_id()
    report = build_report(res.db, registry.resolve(entities), imports=imports, pushes=pushes,
                          preview_counts=preview_counts, approved=approved, flow_run_id=run_id, note=note)
    report["totals"] = pushed_totals(res.db, run_id)
    report["qbo_calls"] = res.reader.meter.summary(run_id)
    report["connection"] = res.qbo.health(res.settings.qbo.expiry_warning_days)
    failed = sum(p["failed"] for p in report["pushed"])
    report["outcome"] = "failed records" if failed else ("pushed" if approved else outcome)
    with res.db.session() as session, session.begin():
        run = Run(flow_run_id=run_id, kind=kind, started_at=started_at,
                  finished_at=datetime.now(timezone.utc),
                  outcome=report["outcome"],
                  report=report)
        session.add(run)
        session.flush()
        files = write_report_files(report, res.settings.reports_dir, report_name(run.id, run_id))
        report["files"] = {k: str(p) for k, p in files.items()}
        run.report = report
        flag_modified(run, "report")   # the dict flushed above was changed in place
    _publish(report, res.settings)
    return report


def _publish(report: dict, settings) -> None:
    """The Prefect artifacts of the run report: markdown, tables, links to the files."""
    create_markdown_artifact(key="sync-report", markdown=to_markdown(report),
                             description="Counts per status, what was pushed, and what needs attention")
    rows = report_rows(report)
    status = [r for r in rows if r["section"] == "status"]
    create_table_artifact(key="sync-status-counts", table=[
        {"entity": r["entity"], "status": r["status"], "records": r["value"]} for r in status],
        description="Records per entity and status after this run")
    if report["totals"]:
        create_table_artifact(key="sync-pushed-per-project", table=report["totals"],
                              description="Job cost pushed to QuickBooks per project: hours, labour cost, bill amounts")
    if report["problems"]:
        create_table_artifact(key="sync-needs-attention", table=[
            {"entity": p["entity"], "id": p["source_id"], "name": p["name"], "status": p["status"],
             "what to fix": "; ".join(p["reasons"])} for p in report["problems"][:5000]],
            description="Failed and Needs Action records, with the reason and the fix")
    for kind, path in report["files"].items():   # served by the console: a file:// link does not open
        create_link_artifact(key=f"sync-report-{kind}", link=report_url(settings, path),
                             link_text=f"Run report ({kind.upper()})",
                             description=f"The standalone {kind.upper()} run report, served by the qbo-sync console")
