from __future__ import annotations

from datetime import datetime, timezone

from prefect import task
from prefect.artifacts import create_markdown_artifact

from qbo_sync import entities as registry
from qbo_sync.db.models import Run
from qbo_sync.pipeline.report import build_report, to_markdown
from tasks.common import RETRY, flow_run_id, resources


@task(name="report", **RETRY)
def report_stage(config: str | None, entities: list[str] | None, kind: str, started_at: datetime,
                 imports: list[str], preview_counts: dict, approved: bool | None, pushes: list,
                 note: str = "") -> dict:
    res = resources(config)
    run_id = flow_run_id()
    report = build_report(res.db, registry.resolve(entities), imports=imports, pushes=pushes,
                          preview_counts=preview_counts, approved=approved, flow_run_id=run_id, note=note)
    failed = sum(p["failed"] for p in report["pushed"])
    with res.db.session() as session, session.begin():
        session.add(Run(flow_run_id=run_id, kind=kind, started_at=started_at,
                        finished_at=datetime.now(timezone.utc),
                        outcome="failed records" if failed else ("pushed" if approved else "not pushed"),
                        report=report))
    create_markdown_artifact(key="sync-report", markdown=to_markdown(report),
                             description="Counts per status, what was pushed, and what needs attention")
    return report
