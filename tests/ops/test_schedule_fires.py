"""The nightly schedule fires on a real `prefect server start` with the project's pins.

`qbo-sync serve` serves the deployments built from settings whose schedule is every minute;
the server's scheduler (not the test) creates the nightly runs, the serve process runs them,
they end Completed with names that say what they are, and the server's log has no traceback.
Then, on the same server: an invalid parameter is refused before any run starts, and Chromium
saves the Prefect UI's nightly deployment page (an upcoming run and a completed scheduled run)
and the on-demand run form (its typed parameters, described) under test-artifacts/prefect-ui/. Takes one to three minutes: the first run is the next minute's.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from qbo_sync.ops.serving import server_environment
from tests.ops.prefect_server import ERROR_LINE, REPO, free_port, healthy, stop_all, wait_until

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts" / "prefect-ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _post(api: str, path: str, body: dict) -> httpx.Response:
    return httpx.post(api + path, json=body, timeout=20)


def _deployment(api: str, name: str) -> dict | None:
    found = _post(api, "/deployments/filter", {"deployments": {"name": {"any_": [name]}}}).json()
    return found[0] if found else None


def _runs(api: str, deployment_id: str, state: str) -> list[dict]:
    return _post(api, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": [state]}}},
                                            "deployments": {"id": {"any_": [deployment_id]}},
                                            "sort": "EXPECTED_START_TIME_ASC", "limit": 50}).json()


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
def test_nightly_schedule_fires_and_completes_on_a_real_server(res, config_for, tmp_path):
    settings = yaml.safe_load(open(config_for(res)))
    settings["schedule"] = {"every": "cron", "cron": "* * * * *", "timezone": "UTC", "approve": "always"}
    config = tmp_path / "scheduled.yaml"
    config.write_text(yaml.safe_dump(settings))

    port, home = free_port(), str(tmp_path / "prefect-home")
    api = f"http://127.0.0.1:{port}/api"
    # The server's environment as `make serve` gives it: its UI talks to this port.
    env = {**server_environment("127.0.0.1", port), "PREFECT_HOME": home, "PREFECT_UI_ENABLED": "true",
           "PREFECT_LOGGING_LEVEL": "INFO"}
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    server = _start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                     "--port", str(port)], env, server_log)
    serve = None
    try:
        wait_until(lambda: healthy(api), 180, "prefect server start answers", server, server_log)
        serve = _start([sys.executable, "-m", "qbo_sync.cli", "--config", str(config), "serve"],
                       {**env, "PREFECT_API_URL": api}, serve_log)
        nightly = wait_until(lambda: _deployment(api, "nightly"), 120, "qbo-sync serve registers nightly",
                             serve, serve_log)
        assert nightly["schedules"][0]["schedule"]["cron"] == "* * * * *"

        # The server's scheduler creates the runs; the serve process picks each up when due.
        scheduled = wait_until(lambda: _runs(api, nightly["id"], "SCHEDULED"), 90,
                               "the server's scheduler creates nightly runs", server, server_log)
        assert all(run["auto_scheduled"] for run in scheduled)
        done = wait_until(lambda: _runs(api, nightly["id"], "COMPLETED"), 240,
                          "a scheduled nightly run ends Completed", serve, serve_log)[0]
        assert done["auto_scheduled"] and done["parameters"]["scheduled"] is True
        assert re.fullmatch(r"nightly-\d{4}-\d{2}-\d{2}", done["name"]), done["name"]
        tasks = _post(api, "/task_runs/filter", {"flow_runs": {"id": {"any_": [done["id"]]}}}).json()
        assert {t["name"] for t in tasks} == {"import", "validate", "map", "preview", "push", "report"}
        assert "Approved by the schedule.approve setting (always)." in serve_log.read_text()
        assert _runs(api, nightly["id"], "SCHEDULED"), "the next nightly run is upcoming"

        # A parameter outside its choices is refused by the server: no run is created.
        on_demand = _deployment(api, "on-demand")
        refused = _post(api, f"/deployments/{on_demand['id']}/create_flow_run",
                        {"parameters": {"mode": "everything"}})
        assert refused.status_code in (409, 422), refused.text
        assert "everything" in refused.text
        assert not _post(api, "/flow_runs/filter", {"deployments": {"id": {"any_": [on_demand["id"]]}}}).json()

        _screenshots(port, nightly["id"], done["name"], on_demand["id"])
        # The serve log up to here: stopping it below may interrupt the next minute's run.
        serving = serve_log.read_text(errors="replace")
        assert not ERROR_LINE.search(serving), serving[-4000:]
    finally:
        if serve is not None:
            _stop(serve)
        _stop(server)
        stop_all(home)
    text = server_log.read_text(errors="replace")
    assert not ERROR_LINE.search(text), text[-4000:]


def _screenshots(port: int, deployment_id: str, completed_run: str, on_demand_id: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (make browser installs it)")
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.set_default_timeout(60_000)
            page.goto(f"http://127.0.0.1:{port}/deployments/deployment/{deployment_id}")
            expect(page.get_by_text(completed_run).first).to_be_visible()
            expect(page.get_by_text("Scheduled").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "nightly-deployment.png"), full_page=True)
            # The on-demand run form: typed parameters with their descriptions.
            page.goto(f"http://127.0.0.1:{port}/deployments/deployment/{on_demand_id}/run")
            expect(page.get_by_text("What to read from the source").first).to_be_visible()
            expect(page.get_by_text("Who approves the push after the preview").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "on-demand-run-form.png"), full_page=True)
        finally:
            browser.close()
