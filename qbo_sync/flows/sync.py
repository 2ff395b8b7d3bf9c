"""The sync flow: import → validate → map → preview → approve → push → report."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from prefect import flow

from qbo_sync.entities import ENTITIES
from qbo_sync.flows.hooks import notify_failure, notify_report
from qbo_sync.flows.naming import sync_run_name
from qbo_sync.flows.rehearsal import rehearse_first
from qbo_sync.ops.approval import REJECTED, Decision, settled_without_asking
from qbo_sync.qbo.outage import QuickBooksDown
from qbo_sync.tasks.approving import approve_stage
from qbo_sync.tasks.importing import import_stage
from qbo_sync.tasks.mapping import map_stage
from qbo_sync.tasks.previewing import preview_stage
from qbo_sync.tasks.pushing import push_stage
from qbo_sync.tasks.reporting import report_stage
from qbo_sync.tasks.validating import validate_stage

# The parameters' choices: Prefect turns them into the run form's drop-downs and refuses any
# other value before a run starts.
Entity = Literal[tuple(ENTITIES)]                  # type: ignore[valid-type]
Mode = Literal["new", "all", "selected"]
Approval = Literal["ui", "schedule", "yes", "no", "prompt"]
# ui: wait for an answer in the Prefect UI. schedule: decide by the schedule.approve setting
# (nightly runs have no one to ask). yes | no | prompt: tasks.approving.
FLOW_APPROVALS = ("ui", "schedule")


@flow(name="qbo-sync", flow_run_name=sync_run_name, log_prints=True, validate_parameters=True,
      on_failure=[notify_failure], on_crashed=[notify_failure])
def sync(entities: list[Entity] | None = None, mode: Mode = "new", ids: list[str] | None = None,
         approval: Approval = "prompt", dry_run: bool = False, scheduled: bool = False,
         import_records: bool = True, approval_timeout_minutes: float = 60, rehearse: bool = False,
         company: str | None = None, config: str | None = None):
    """Sync the PM system's records to QuickBooks.

    Args:
        entities: Which entities to sync, in any order (they run in dependency order). None: all.
        mode: What to read from the source: new (records not staged yet), all (every record,
            taking in edits) or selected (only the source ids in `ids`).
        ids: The source ids to read when mode is selected.
        approval: Who approves the push after the preview: ui (wait for an answer in this
            run's form in the Prefect UI), schedule (the schedule.approve setting decides), yes
            (push without asking), no (never push), prompt (ask on the terminal; CLI runs only).
        dry_run: Stop after the preview and push nothing.
        scheduled: Apply the per-entity sync rules (auto_create, auto_update) as the nightly run does.
        import_records: False pushes what is already staged without reading the source.
        approval_timeout_minutes: With approval ui, how long to wait for the answer; no answer
            by then rejects the push.
        rehearse: First run the whole sync on a copy of the company and of the staging database
            (as `qbo-sync rehearse`); with the setting sync.push_only_if_rehearsal_clean, the real
            run goes ahead only when QuickBooks would refuse nothing.
        company: A company named under `companies:` in the settings; empty for the top-level one.
        config: The settings file (empty: $QBO_SYNC_CONFIG, else config/settings.yaml).
    """
    started = datetime.now(timezone.utc)
    config = company_config(config, company)
    if rehearse:
        rehearse_first(config, entities, mode, ids, scheduled)   # HeldBackByRehearsal stops the run here
    imports = import_stage(config, entities, mode, ids, scheduled) if import_records else []
    try:
        validate_stage(config, entities)
        map_stage(config, entities)
        preview = preview_stage(config, entities, ids if mode == "selected" else None)
        decision = _approve(config, preview, approval, dry_run, approval_timeout_minutes * 60)
        pushes = push_stage(config, preview) if decision.approved else []
    except QuickBooksDown as down:
        quickbooks_down(config, entities, "sync", started, imports, down)
    report = report_stage(config, entities, "sync", started, imports, preview.counts(), decision.approved,
                          pushes, decision.note, decision.outcome)
    notify_report(config, report)
    return finish(report, decision)


def quickbooks_down(config: str | None, entities, kind: str, started: datetime, imports: list,
                    down: QuickBooksDown):
    """QuickBooks stopped answering: a run report that says so, then the run fails with the
    plain message (the failure hook sends the notification). Nothing is lost: unsent records
    stay as they were, and writes left in doubt are settled by the next run's push."""
    from qbo_sync.pipeline.report import records_written
    from qbo_sync.tasks.common import flow_run_id, resources

    down = QuickBooksDown(down.status, down.seconds, records_written(resources(config).db, flow_run_id()))
    print(down)
    down.report = report_stage(config, entities, kind, started, imports, {}, None, [], str(down),
                               "QuickBooks down")   # runs.outcome: 20 characters at most
    raise down from None


def company_config(config: str | None, company: str | None) -> str | None:
    """The settings file a company's runs read (derived from the settings' `companies:`)."""
    if not company:
        return config
    from qbo_sync.ops.companies import write_company_config
    from qbo_sync.settings import load_settings

    return str(write_company_config(load_settings(config), company))


def finish(report: dict, decision: Decision):
    """The run's final state: a rejected push ends Cancelled, named "Rejected", with the reason,
    so that the runs list tells it apart from a push at a glance."""
    if decision.outcome != REJECTED:
        return report
    from prefect.states import Cancelled

    return Cancelled(name="Rejected", message=decision.note, data=report)


def _approve(config: str | None, preview, approval: str, dry_run: bool, timeout_seconds: float) -> Decision:
    if approval not in FLOW_APPROVALS:
        return approve_stage(preview, approval, dry_run)
    decision = settled_without_asking(preview, dry_run)
    if decision is None:
        from qbo_sync.ops.approval import ask_in_ui, decide_by_schedule
        from qbo_sync.tasks.common import resources

        if approval == "schedule":
            decision = decide_by_schedule(preview, resources(config).settings.schedule.approve)
        else:
            decision = ask_in_ui(resources(config), preview, timeout_seconds)
    print(decision.note)
    return decision
