"""Push: turn the preview's creates and updates into QBO writes and record the outcome.

The push's jobs each have a module, around one PushRun (push_run.py): operations.py (what to
send), recovery.py (in-doubt creates found again), outcomes.py (settling QBO's answers) and
deleting.py (records deleted in the source). This module runs them in order, under the lease.
"""

from __future__ import annotations

from typing import Callable

import requests

from qbo_sync.db.engine import StagingDb
from qbo_sync.entities.base import EntitySpec
from qbo_sync.mappings import Mappings
from qbo_sync.pipeline import ledger, parts
from qbo_sync.pipeline.deleting import delete_records
from qbo_sync.pipeline.operations import adopt_existing, plan
from qbo_sync.pipeline.outcomes import Settler, block, reapply_stale
from qbo_sync.pipeline.preview import DELETE, PreviewRow
from qbo_sync.pipeline.push_run import PushResult, PushRun, record_of
from qbo_sync.pipeline.recovery import recover_in_doubt
from qbo_sync.qbo import lists
from qbo_sync.qbo.engine import PushEngine
from qbo_sync.qbo.reader import QboReader
from qbo_sync.settings import SyncSettings


class ProjectsNotEnabled(Exception):
    pass


def projects_enabled(reader: QboReader) -> bool:
    """Whether the company has QBO Projects turned on (Preferences.OtherPrefs)."""
    prefs = reader.company("preferences").get("Preferences", {})
    for pair in (prefs.get("OtherPrefs") or {}).get("NameValue", []):
        if pair.get("Name") == "ProjectsEnabled":
            return str(pair.get("Value")).lower() == "true"
    return False


def check_mode(reader: QboReader, sync: SyncSettings) -> None:
    """Fail early, before any write, when the project mode cannot work for this company."""
    if sync.project_mode != "project":
        return
    if not projects_enabled(reader):
        raise ProjectsNotEnabled(
            "sync.project_mode is \"project\", but this QuickBooks company does not have Projects "
            f"turned on ({lists.PROJECTS_SETTING}). "
            "Turn Projects on, or set sync.project_mode to sub-customer or customer. Nothing was pushed.")
    refused = projects_api_refusal(reader)
    if refused:
        raise ProjectsNotEnabled(
            f"sync.project_mode is \"project\", but QuickBooks does not let this app use its Projects API "
            f"({refused}). Intuit offers it to some partner tiers only, and only to a connection that "
            f"allows Projects. Set sync.project_mode to \"sub-customer\" to sync each project as a "
            f"sub-customer of its client instead. Nothing was pushed.")


PROBE_PROJECTS = "query ProjectsAccess { projectManagementProjects(first: 1) { edges { node { id } } } }"
# Not 401: an expired token is the connection's problem (refreshed, or "reconnect"), not the app's rights.
REFUSED = {"FORBIDDEN", "PERMISSION_DENIED"}


def projects_api_refusal(reader: QboReader) -> str | None:
    """QuickBooks' words when the GraphQL Projects API refuses this app (tier or scope), else None.

    A read of at most one project, before any write. Only a refusal stops the run: a network
    fault or a 5xx here says nothing about the app's rights, and the push retries those."""
    try:
        answer = reader.connection.graphql(PROBE_PROJECTS, {"first": 1})
        reader.count("read")
    except requests.RequestException:
        return None
    errors = answer.get("errors") or []
    codes = {str((e.get("extensions") or {}).get("code") or "").upper() for e in errors}
    if answer.get("status_code") == 403 or codes & REFUSED:
        return "; ".join(e.get("message", "") for e in errors) or f"HTTP {answer.get('status_code')}"
    return None


def push_entity(db: StagingDb, engine: PushEngine, spec: EntitySpec, sync: SyncSettings,
                rows: list[PreviewRow], flow_run_id: str | None = None,
                on_progress: Callable[[int, int], None] | None = None, mappings=None) -> PushResult:
    """Push the rows under the company's push lease, recovering writes left in doubt first."""
    result = PushResult(spec.name)
    if not rows:
        return result
    realm = engine.connection.realm_id
    writes = [r for r in rows if r.action != DELETE]
    deletes = [r for r in rows if r.action == DELETE]
    with ledger.lease(db, realm) as holder:
        ledger.forget_settled(db, realm)
        run = PushRun(db=db, engine=engine, spec=spec, sync=sync, mappings=mappings or Mappings(),
                      result=result, realm=realm, holder=holder, flow_run_id=flow_run_id)
        if writes:
            _write(run, writes, on_progress)
        if deletes:
            delete_records(run, deletes)
    return result


def _write(run: PushRun, rows: list[PreviewRow], on_progress) -> None:
    spec, result = run.spec, run.result
    planned = plan(run, rows)
    records, operations = planned.records, planned.operations
    block(run.db, records, planned.blocked, result)
    adopt_existing(run.db, run.engine.reader, spec, operations)
    doubt = ledger.in_doubt(run.db, run.realm, list(records))
    result.in_doubt = len(doubt)
    result.recovered = recover_in_doubt(run, operations, doubt)
    ops = {op.key: op for op in operations}
    settle = Settler(run, records, ops)
    run.send(operations, on_outcomes=settle, on_progress=on_progress)
    if settle.stale:
        reapply_stale(run, records, ops, settle.stale)
    if spec.parts:
        # A set, not a scan of the operations per record: 20,000 weeks make 100,000 operations.
        with_operations = {record_of(key) for key in ops}
        parts.record_outcomes(run.db, spec, records, ops, [], run.flow_run_id, result,
                              untouched=[r for r in records.values()
                                         if r.id not in planned.blocked and r.id not in with_operations])
    run.settled([k for k in doubt if k not in ops])   # nothing left to write
