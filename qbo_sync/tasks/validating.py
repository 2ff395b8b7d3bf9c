from __future__ import annotations

from prefect import get_run_logger, task

from qbo_sync.pipeline.stages import run_validate
from qbo_sync.tasks.common import RETRY, flow_run_id, resources


@task(name="validate", task_run_name="validate", **RETRY)
def validate_stage(config: str | None, entities: list[str] | None) -> dict:
    res = resources(config)
    summary, checked_now = {}, []
    for result in run_validate(res, entities):
        if result.unchanged:
            print(f"Validated {result.entity}: {result.checked} pending, {result.failed} need action "
                  "(records, suite and known ids unchanged since the last check: not checked again)")
        else:
            print(f"Validated {result.entity}: {result.checked} checked, {result.failed} need action")
            checked_now.append(result.entity)
        summary[result.entity] = {"checked": result.checked, "failed": result.failed, "unchanged": result.unchanged}
    if checked_now:   # the Data Docs of an unchanged validation are those of the run that checked it
        _publish_data_docs(res, checked_now)
    return summary


def _publish_data_docs(res, entities: list[str] | None) -> None:
    """The run's Great Expectations Data Docs, linked from the run. Docs are for reading:
    failing to build them is logged and never fails the sync."""
    from prefect.artifacts import create_link_artifact

    from qbo_sync.ops.data_docs import build_data_docs

    try:
        index = build_data_docs(res, entities, flow_run_id())
    except Exception as exc:   # noqa: BLE001 - any GX rendering problem
        get_run_logger().warning("Data Docs not built: %s", " ".join(str(exc).split())[:500])
        return
    print(f"Data Docs of this run's validation: {index}")
    create_link_artifact(key="validation-data-docs", link=f"file://{index}",
                         link_text="Great Expectations Data Docs",
                         description="Every suite run over the staged source rows: which checks failed, "
                                     "on how many rows, with sample values")
