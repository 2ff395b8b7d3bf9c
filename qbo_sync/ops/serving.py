"""`qbo-sync serve --with-server` (what `make serve` runs): a Prefect server and the
deployments served, from one command that Ctrl-C or SIGTERM stops cleanly.

Both run as child processes in sessions of their own, so that the terminal's Ctrl-C reaches
this process only, and it stops them in order: the deployments first (on their way out they
still talk to the server), then the server. Each gets a bounded wait, then is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_WAIT_SECONDS = 4        # each child; both together stay under 10 s
START_WAIT_SECONDS = 180     # a first start migrates a new database; slow on a busy machine


def server_environment(host: str, port: int) -> dict[str, str]:
    """The server's settings: its own address, and the UI pointed at it (not at 4200)."""
    env = {**os.environ, "PREFECT_SERVER_API_HOST": host, "PREFECT_SERVER_API_PORT": str(port),
           "PREFECT_UI_API_URL": f"http://{host}:{port}/api"}
    env.pop("PREFECT_API_URL", None)
    # Offline, the telemetry service logs a failure every few minutes; PREFECT_SERVER_ANALYTICS_ENABLED=true keeps it.
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    return env


def serve_with_server(config: str | None, host: str, port: int) -> int:
    api = f"http://{host}:{port}/api"
    stop = threading.Event()
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda *_: stop.set())
    print(f"Starting the Prefect server on http://{host}:{port} (Ctrl-C stops it and the deployments)",
          flush=True)
    server = _start([sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
                    server_environment(host, port))
    children = [server]
    try:
        if not _healthy(api, server, stop):
            return 0 if stop.is_set() else 1
        argv = [sys.executable, "-m", "qbo_sync.cli"] + (["--config", config] if config else []) + ["serve"]
        children.insert(0, _start(argv, {**os.environ, "PREFECT_API_URL": api}))
        print(f"Prefect UI: http://{host}:{port}", flush=True)
        while not stop.wait(0.5):
            if any(child.poll() is not None for child in children):
                print("qbo-sync serve: the Prefect server or the deployments stopped; stopping the other",
                      file=sys.stderr, flush=True)
                return 1
        return 0
    finally:
        for child in children:        # deployments first, then the server
            _stop(child)


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(argv, env=env, start_new_session=True)


def _healthy(api: str, server: subprocess.Popen, stop: threading.Event) -> bool:
    import httpx

    deadline = time.monotonic() + START_WAIT_SECONDS
    while not stop.is_set() and time.monotonic() < deadline:
        if server.poll() is not None:
            print(f"qbo-sync serve: the Prefect server exited with status {server.returncode}",
                  file=sys.stderr, flush=True)
            return False
        try:
            if httpx.get(api + "/health", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        stop.wait(0.5)
    if not stop.is_set():
        print(f"qbo-sync serve: the Prefect server did not answer at {api} within {START_WAIT_SECONDS} s",
              file=sys.stderr, flush=True)
    return False


def _stop(child: subprocess.Popen) -> None:
    """Ctrl-C to the child's whole process group, as a terminal would; killed if it lingers."""
    if child.poll() is not None:
        return
    try:
        os.killpg(child.pid, signal.SIGINT)
        child.wait(STOP_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(5)
    except ProcessLookupError:
        pass
