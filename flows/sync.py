"""The sync flow: import → validate → map → preview → approve → push → report."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow

from tasks.approving import approve_stage
from tasks.importing import import_stage
from tasks.mapping import map_stage
from tasks.previewing import preview_stage
from tasks.pushing import push_stage
from tasks.reporting import report_stage
from tasks.validating import validate_stage


@flow(name="qbo-sync", log_prints=True)
def sync(entities: list[str] | None = None, mode: str = "new", ids: list[str] | None = None,
         approval: str = "prompt", dry_run: bool = False, scheduled: bool = False,
         import_records: bool = True, config: str | None = None) -> dict:
    """Sync the PM system's records to QuickBooks.

    mode: new | all | selected (with ids). approval: yes | no | prompt.
    scheduled: apply the per-entity sync rules (auto_create, auto_update).
    import_records false: push what is staged without reading the source (`qbo-sync push`).
    """
    started = datetime.now(timezone.utc)
    imports = import_stage(config, entities, mode, ids, scheduled) if import_records else []
    validate_stage(config, entities)
    map_stage(config, entities)
    preview = preview_stage(config, entities, ids if mode == "selected" else None)
    approved = approve_stage(preview, approval, dry_run)
    pushes = push_stage(config, preview) if approved else []
    return report_stage(config, entities, "sync", started, imports, preview.counts(), approved, pushes)
