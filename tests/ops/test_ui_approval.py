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


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("approve", [True, False])
def test_on_demand_run_waits_for_the_answer_in_the_ui(prefect_server, res, config_for, admin, realm, approve):
    writes = admin.counts(realm)["writes"]
    script = ("import json, sys; from qbo_sync.flows.sync import sync; "
              "r = sync(entities=['projects'], mode='all', approval='ui', config=sys.argv[1]); "
              "print(json.dumps({'approved': r['approved'], 'note': r['note'], 'pushed': r['pushed']}))")
    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    run = subprocess.Popen([sys.executable, "-c", script, config_for(res)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        flow_run_id = _paused_run(prefect_server)
        assert admin.counts(realm)["writes"] == writes, "nothing is pushed while waiting"
        # What the form shows: the preview summary with the Needs Action count.
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
            from prefect.client.orchestration import get_client
            from prefect.flow_runs import resume_flow_run
            import asyncio

            async def description() -> str:
                async with get_client() as client:
                    from prefect.input.run_input import keyset_from_paused_state

                    flow_run = await client.read_flow_run(flow_run_id)
                    keyset = keyset_from_paused_state(flow_run.state)
                    return (await client.read_flow_run_input(flow_run_id, keyset["description"]))

            shown = json.loads(asyncio.run(description()))
            assert "| projects | 9 | 0 | 3 |" in shown and "Needs Action: 3" in shown, shown
            resume_flow_run(flow_run_id, run_input={"approve": approve, "comment": "checked by finance"})
        out, err = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == 0, err[-2000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["approved"] is approve
    assert "checked by finance" in result["note"]
    if approve:
        assert result["pushed"] == [{"entity": "projects", "created": 7, "updated": 2, "failed": 0}]
        assert admin.counts(realm)["writes"] != writes
    else:
        assert result["pushed"] == [] and admin.counts(realm)["writes"] == writes
