"""The sync flow: import → validate → map → preview → approve → push → report."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow

from qbo_sync.flows.hooks import notify_failure, notify_report
from qbo_sync.tasks.approving import approve_stage
from qbo_sync.tasks.importing import import_stage
from qbo_sync.tasks.mapping import map_stage
from qbo_sync.tasks.previewing import preview_stage
from qbo_sync.tasks.pushing import push_stage
from qbo_sync.tasks.reporting import report_stage
from qbo_sync.tasks.validating import validate_stage

# yes | no | prompt: tasks.approving. ui: wait for an answer in the Prefect UI.
# schedule: decide by the schedule.approve setting (nightly runs have no one to ask).
FLOW_APPROVALS = ("ui", "schedule")


@flow(name="qbo-sync", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def sync(entities: list[str] | None = None, mode: str = "new", ids: list[str] | None = None,
         approval: str = "prompt", dry_run: bool = False, scheduled: bool = False,
         import_records: bool = True, config: str | None = None) -> dict:
    """Sync the PM system's records to QuickBooks.

    mode: new | all | selected (with ids). approval: yes | no | prompt | ui | schedule.
    scheduled: apply the per-entity sync rules (auto_create, auto_update).
    import_records false: push what is staged without reading the source (`qbo-sync push`).
    """
    started = datetime.now(timezone.utc)
    imports = import_stage(config, entities, mode, ids, scheduled) if import_records else []
    validate_stage(config, entities)
    map_stage(config, entities)
    preview = preview_stage(config, entities, ids if mode == "selected" else None)
    approved, note = _approve(config, preview, approval, dry_run)
    pushes = push_stage(config, preview) if approved else []
    report = report_stage(config, entities, "sync", started, imports, preview.counts(), approved, pushes, note)
    notify_report(config, report)
    return report


def _approve(config: str | None, preview, approval: str, dry_run: bool) -> tuple[bool, str]:
    if approval not in FLOW_APPROVALS:
        return approve_stage(preview, approval, dry_run), ""
    writes = preview.writes()
    if dry_run or writes == 0:
        return approve_stage(preview, "no", dry_run), ""   # says "Dry run" or "Nothing to push"
    from qbo_sync.ops.approval import ask_in_ui, scheduled_approval
    from qbo_sync.tasks.common import resources

    if approval == "schedule":
        rule = resources(config).settings.schedule.approve
        approved = scheduled_approval(preview, rule)
        note = f"Approved by the schedule setting ({rule})." if approved else \
            f"Not approved: the run would delete in QBO and schedule.approve is {rule}."
    else:
        needs_action = sum(c.get("skip", 0) for c in preview.counts().values())
        approved, note = ask_in_ui(preview, needs_action)
        note = note[0].upper() + note[1:] + "."
    print(note)
    return approved, note
