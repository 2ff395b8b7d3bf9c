from __future__ import annotations

from prefect import task

from qbo_sync.pipeline.stages import run_map
from qbo_sync.tasks.common import RETRY, resources


@task(name="map", task_run_name="map", **RETRY)
def map_stage(config: str | None, entities: list[str] | None) -> dict:
    summary = {}
    for result in run_map(resources(config), entities):
        print(f"Mapped {result.entity}: {result.checked} checked, {result.linked} linked now, "
              f"{result.adopted} found in QuickBooks already (the push updates them), "
              f"{len(result.missing)} still need a QBO link")
        summary[result.entity] = {"linked": result.linked, "adopted": result.adopted,
                                  "missing": len(result.missing)}
    return summary
