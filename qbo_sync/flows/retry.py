"""The retry flow: read failed records again from the source and push only them."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow, task

from qbo_sync.flows.hooks import notify_failure, notify_report
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.stages import failed_records, prepare_retry
from qbo_sync.tasks.approving import approve_stage
from qbo_sync.tasks.common import RETRY, flow_run_id, resources
from qbo_sync.tasks.mapping import map_stage
from qbo_sync.tasks.previewing import preview_stage
from qbo_sync.tasks.pushing import push_stage
from qbo_sync.tasks.reporting import report_stage
from qbo_sync.tasks.validating import validate_stage


@task(name="reimport", **RETRY)
def reimport_stage(config: str | None, records: list[str] | None) -> dict[str, list[str]]:
    res = resources(config)
    if records:
        with res.db.session() as session:
            chosen = [staged.find(session, text) for text in records]
    else:
        chosen = failed_records(res)
    selection = prepare_retry(res, chosen, flow_run_id=flow_run_id())
    print(f"Retrying {len(chosen)} record(s): " + ", ".join(f"{e}/{i}" for e, ids in selection.items() for i in ids))
    return selection


@flow(name="qbo-sync-retry", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def retry(records: list[str] | None = None, approval: str = "yes", config: str | None = None) -> dict:
    """Retry the named records (numbers or ENTITY/ID), or every Failed one when none is named."""
    started = datetime.now(timezone.utc)
    selection = reimport_stage(config, records)
    entities = sorted(selection)
    if not entities:
        print("No failed records to retry.")
        return {}
    validate_stage(config, entities)
    map_stage(config, entities)
    # One preview per entity keeps each entity's selection to its own ids.
    previews = [preview_stage(config, [entity], ids) for entity, ids in selection.items()]
    preview = previews[0]
    for extra in previews[1:]:
        preview.rows += extra.rows
        preview.unchanged.update(extra.unchanged)
    approved = approve_stage(preview, approval)
    pushes = push_stage(config, preview) if approved else []
    imports = [f"{e}: read again from the source: {', '.join(ids)}" for e, ids in selection.items()]
    report = report_stage(config, entities, "retry", started, imports, preview.counts(), approved, pushes)
    notify_report(config, report)
    return report
