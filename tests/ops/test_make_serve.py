"""`make serve` as a user runs it: `PREFECT_PORT=N make serve` gives a Prefect UI that talks to
port N, serves the four deployments, and Ctrl-C (SIGINT to the terminal's process group) or
SIGTERM to make stops the server and the deployments within 10 s, without error spam."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.ops.prefect_server import ERROR_LINE, REPO, free_port, healthy, processes_with, stop_all, wait_until

pytestmark = pytest.mark.slow


def _deployments(api: str) -> list[str]:
    return sorted(d["name"] for d in httpx.post(api + "/deployments/filter", json={}, timeout=10).json())


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_make_serve_uses_its_port_and_stops_cleanly(tmp_path, how):
    port, home = free_port(), str(tmp_path / "prefect-home")
    env = {**os.environ, "PREFECT_PORT": str(port), "PREFECT_HOME": home}
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "make-serve.log"
    with open(log, "w") as out:
        make = subprocess.Popen(["make", "-s", "serve"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)   # its own process group, as a terminal gives it
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_until(lambda: healthy(api), 180, "the Prefect server of make serve answers", make, log)
        names = wait_until(lambda: _deployments(api) if len(_deployments(api)) == 4 else None, 120,
                           "make serve serves its deployments", make, log)
        assert names == ["nightly", "on-demand", "pull", "retry-failed"]
        # The UI reads its API address from /ui-settings: it must be this port, not 4200.
        assert httpx.get(f"http://127.0.0.1:{port}/ui-settings", timeout=10).json()["api_url"] == api
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
        assert len(processes_with(home)) >= 2, "a server and a serve process"

        started = time.monotonic()
        if how == "ctrl-c":
            os.killpg(make.pid, signal.SIGINT)
        else:
            make.send_signal(signal.SIGTERM)
        make.wait(30)
        took = time.monotonic() - started
        left = processes_with(home)
        assert not left, f"still running after make serve stopped: {left}"
        assert took < 10, f"make serve took {took:.1f} s to stop"
        with pytest.raises(httpx.ConnectError):
            httpx.get(api + "/health", timeout=2)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        stop_all(home)
    output = log.read_text(errors="replace")
    assert not ERROR_LINE.search(output), output[-4000:]
    # What is printed after the signal: a line or two of shutting down, not a wall of text.
    after = output.split("trigger your deployments via the Prefect UI", 1)[-1].strip().splitlines()
    assert len(after) <= 6, "\n".join(after)
