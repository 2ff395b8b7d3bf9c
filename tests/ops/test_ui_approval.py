"""Approval in the Prefect UI: an on-demand run pauses after the preview with a form; the
answer (sent here as the UI does, with resume_flow_run and run_input) decides the push.

Needs a real `prefect server start` (the temporary server cannot resume paused runs); one
is started for this module on a free loopback port with its own PREFECT_HOME.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-home")),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(api + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("prefect server did not start within 60 s")
        time.sleep(0.5)
    yield api
    proc.terminate()
    proc.wait(timeout=30)




def _paused_run(api: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = httpx.post(api + "/flow_runs/filter", json={
            "flow_runs": {"state": {"type": {"any_": ["PAUSED"]}}}, "limit": 5}, timeout=10).json()
        if runs:
            return runs[0]["id"]
        time.sleep(0.5)
    raise AssertionError("the run never paused for approval")


def _form(api: str, flow_run_id: str) -> tuple[str, dict]:
    """What the UI shows: the form's markdown description and its JSON schema."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.input.run_input import keyset_from_paused_state
    from prefect.settings import PREFECT_API_URL, temporary_settings

    async def read() -> tuple[str, dict]:
        async with get_client() as client:
            keyset = keyset_from_paused_state((await client.read_flow_run(flow_run_id)).state)
            return (json.loads(await client.read_flow_run_input(flow_run_id, keyset["description"])),
                    json.loads(await client.read_flow_run_input(flow_run_id, keyset["schema"])))

    with temporary_settings(updates={PREFECT_API_URL: api}):
        return asyncio.run(read())


def _resume(api: str, flow_run_id: str, answer: dict) -> None:
    from prefect.flow_runs import resume_flow_run
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}):
        resume_flow_run(flow_run_id, run_input=answer)


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("approve", [True, False])
def test_on_demand_run_waits_for_the_answer_in_the_ui(prefect_server, res, config_for, admin, realm, approve):
    from qbo_sync.views import run_report

    writes = admin.counts(realm)["writes"]
    config = config_for(res)
    script = ("import json, sys; from qbo_sync.flows.sync import sync; "
              "s = sync(entities=['projects'], mode='all', approval='ui', config=sys.argv[1], return_state=True); "
              "print(json.dumps({'type': s.type.value, 'name': s.name, 'message': s.message}))")
    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    run = subprocess.Popen([sys.executable, "-c", script, config], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        flow_run_id = _paused_run(prefect_server)
        assert admin.counts(realm)["writes"] == writes, "nothing is pushed while waiting"
        shown, schema = _form(prefect_server, flow_run_id)
        # What the push then does: 7 created, the 2 the demo company already has linked.
        assert "/e/projects) | 7 | 0 | 2 | 0 | 3 | 0 |" in shown and "| [Projects](" in shown, shown
        assert "### Needs Action: 3 record(s)" in shown and "/e/projects?status=needs_action" in shown, shown
        # An explicit question: Approve or Reject, no default that decides for a forgetful user.
        decision = schema["properties"]["decision"]
        assert decision["enum"] == ["Approve", "Reject"] and "default" not in decision
        assert {"decision", "reviewer"} <= set(schema["required"])
        with pytest.raises(RuntimeError, match="Cannot resume"):
            _resume(prefect_server, flow_run_id, {"reviewer": "Fay", "comment": "forgot to choose"})
        _resume(prefect_server, flow_run_id, {"decision": "Approve" if approve else "Reject",
                                              "reviewer": "Fay", "comment": "checked by finance"})
        out, err = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == 0, err[-2000:]
    state = json.loads(out.strip().splitlines()[-1])
    report = run_report(res.db)
    assert report["flow_run_id"] == flow_run_id
    if approve:
        assert (state["type"], state["name"]) == ("COMPLETED", "Completed")
        assert report["note"] == "Approved by Fay in the Prefect UI: checked by finance."
        assert report["pushed"] == [{"entity": "projects", "created": 7, "updated": 0, "linked": 2, "failed": 0}]
        assert admin.counts(realm)["writes"] != writes
    else:
        # Told apart from a pushed run at a glance: Cancelled, named Rejected, saying by whom.
        assert (state["type"], state["name"]) == ("CANCELLED", "Rejected")
        assert state["message"] == "Rejected by Fay in the Prefect UI: checked by finance. Nothing was pushed."
        assert report["outcome"] == "rejected" and report["pushed"] == []
        from qbo_sync.pipeline.report import to_markdown

        assert "**Rejected: nothing was pushed.**" in to_markdown(report)
        assert admin.counts(realm)["writes"] == writes
        log = subprocess.run([sys.executable, "-m", "qbo_sync.cli", "--config", config, "log"], env=env,
                             capture_output=True, text=True, timeout=120)
        assert log.returncode == 0, log.stderr[-2000:]
        line = next(line for line in log.stdout.splitlines() if flow_run_id in line)
        assert "rejected" in line, log.stdout   # log reads the staging database's runs table: the outcome


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
def test_no_answer_before_the_timeout_rejects_the_push(prefect_server, res, config_for, admin, realm):
    from qbo_sync.views import run_report

    writes = admin.counts(realm)["writes"]
    script = ("import json, sys; from qbo_sync.flows.sync import sync; "
              "s = sync(entities=['projects'], mode='all', approval='ui', approval_timeout_minutes=0.1, "
              "config=sys.argv[1], return_state=True); "
              "print(json.dumps({'type': s.type.value, 'name': s.name, 'message': s.message}))")
    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    done = subprocess.run([sys.executable, "-c", script, config_for(res)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert (state["type"], state["name"]) == ("CANCELLED", "Rejected"), (state, done.stderr[-3000:])
    assert state["message"] == "Rejected: no answer in the Prefect UI within 6 s. Nothing was pushed."
    assert run_report(res.db)["outcome"] == "rejected"
    assert admin.counts(realm)["writes"] == writes
