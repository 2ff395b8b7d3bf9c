"""The retry flow: read failed records again from the source and push only them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from prefect import flow, task

from qbo_sync.flows.hooks import notify_failure, notify_report
from qbo_sync.flows.naming import retry_run_name
from qbo_sync.flows.sync import company_config
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.stages import failed_records, prepare_retry
from qbo_sync.tasks.approving import approve_stage
from qbo_sync.tasks.common import RETRY, flow_run_id, resources
from qbo_sync.tasks.mapping import map_stage
from qbo_sync.tasks.previewing import preview_stage
from qbo_sync.tasks.pushing import push_stage
from qbo_sync.tasks.reporting import report_stage
from qbo_sync.tasks.validating import validate_stage


@task(name="reimport", task_run_name="reimport", **RETRY)
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


@flow(name="qbo-sync-retry", flow_run_name=retry_run_name, log_prints=True,
      on_failure=[notify_failure], on_crashed=[notify_failure])
def retry(records: list[str] | None = None, approval: Literal["yes", "no"] = "yes",
          company: str | None = None, config: str | None = None) -> dict:
    """Read failed records again from the source and push only them.

    Args:
        records: The records to retry: record numbers, ENTITY/ID or source ids. None: every Failed record.
        approval: yes pushes the retried records; no stops after the preview.
        company: A company named under `companies:` in the settings; empty for the top-level one.
        config: The settings file (empty: $QBO_SYNC_CONFIG, else config/settings.yaml).
    """
    started = datetime.now(timezone.utc)
    config = company_config(config, company)
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
    decision = approve_stage(preview, approval)
    pushes = push_stage(config, preview) if decision.approved else []
    imports = [f"{e}: read again from the source: {', '.join(ids)}" for e, ids in selection.items()]
    report = report_stage(config, entities, "retry", started, imports, preview.counts(), decision.approved,
                          pushes, decision.note, decision.outcome)
    notify_report(config, report)
    return report
