"""`qbo-sync log`: past runs from Prefect's flow-run history, with their outcome counts
(joined from the staging database's run reports by flow-run id)."""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync.db.models import Run

FLOW_NAMES = ("qbo-sync", "qbo-sync-retry", "qbo-sync-pull")


def _counts(report: dict) -> str:
    pushed = report.get("pushed") or []
    created = sum(p["created"] for p in pushed)
    updated = sum(p["updated"] for p in pushed)
    failed = sum(c.get("Failed", 0) for c in report.get("counts", {}).values())
    action = sum(c.get("Needs Action", 0) for c in report.get("counts", {}).values())
    return f"{created} created, {updated} updated, {failed} failed, {action} need action"


def flow_run_log(db, limit: int = 20) -> list[dict]:
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    async def read():
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=list(FLOW_NAMES))),
                sort=FlowRunSort.START_TIME_DESC, limit=limit)
            # One read per distinct flow and deployment (client.read_flows sends null filters
            # that prefect 3.8's server refuses with 422).
            flows, deployments = {}, {}
            for run in runs:
                if run.flow_id not in flows:
                    flows[run.flow_id] = (await client.read_flow(run.flow_id)).name
                if run.deployment_id and run.deployment_id not in deployments:
                    deployments[run.deployment_id] = (await client.read_deployment(run.deployment_id)).name
            return flows, runs, deployments

    flows, runs, deployments = asyncio.run(read())
    with db.session() as session:
        staged = {r.flow_run_id: r for r in session.scalars(
            select(Run).where(Run.flow_run_id.in_([str(r.id) for r in runs])))}
    rows = []
    for run in runs:
        mine = staged.get(str(run.id))
        rows.append({
            "flow_run_id": str(run.id), "flow": flows.get(run.flow_id, ""),
            "deployment": deployments.get(run.deployment_id, "") if run.deployment_id else "",
            "start": run.start_time.strftime("%Y-%m-%d %H:%M") if run.start_time else "",
            "state": run.state.name if run.state else "",
            "run": mine.id if mine else "", "outcome": mine.outcome if mine else "",
            "counts": _counts(mine.report) if mine else "",
        })
    return rows
