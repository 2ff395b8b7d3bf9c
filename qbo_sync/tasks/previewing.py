from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from qbo_sync.pipeline.preview import Preview
from qbo_sync.pipeline.stages import run_preview
from qbo_sync.tasks.common import RETRY, resources


@task(name="preview", task_run_name="preview", **RETRY)
def preview_stage(config: str | None, entities: list[str] | None, ids: list[str] | None = None) -> Preview:
    res = resources(config)
    preview = run_preview(res, entities, ids)
    counts = preview.counts()
    if preview.rows:   # the approver's totals, as the approval form shows them
        from qbo_sync.ops.approval import preview_summary

        create_markdown_artifact(key="sync-preview-summary", markdown=preview_summary(res, preview),
                                 description="What this run will write: per entity, hours and amounts "
                                             "per project, and what is held back")
    create_table_artifact(
        key="sync-preview", table=[{"entity": e, **c} for e, c in counts.items()],
        description="What this run will create, update and skip in QuickBooks, per entity")
    if preview.rows:
        create_table_artifact(key="sync-preview-rows", table=preview.table_rows()[:5000],
                              description="Every record the run would create, update or skip")
    if preview.rows:
        print("\n" + preview.to_text())
    for entity, c in counts.items():
        print(f"Preview {entity}: {c.get('create', 0)} to create, {c.get('update', 0)} to update, "
              f"{c.get('link', 0)} to link to existing QBO objects, "
              f"{c.get('skip', 0)} skipped, {c.get('unchanged', 0)} unchanged")
    for entity, c in preview.objects.items():
        print(f"Preview {entity} in QuickBooks: {c['create']} to create, {c['update']} to update, "
              f"{c['delete']} to delete")
    return preview
