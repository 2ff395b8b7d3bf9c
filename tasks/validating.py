from __future__ import annotations

from prefect import task

from qbo_sync.pipeline.stages import run_validate
from tasks.common import RETRY, resources


@task(name="validate", **RETRY)
def validate_stage(config: str | None, entities: list[str] | None) -> dict:
    summary = {}
    for result in run_validate(resources(config), entities):
        print(f"Validated {result.entity}: {result.checked} checked, {result.failed} need action")
        summary[result.entity] = {"checked": result.checked, "failed": result.failed}
    return summary
