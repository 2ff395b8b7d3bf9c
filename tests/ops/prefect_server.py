"""Helpers for tests that start real Prefect processes (`prefect server start`, `make serve`,
`qbo-sync serve`): free ports, waiting for an answer, and finding what is left running."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
# A traceback, or a log line at ERROR/CRITICAL level, in a Prefect process's output.
ERROR_LINE = re.compile(r"Traceback|\| (ERROR|CRITICAL) |^ERROR:|Exception in ", re.M)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    """Poll check() until it returns something truthy; fail naming `what` (and the log's tail)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what} (not within {seconds:.0f} s)\n{tail}")


def healthy(api: str) -> bool:
    return httpx.get(api + "/health", timeout=5).status_code == 200


def processes_with(marker: str) -> list[int]:
    """Pids of processes whose environment holds `marker` (a test's own PREFECT_HOME)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def stop_all(marker: str) -> None:
    """After a failed test: kill what this test started and left running (found by its PREFECT_HOME)."""
    import signal

    for pid in processes_with(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
