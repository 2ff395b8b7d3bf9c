from __future__ import annotations

from prefect import task

from qbo_sync.pipeline.stages import run_import
from qbo_sync.tasks.common import RETRY, flow_run_id, resources


@task(name="import", task_run_name="import", **RETRY)
def import_stage(config: str | None, entities: list[str] | None, mode: str,
                 ids: list[str] | None = None, scheduled: bool = False) -> list[str]:
    results = run_import(resources(config), entities, mode, ids=ids, scheduled=scheduled,
                         flow_run_id=flow_run_id())
    for result in results:
        print("Imported " + result.summary())
    return [r.summary() for r in results]
