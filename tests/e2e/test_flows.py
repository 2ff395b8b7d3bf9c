"""The Prefect flows: one task per stage, artifacts, approval, and the flow run as sync log."""

from __future__ import annotations

import asyncio

import pytest

from qbo_sync.flows.retry import retry
from qbo_sync.flows.sync import sync
from qbo_sync.views import history, status_rows

pytestmark = pytest.mark.slow


def _statuses(res) -> dict[str, str]:
    return {r["source_id"]: r["status"] for r in status_rows(res.db, entity="projects")}


def _artifact_keys(flow_run_id: str) -> set[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter,
                                                FlowRunFilterId, TaskRunFilter)
    from prefect.client.schemas.sorting import ArtifactSort, TaskRunSort

    async def read():
        async with get_client() as client:
            # Every filter spelled out: this server refuses a null one.
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])),
                flow_run_filter=FlowRunFilter(), task_run_filter=TaskRunFilter(),
                sort=ArtifactSort.KEY_ASC, limit=100)
            run = await client.read_flow_run(flow_run_id)
            tasks = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                task_run_filter=TaskRunFilter(), sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=100)
            return {a.key for a in artifacts if a.key}, run, tasks

    return asyncio.run(read())


def test_sync_flow_runs_every_stage_and_logs_to_prefect(prefect, res, config_for, admin, realm):
    # Projects only: every entity's own end-to-end tests are in tests/e2e/test_<entity>*.py.
    report = sync(entities=["projects"], mode="all", approval="yes", config=config_for(res))
    # Two projects already exist in the demo company as sub-customers: linked (adopted), not created.
    assert report["pushed"] == [{"entity": "projects", "created": 7, "updated": 0, "linked": 2, "failed": 0}]
    assert report["counts"]["projects"]["Synced"] == 9
    assert report["counts"]["projects"]["Needs Action"] == 3
    assert {p["source_id"] for p in report["problems"]} == {"P-00009", "P-00011", "P-00012"}

    flow_run_id = report["flow_run_id"]
    activity = history(res.db, "projects/P-00003")["sync_activity"]
    assert activity[-1]["flow_run"] == flow_run_id, "each record's sync activity names its flow run"
    keys, run, task_runs = _artifact_keys(flow_run_id)
    assert run.state.is_completed()
    assert {"sync-preview", "sync-report"} <= keys
    names = sorted({t.name.rsplit("-", 1)[0] for t in task_runs})
    assert names == ["approve", "import", "map", "preview", "push", "report", "validate"]
    assert len(task_runs) == 7, "one task run per stage, not per record"


def test_unapproved_and_dry_runs_push_nothing(prefect, res, config_for, admin, realm):
    writes = admin.counts(realm)["writes"]
    report = sync(mode="all", approval="no", config=config_for(res))
    assert report["approved"] is False and report["pushed"] == []
    report = sync(mode="all", approval="yes", dry_run=True, config=config_for(res))
    assert report["approved"] is False
    assert admin.counts(realm)["writes"] == writes
    assert "Synced" not in _statuses(res).values()


def test_retry_flow_pushes_only_the_failed_record_after_the_fix(prefect, res, config_for, source):
    source.edit("projects", "project_id", "P-00006", name="Ace Concrete Supply")
    sync(mode="all", approval="yes", config=config_for(res))
    assert _statuses(res)["P-00006"] == "Failed"
    source.edit("projects", "project_id", "P-00006", name="Northgate Imaging Suite")
    source.edit("projects", "project_id", "P-00007", name="Edited but not retried")
    report = retry(records=None, config=config_for(res))
    assert report["pushed"] == [{"entity": "projects", "created": 1, "updated": 0, "failed": 0}]
    rows = {r["source_id"]: r for r in status_rows(res.db, entity="projects")}
    assert rows["P-00006"]["status"] == "Synced"
    assert rows["P-00007"]["name"] != "Edited but not retried", "retry reads only the failed record"
