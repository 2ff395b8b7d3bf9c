from __future__ import annotations

from prefect import task
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from qbo_sync.pipeline.preview import Preview
from qbo_sync.pipeline.stages import run_push
from qbo_sync.tasks.common import RETRY, flow_run_id, resources


@task(name="push", task_run_name="push", **RETRY)
def push_stage(config: str | None, preview: Preview) -> list:
    artifact = create_progress_artifact(progress=0.0, description="Records pushed to QuickBooks")

    def progress(done: int, total: int) -> None:
        update_progress_artifact(artifact_id=artifact, progress=100.0 * done / max(total, 1))
        print(f"Pushed {done}/{total}")

    results = run_push(resources(config), preview, flow_run_id=flow_run_id(), on_progress=progress)
    for r in results:
        print(f"Pushed {r.entity}: {r.created} created, {r.updated} updated, {r.linked} linked to existing "
              f"QBO objects, {len(r.failed)} failed")
    return results
